"""The live log: events numbered in commit order, read after the last one a reader has (`?after=`, Last-Event-ID),
streamed as Server-Sent Events to the API and the table page, each to those who may see it."""

import json

import pytest

from webapp.extensions import db
from webapp.models import CampaignEvent, User
from webapp.services import campaign_events, table


def bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.access_token(user)}"}


def owner_of(character) -> User:
    return db.session.get(User, character.owner_id)


@pytest.fixture
def quick_streams(app):
    """Streams that send what is there and end, so that a test reads them whole."""
    before = app.config["LIVE_STREAM_SECONDS"]
    app.config["LIVE_STREAM_SECONDS"] = 0
    yield
    app.config["LIVE_STREAM_SECONDS"] = before


@pytest.fixture
def table_of(make):
    campaign, (mira, tobin) = make.party(2)
    mira.name, tobin.name = "Mira", "Tobin"
    db.session.commit()
    return {"campaign": campaign, "gm": db.session.get(User, campaign.owner_id), "mira": mira, "tobin": tobin}


def hit(actor, character, amount=1):
    return table.damage(actor, character.id, table.Hit(amount=amount))


def events(text: str) -> list[dict]:
    """The Server-Sent Events of a stream's text: [{id, event, data}], comments left out."""
    found = []
    for block in text.split("\n\n"):
        fields: dict = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = fields[name] + "\n" + value if name in fields and name == "data" else value
        if "event" in fields or "data" in fields:
            found.append(fields)
    return found


def test_events_are_numbered_one_by_one_in_each_campaign(make, table_of):
    other, (stranger,) = make.party(1)
    hit(owner_of(table_of["mira"]), table_of["mira"])
    hit(owner_of(stranger), stranger)
    hit(table_of["gm"], table_of["tobin"])
    hit(owner_of(table_of["mira"]), table_of["mira"])
    numbers = db.session.query(CampaignEvent.campaign_id, CampaignEvent.seq).order_by(CampaignEvent.seq).all()
    assert sorted(seq for campaign, seq in numbers if campaign == table_of["campaign"].id) == [1, 2, 3]
    assert [seq for campaign, seq in numbers if campaign == other.id] == [1]


def test_the_api_lists_what_came_after_an_event_oldest_first(client, make, table_of):
    mira, gm = table_of["mira"], table_of["gm"]
    for amount in (1, 2, 3, 4):
        hit(gm, mira, amount)
    listed = client.get(f"/api/v1/campaigns/{table_of['campaign'].id}/events?order=asc", headers=bearer(make, gm))
    first = listed.get_json()["data"][0]
    after = client.get(
        f"/api/v1/campaigns/{table_of['campaign'].id}/events?after={first['id']}&limit=2", headers=bearer(make, gm)
    ).get_json()
    assert [e["body"].split(" (")[0] for e in after["data"]] == ["Mira took 2 damage", "Mira took 3 damage"]
    assert after["pagination"]["has_next"] is True
    rest = client.get(
        f"/api/v1/campaigns/{table_of['campaign'].id}/events?after={after['data'][-1]['id']}",
        headers=bearer(make, gm),
    ).get_json()
    assert [e["body"].split(" (")[0] for e in rest["data"]] == ["Mira took 4 damage and is down"]
    assert rest["pagination"]["has_next"] is False


@pytest.mark.parametrize("after", ["00000000-0000-7000-8000-000000000000", "not-an-id", "\x00", "1" * 400])
def test_after_an_unknown_event_is_refused_with_its_field(client, make, table_of, after):
    answer = client.get(
        f"/api/v1/campaigns/{table_of['campaign'].id}/events",
        query_string={"after": after},
        headers=bearer(make, table_of["gm"]),
    )
    assert answer.status_code in (400, 422)
    assert "after" in json.dumps(answer.get_json())


def test_after_and_cursor_together_are_refused(client, make, table_of):
    hit(table_of["gm"], table_of["mira"])
    first = campaign_events.all_after(table_of["campaign"].id, 0)[0]
    answer = client.get(
        f"/api/v1/campaigns/{table_of['campaign'].id}/events?after={first.id}&cursor=abc",
        headers=bearer(make, table_of["gm"]),
    )
    assert answer.status_code == 422


def test_the_api_stream_resumes_after_last_event_id_with_each_event_once(client, make, table_of, quick_streams):
    mira, gm = table_of["mira"], table_of["gm"]
    for amount in (1, 2, 3):
        hit(gm, mira, amount)
    path = f"/api/v1/campaigns/{table_of['campaign'].id}/stream"
    whole = client.get(path, headers=bearer(make, gm))
    assert whole.status_code == 200 and whole.mimetype == "text/event-stream"
    assert whole.headers["Cache-Control"] == "no-store" and whole.headers["X-Accel-Buffering"] == "no"
    assert events(whole.get_data(as_text=True)) == []  # without a place to resume: from now on
    first = campaign_events.all_after(table_of["campaign"].id, 0)[0]
    resumed = client.get(path, headers={**bearer(make, gm), "Last-Event-ID": str(first.id)})
    sent = events(resumed.get_data(as_text=True))
    assert [e["event"] for e in sent] == ["event", "event"]
    payloads = [json.loads(e["data"]) for e in sent]
    assert [p["id"] for p in payloads] == [e["id"] for e in sent]
    assert [p["body"].split(" (")[0] for p in payloads] == ["Mira took 2 damage", "Mira took 3 damage"]
    again = client.get(path, headers={**bearer(make, gm), "Last-Event-ID": sent[-1]["id"]})
    assert events(again.get_data(as_text=True)) == []


