"""The real mix's table walked through the app in one process, with production's caching: time per view, for profiles
and for comparisons too small for two server stacks to show.

Run as `python -m bench.mix_walk [--passes N] [--profile VIEW]` in the benchmark's environment (DATABASE_URL and
REDIS_URL of a database `make bench` built; rate limits are off here, as in the bench). Each request is served as
Gunicorn serves it, in an app context of its own, and timed from the call of the app until its body was read (wall
and the thread's CPU); no network, server or load generator shares the machine's cores. On a shared virtual machine,
compare two variants by alternating them pass after pass in one process, never by runs minutes apart.
"""

import argparse
import cProfile
import pstats
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass

from bench import build_times, mix, players
from bench.wrk import Request


@dataclass(frozen=True)
class Walked:
    """One pass over a table: each request's milliseconds (wall and the thread's CPU), by view."""

    wall_ms: dict[str, list[float]]
    cpu_ms: dict[str, list[float]]

    @property
    def requests(self) -> int:
        return sum(len(times) for times in self.wall_ms.values())

    @property
    def mean_wall_ms(self) -> float:
        return sum(map(sum, self.wall_ms.values())) / self.requests

    @property
    def mean_cpu_ms(self) -> float:
        return sum(map(sum, self.cpu_ms.values())) / self.requests


def signed_in(app, characters: list[players.PlayerCharacter]) -> dict[str, mix.Credentials]:
    """Each player's credentials as the mix uses them: the browser's cookie and CSRF token, a write-scope token."""
    credentials = {}
    for email in dict.fromkeys(c.email for c in characters):
        with app.app_context():
            player = build_times.SignedIn(app, email, scope="write")
        path = f"/characters/{next(c.character_id for c in characters if c.email == email)}"
        cookie = player.get(path).request.headers["Cookie"]
        credentials[email] = mix.Credentials(cookie, player.csrf_token(f"{path}/inventory"), player.api_token)
    return credentials


def walk(app, table: list[Request], profile: cProfile.Profile | None = None, view: str | None = None) -> Walked:
    """Serve every request of the table once, in order; raises RuntimeError when one answers anything but 200.
    With `profile`, the requests of `view` (or all) run under it."""
    wall, cpu = defaultdict(list), defaultdict(list)
    for request in table:
        environ = build_times.request_environ(request.path, request.headers, request.method, request.body)
        profiled = profile is not None and view in (None, request.view)
        if profiled:
            profile.enable()
        started = time.thread_time()
        status, elapsed = build_times.served_once(app, environ)
        used = time.thread_time() - started
        if profiled:
            profile.disable()
        if status != 200:
            raise RuntimeError(f"{request.method} {request.path} answered {status}")
        wall[request.view].append(elapsed * 1000)
        cpu[request.view].append(used * 1000)
    return Walked(dict(wall), dict(cpu))


def describe(label: str, walked: Walked) -> str:
    views = "  ".join(
        f"{v} {statistics.mean(walked.wall_ms[v]):.2f}/{statistics.mean(walked.cpu_ms[v]):.2f}"
        for v in sorted(walked.wall_ms)
    )
    return f"{label}: {walked.mean_wall_ms:.3f} ms wall, {walked.mean_cpu_ms:.3f} ms CPU per request  ({views})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--players", type=int, default=players.PLAYERS)
    parser.add_argument("--profile", metavar="VIEW", help="profile this view's requests (or 'all') in the last pass")
    args = parser.parse_args(argv)
    from webapp import create_app
    from webapp.config import load_config
    from webapp.extensions import db

    config = load_config("production")
    config.RATELIMIT_ENABLED = False
    app = create_app(config)
    with app.app_context():
        characters = players.read(db.engine, args.players)
    table = mix.mixed(characters, signed_in(app, characters), build_times.BASE_URL)
    print(describe("warm-up", walk(app, table)))
    for number in range(1, args.passes + 1):
        profile = cProfile.Profile() if args.profile and number == args.passes else None
        view = None if args.profile == "all" else args.profile
        print(describe(f"pass {number}", walk(app, table, profile, view)), flush=True)
        if profile is not None:
            pstats.Stats(profile, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
