"""The in-process build timer: production's configuration with nothing cached, the four views of a mix character."""

import uuid
from types import SimpleNamespace

import pytest

from bench import build_times, hello, players
from tests.support import served
from webapp import create_app
from webapp.extensions import db as _db
from webapp.seed import load_reference


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_the_timer_builds_the_four_views_of_a_mix_character_signed_in_as_its_owner(app, db, csrf_enabled):
    load_reference()
    players.build(db.engine, players=1)
    character = players.read(db.engine, players=1)[0]

    timed = served(lambda: build_times.time_views(app, character.character_id, character.email, 3, 1, 2))

    assert [t.view for t in timed] == list(build_times.BUDGETS_MS)
    assert all(t.builds == 3 and t.p90_ms >= t.median_ms > 0 and t.queries >= 0 for t in timed)
    assert all(len(t.round_medians_ms) == 2 and t.median_ms == pytest.approx(min(t.round_medians_ms), abs=1e-3)
               for t in timed)  # fmt: skip
    assert timed[1].path == f"/characters/{character.character_id}/inventory"


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
@pytest.mark.filterwarnings("ignore:Flask-Caching")  # NullCache on purpose
def test_beside_the_views_the_timer_times_the_floors_of_the_benchmarks_app(app, db, csrf_enabled):
    load_reference()
    players.build(db.engine, players=1)
    character = players.read(db.engine, players=1)[0]
    settings = {key: value for key, value in app.config.items() if key.isupper()}
    bench_app = create_app(SimpleNamespace(**{**settings, "CACHE_TYPE": "NullCache"}))  # nothing cached, as timed
    bench_app.register_blueprint(hello.bp)  # as bench/build_times.py's main does
    try:
        timed = served(lambda: build_times.time_views(bench_app, character.character_id, character.email, 2, 1, 1))
    finally:
        with bench_app.app_context():
            _db.engine.dispose()

    floors = {t.view: t for t in timed if t.view in build_times.FLOORS}
    assert [t.view for t in timed] == [*build_times.BUDGETS_MS, *build_times.FLOORS]
    assert [t.label for t in floors.values()] == [label for label, _, _ in build_times.FLOORS.values()]
    assert (floors["floor_bare"].queries, floors["floor_session"].queries, floors["floor_token"].queries) == (0, 1, 1)
    assert all(t.median_ms > 0 for t in floors.values())


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_a_view_that_does_not_answer_200_stops_the_timer(app, db):
    load_reference()
    players.build(db.engine, players=1)
    owner = players.read(db.engine, players=1)[0].email

    with pytest.raises(RuntimeError, match="answered 404"):
        served(lambda: build_times.time_views(app, str(uuid.uuid4()), owner, builds=1, warmup=0))


def test_builds_are_not_timed_inside_an_app_context_where_every_request_would_share_one_session(app):
    with pytest.raises(RuntimeError, match="outside any app context"):
        build_times.time_views(app, str(uuid.uuid4()), "nobody@example.com", builds=1, warmup=0)


def test_nothing_is_cached_and_nothing_is_limited_in_production_configuration(monkeypatch):
    for name, value in {
        "APP_ENV": "production",
        "SECRET_KEY": "s" * 32,
        "JWT_SECRET": "j" * 32,
        "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/tavern_bench",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "PUBLIC_URL": "https://localhost",
    }.items():
        monkeypatch.setenv(name, value)

    config = build_times.nothing_cached_config()

    assert config.APP_ENV == "production" and config.SESSION_COOKIE_SECURE
    assert (config.CACHE_TYPE, config.RATELIMIT_ENABLED) == ("NullCache", False)


def test_a_timed_request_is_the_apps_whole_answer_from_the_call_until_its_body_is_closed():
    seen = []

    class Body:
        def __iter__(self):
            seen.append("read")
            return iter([b"one", b"two"])

        def close(self):
            seen.append("closed")

    def app(environ, start_response):
        seen.append(environ["PATH_INFO"])
        start_response("418 I'm a teapot", [("Content-Type", "text/plain")])
        return Body()

    status, seconds = build_times.served_once(app, build_times.request_environ("/brew", {"Cookie": "a=b"}))

    assert (status, seen) == (418, ["/brew", "read", "closed"])
    assert seconds > 0