def test_a_hidden_gm_roll_reaches_the_gms_stream_and_never_a_players(client, make, table_of, quick_streams):
    from webapp.services import dice_rolls

    mira, gm = table_of["mira"], table_of["gm"]
    hit(gm, mira)
    start = campaign_events.all_after(table_of["campaign"].id, 0)[0]
    dice_rolls.table_roll(gm, table_of["campaign"].id, dice_rolls.TableRoll(expression="1d20", visibility="gm"))
    dice_rolls.table_roll(gm, table_of["campaign"].id, dice_rolls.TableRoll(expression="1d6", label="Trap"))
    path = f"/api/v1/campaigns/{table_of['campaign'].id}/stream?after={start.id}"
    gms = [json.loads(e["data"]) for e in events(client.get(path, headers=bearer(make, gm)).get_data(as_text=True))]
    players = client.get(path, headers=bearer(make, owner_of(mira))).get_data(as_text=True)
    assert [e["visibility"] for e in gms] == ["gm", "public"]
    assert [json.loads(e["data"])["visibility"] for e in events(players)] == ["public"]
    assert "1d20" not in players


def test_streams_answer_who_may_not_read_the_log_at_once(client, make, table_of):
    path = f"/api/v1/campaigns/{table_of['campaign'].id}/stream"
    stranger = make.user()
    assert client.get(path, headers=bearer(make, stranger)).status_code in (403, 404)
    assert client.get(path).status_code in (401, 403, 404)
    unknown = client.get(path, headers={**bearer(make, table_of["gm"]), "Last-Event-ID": "nonsense"})
    assert unknown.status_code == 422


def test_the_table_page_stream_sends_log_entries_and_asks_the_party_to_refresh(
    client, auth, make, table_of, quick_streams
):
    mira, gm = table_of["mira"], table_of["gm"]
    hit(gm, mira)
    start = campaign_events.all_after(table_of["campaign"].id, 0)[0]
    table.set_conditions(gm, mira.id, {"poisoned": True})
    auth.login(owner_of(mira))
    answer = client.get(f"/campaigns/{table_of['campaign'].id}/stream?after={start.id}")
    assert answer.status_code == 200
    sent = events(answer.get_data(as_text=True))
    assert [e["event"] for e in sent] == ["log", "party"]
    assert "Mira is now poisoned" in sent[0]["data"] and sent[0]["data"].lstrip().startswith("<li")
    assert sent[1]["data"] == str(mira.id)


def test_the_page_stream_of_a_campaign_one_is_not_in_is_refused(client, auth, make, table_of):
    auth.login(make.user())
    assert client.get(f"/campaigns/{table_of['campaign'].id}/stream").status_code in (403, 404)


def test_news_that_redis_refuses_still_wakes_this_processs_streams(app, table_of):
    from webapp import live

    class Refusing:
        def publish(self, *_args):
            import redis

            raise redis.exceptions.ReadOnlyError("You can't write against a read only replica.")

    hub = live.Hub(None)
    waiter = hub.join(table_of["campaign"].id)
    saved = app.extensions.get("redis")
    app.extensions["redis"] = Refusing()
    try:
        hub.publish([table_of["campaign"].id])
    finally:
        app.extensions["redis"] = saved
    assert waiter.wait(0) is True
    assert waiter.wait(0) is False  # rung once, then quiet
    waiter.close()
    assert hub.followers() == 0


def test_the_streams_of_one_campaign_read_the_log_once_for_the_same_news(app, table_of, queries):
    from webapp import event_streams, live

    campaign_id, gm, tobin_id = table_of["campaign"].id, table_of["gm"], table_of["tobin"].id
    gm_id = gm.id
    hub = live.Hub(None)
    waiters = [hub.join(campaign_id) for _ in range(5)]
    hit(gm, table_of["mira"])
    hub.ring([str(campaign_id)])
    with queries:
        reads = [event_streams._events_after(hub, campaign_id, 0, fresh=False) for _ in waiters]
    assert queries.count == 1
    assert all(read == reads[0] for read in reads) and len(reads[0]) == 1
    # A stream's read closes the session (it holds no connection while it waits): load again what the test uses.
    table.damage(db.session.get(User, gm_id), tobin_id, table.Hit(amount=1))
    hub.ring([str(campaign_id)])  # new news: read again, once
    with queries:
        again = [event_streams._events_after(hub, campaign_id, 0, fresh=False) for _ in waiters]
    assert queries.count == 1 and len(again[0]) == 2
    for waiter in waiters:
        waiter.close()
    assert hub.followers() == 0
