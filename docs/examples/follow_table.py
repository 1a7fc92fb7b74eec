"""Follow a campaign's table live, as a chat bot would: print each event of its log as it happens.

Standard library only. Usage: python follow_table.py BASE_URL EMAIL PASSWORD [--events N]
(or set TAVERN_TOKEN to a personal token and pass no email or password). The first campaign you run or play
in is followed; --events stops after N events. A dropped connection resumes where it stopped (Last-Event-ID).
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request


def call(base: str, method: str, path: str, token: str | None = None, body=None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + "/api/v1" + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def events(base: str, token: str, campaign_id: str, last_id: str | None = None):
    """Yield (id, event) for ever, reconnecting after the server ends a stream or the network drops it."""
    while True:
        request = urllib.request.Request(f"{base}/api/v1/campaigns/{campaign_id}/stream")
        request.add_header("Authorization", f"Bearer {token}")
        request.add_header("Accept", "text/event-stream")
        if last_id:
            request.add_header("Last-Event-ID", last_id)  # nothing lost, nothing twice
        try:
            with urllib.request.urlopen(request, timeout=60) as stream:  # a comment comes every 15 s
                event_id, data = None, []
                for raw in stream:
                    line = raw.decode("utf-8").rstrip("\n")
                    if line.startswith("id: "):
                        event_id = line[4:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line.startswith("event: end"):
                        return  # we may no longer read this log
                    elif not line and data:
                        last_id = event_id
                        yield event_id, json.loads("\n".join(data))
                        event_id, data = None, []
        except OSError as error:
            print(f"(reconnecting: {error})", file=sys.stderr)
            time.sleep(2)


def readable(base: str, token: str):
    """The active campaigns whose log you may read: those you run or play in (others' public ones answer 403)."""
    for campaign in call(base, "GET", "/campaigns?status=ACTIVE&limit=100", token)["data"]:
        try:
            call(base, "GET", f"/campaigns/{campaign['id']}/events?limit=1", token)
        except urllib.error.HTTPError:
            continue
        yield campaign


def main(argv: list[str]) -> int:
    limit = None
    if "--events" in argv:
        at = argv.index("--events")
        limit, argv = int(argv[at + 1]), argv[:at] + argv[at + 2 :]
    base = argv[1].rstrip("/")
    token = os.environ.get("TAVERN_TOKEN")
    if not token:
        token = call(base, "POST", "/auth/login", body={"email": argv[2], "password": argv[3]})["access_token"]
    campaign = next(readable(base, token), None)
    if campaign is None:
        print("You run or play in no campaign yet.")
        return 1
    print(f"Following “{campaign['name']}”", flush=True)
    for count, (_, event) in enumerate(events(base, token, campaign["id"]), start=1):
        who = event["actor"]["display_name"] if event["actor"] else "Tavern"
        print(f"[{event['kind']}] {who}: {event['body']}", flush=True)
        if limit is not None and count >= limit:
            break
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
