"""The table page: the party's pools and conditions, the log, the GM's actions on members and the GM's own rolls."""

import html
import json
import re

import pytest
import sqlalchemy as sa
from flask import render_template

from webapp.extensions import db
from webapp.models import CampaignEvent, EventKind, User, Visibility
from webapp.services import campaign_events, table

AMOUNT_ERROR = "Use a whole number from 1 to 9,999."


def player_of(character) -> User:
    return db.session.get(User, character.owner_id)


def state(character):
    """The character's pools and conditions as its owner reads them, from the database afresh."""
    db.session.expire_all()
    return table.table_state(player_of(character), character.id)


def logged(kind: EventKind) -> list[CampaignEvent]:
    return list(db.session.execute(sa.select(CampaignEvent).where(CampaignEvent.kind == kind)).scalars())


def table_url(campaign, *parts) -> str:
    return "/".join([f"/campaigns/{campaign.id}/table", *(str(part) for part in parts)])


@pytest.fixture
def named_party(make, party):
    campaign, characters = party
    for character, name in zip(characters, ("Mira", "Tobin", "Ysolde"), strict=True):
        character.name = name
    db.session.commit()
    return campaign, characters


def test_the_gm_sees_each_member_with_bars_and_acts_from_a_card(client, auth, gm, named_party):
    campaign, (mira, *_) = named_party
    full = state(mira).pools["health"].max
    auth.login(gm)
    response = client.get(table_url(campaign))
    assert response.status_code == 200 and "Vary" in response.headers
    page = response.get_data(as_text=True)
    assert "<html" in page and "At the table" in page
    for name in ("Mira", "Tobin", "Ysolde"):
        assert f"Act on {name}" in page
    assert re.search(rf'id="health-{mira.id}"[^>]*value="{full}"', page)
    assert f"<strong>{full}</strong> / {full}" in page
    assert "GM roll" in page and "Nothing has happened yet." in page
    assert f'sse-connect="/campaigns/{campaign.id}/stream' in page and 'sse-swap="log"' in page
    assert 'hx-trigger="sse:party, campaign-changed from:body"' in page
    assert re.search(r'id="table-log-list"[^>]*aria-live="polite" aria-relevant="additions"', page)


def test_a_member_sees_the_party_and_log_but_acts_only_on_their_own_character(client, auth, named_party):
    campaign, (mira, tobin, _) = named_party
    auth.login(player_of(mira))
    page = client.get(table_url(campaign)).get_data(as_text=True)
    assert "Act on Mira" in page and "Act on Tobin" not in page and "GM roll" not in page
    assert "Tobin" in page


def test_a_private_sheet_shows_as_such_at_the_table(client, auth, named_party, make):
    campaign, (mira, *_) = named_party
    secret = make.character(name="Secret Sable", visibility=Visibility.PRIVATE)
    make.membership(campaign, secret)
    auth.login(player_of(mira))
    page = client.get(table_url(campaign)).get_data(as_text=True)
    card = page[page.index(f'id="seat-{secret.id}"') :]
    card = card[: card.index("</article>")]
    assert "Secret Sable" in card and "Private sheet." in card and "health-" not in card


def test_the_party_and_the_log_come_as_fragments(client, auth, gm, named_party, htmx):
    campaign, _ = named_party
    auth.login(gm)
    party = client.get(table_url(campaign, "party"), headers=htmx)
    assert party.status_code == 200
    body = party.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="party"') and "<html" not in body and "Mira" in body
    log = client.get(table_url(campaign, "log"), headers=htmx).get_data(as_text=True)
    assert log.lstrip().startswith('<section id="table-log"') and "Nothing has happened yet." in log
    main = client.get(table_url(campaign), headers=htmx).get_data(as_text=True)
    assert "<html" not in main and 'id="party"' in main and 'id="table-log"' in main
    assert client.get(table_url(campaign, "party")).status_code == 302  # a browser gets the page


@pytest.mark.parametrize(
    ("viewer", "visibility", "status"),
    [
        ("gm", Visibility.PRIVATE, 200),
        ("member", Visibility.PRIVATE, 200),
        ("pending", Visibility.PRIVATE, 403),
        ("stranger", Visibility.PRIVATE, 404),
        ("stranger", Visibility.PUBLIC, 403),
        ("anonymous", Visibility.PRIVATE, 404),
        ("anonymous", Visibility.PUBLIC, 403),
    ],
)
def test_the_table_is_for_the_gm_and_the_party(client, auth, gm, make, viewer, visibility, status):
    campaign, (member,) = make.party(1, gm=gm, visibility=visibility)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    users = {"gm": gm, "member": player_of(member), "pending": player_of(waiting), "stranger": make.user()}
    if viewer in users:
        auth.login(users[viewer])
    assert client.get(table_url(campaign)).status_code == status
    assert client.get(table_url(campaign, "party"), headers={"HX-Request": "true"}).status_code == status


def test_the_gm_damages_a_member_and_the_party_and_log_say_so(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    full = state(mira).pools["health"].max
    auth.login(gm)
    response = client.post(
        table_url(campaign, mira.id, "damage"), data={"amount": "3", "note": "a goblin's arrow"}, headers=htmx
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="party"')
    assert f"<strong>{full - 3}</strong> / {full}" in body
    assert re.search(rf'<details class="table-act" id="act-{mira.id}" data-keep-open open>', body)  # still at hand
    trigger = json.loads(response.headers["HX-Trigger"])
    assert trigger["toast"] == {"message": f"Mira: {full - 3} / {full} health.", "level": "success"}
    assert trigger["table-logged"] is True
    assert state(mira).pools["health"].current == full - 3
    (event,) = logged(EventKind.DAMAGE)
    assert event.body == f"Mira took 3 damage ({full - 3}/{full}). a goblin's arrow" and event.actor_id == gm.id
    log = client.get(table_url(campaign, "log"), headers=htmx).get_data(as_text=True)
    assert "Mira took 3 damage" in log and f'id="event-{event.id}"' in log


def test_damage_to_zero_shows_down_and_healing_lifts_it(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    full = state(mira).pools["health"].max
    auth.login(gm)
    down = client.post(table_url(campaign, mira.id, "damage"), data={"amount": "9999"}, headers=htmx)
    assert 'class="badge badge-down">Down</span>' in down.get_data(as_text=True)
    assert state(mira).down
    healed = client.post(table_url(campaign, mira.id, "heal"), data={"amount": "2"}, headers=htmx)
    assert healed.status_code == 200 and "badge-down" not in healed.get_data(as_text=True)
    assert state(mira).pools["health"].current == 2 and not state(mira).down
    assert full > 2
    assert [e.body.split(" (")[0] for e in logged(EventKind.HEAL)] == ["Mira was healed by 2 and is up again"]


def test_the_gm_restores_sets_conditions_and_calls_rests(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    mira.stamina_spent, mira.health_lost = 5, 1
    db.session.commit()
    auth.login(gm)
    restored = client.post(
        table_url(campaign, mira.id, "restore"), data={"pool": "stamina", "amount": "2"}, headers=htmx
    )
    assert restored.status_code == 200
    stamina = state(mira).pools["stamina"]
    assert stamina.max - stamina.current == 3

    poisoned = client.post(
        table_url(campaign, mira.id, "conditions"), data={"name": "poisoned", "on": "true"}, headers=htmx
    )
    assert poisoned.status_code == 200
    body = poisoned.get_data(as_text=True)
    assert re.search(
        rf'<ul class="chips condition-chips"[^>]*id="conditions-{mira.id}">\s*<li[^>]*>Poisoned</li>', body
    )
    assert re.search(rf'id="condition-poisoned-{mira.id}" aria-pressed="true"', body)
    assert state(mira).conditions == ("poisoned",)
    assert json.loads(poisoned.headers["HX-Trigger"])["toast"]["message"] == "Mira is now poisoned."

    client.post(table_url(campaign, mira.id, "rest"), data={"kind": "long"}, headers=htmx)
    after = state(mira)
    assert after.conditions == () and all(pool.current == pool.max for pool in after.pools.values())
    assert [e.body for e in logged(EventKind.REST)] == ["Mira took a long rest: everything restored."]
    assert len(logged(EventKind.CONDITION)) == 1 and len(logged(EventKind.RESTORE)) == 1


@pytest.mark.parametrize("amount", ["0", "-1", "10000", "x", ""])
def test_a_bad_amount_is_422_beside_the_field_and_changes_nothing(client, auth, gm, named_party, htmx, amount):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    for action, data, field in (
        ("damage", {"amount": amount}, f"hit-amount-{mira.id}"),
        ("heal", {"amount": amount}, f"hit-amount-{mira.id}"),
        ("restore", {"pool": "mana", "amount": amount}, f"restore-amount-{mira.id}"),
    ):
        response = client.post(table_url(campaign, mira.id, action), data=data, headers=htmx)
        assert response.status_code == 422
        body = response.get_data(as_text=True)
        assert body.lstrip().startswith('<section id="party"')
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true" aria-describedby="{field}-error"', body)
        assert f'<p class="field-error" id="{field}-error">{AMOUNT_ERROR}</p>' in body
        assert f'id="act-{mira.id}" data-keep-open open' in body
        assert json.loads(response.headers["HX-Trigger"])["toast"]["level"] == "error"
    assert state(mira).pools["health"].current == state(mira).pools["health"].max
    assert db.session.execute(sa.select(CampaignEvent)).first() is None


def test_a_control_character_in_the_amount_is_refused(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    response = client.post(table_url(campaign, mira.id, "damage"), data={"amount": "\x00"}, headers=htmx)
    assert response.status_code == 422
    assert db.session.execute(sa.select(CampaignEvent)).first() is None


def test_an_unknown_condition_or_pool_is_422(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    unknown = client.post(
        table_url(campaign, mira.id, "conditions"), data={"name": "cursed", "on": "true"}, headers=htmx
    )
    assert unknown.status_code == 422
    assert "'cursed' is not a condition" in html.unescape(unknown.get_data(as_text=True))
    down = client.post(table_url(campaign, mira.id, "conditions"), data={"name": "down", "on": "true"}, headers=htmx)
    assert down.status_code == 422 and "Down follows health" in down.get_data(as_text=True)
    switch = client.post(table_url(campaign, mira.id, "conditions"), data={"name": "prone", "on": "yes"}, headers=htmx)
    assert switch.status_code == 422
    pool = client.post(table_url(campaign, mira.id, "restore"), data={"pool": "health", "amount": "2"}, headers=htmx)
    assert pool.status_code == 422 and f'id="restore-pool-{mira.id}-error"' in pool.get_data(as_text=True)
    assert state(mira).conditions == ()


def test_a_rest_while_down_is_refused_beside_the_rests(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    mira.health_lost = 9999
    db.session.commit()
    auth.login(gm)
    response = client.post(table_url(campaign, mira.id, "rest"), data={"kind": "short"}, headers=htmx)
    assert response.status_code == 422
    assert "Mira is down; heal them before resting." in response.get_data(as_text=True)


def test_a_player_cannot_act_on_another_member_but_may_on_their_own(client, auth, named_party, htmx):
    campaign, (mira, tobin, _) = named_party
    auth.login(player_of(mira))
    for action, data in (
        ("damage", {"amount": "2"}),
        ("heal", {"amount": "2"}),
        ("restore", {"pool": "mana", "amount": "1"}),
        ("rest", {"kind": "short"}),
        ("conditions", {"name": "prone", "on": "true"}),
    ):
        assert client.post(table_url(campaign, tobin.id, action), data=data, headers=htmx).status_code == 403
    assert client.post(table_url(campaign, mira.id, "damage"), data={"amount": "2"}, headers=htmx).status_code == 200
    assert state(tobin).pools["health"].current == state(tobin).pools["health"].max
    assert [e.character_id for e in logged(EventKind.DAMAGE)] == [mira.id]


def test_a_character_outside_this_campaign_is_not_found(client, auth, gm, named_party, make, htmx):
    campaign, _ = named_party
    elsewhere, (stranger,) = make.party(1, gm=gm)
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    auth.login(gm)
    for character in (stranger, waiting):
        response = client.post(table_url(campaign, character.id, "damage"), data={"amount": "1"}, headers=htmx)
        assert response.status_code == 404
    assert client.post(f"/campaigns/{campaign.id}/table/not-an-id/damage", data={"amount": "1"}).status_code == 404


def test_without_htmx_an_action_redirects_and_a_refusal_shows_the_whole_page(client, auth, gm, named_party):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    done = client.post(table_url(campaign, mira.id, "damage"), data={"amount": "1"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/campaigns/{campaign.id}/table")
    refused = client.post(table_url(campaign, mira.id, "damage"), data={"amount": "0"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "<html" in page and AMOUNT_ERROR in page and "Mira took 1 damage" in page


def test_a_hidden_gm_roll_is_in_the_gms_log_and_not_in_a_players(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    rolled = client.post(
        table_url(campaign, "rolls"), data={"expression": "2d6+3", "label": "Ambush", "visibility": "gm"}, headers=htmx
    )
    assert rolled.status_code == 200
    body = rolled.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="gm-roll"') and "roll-total" in body
    assert json.loads(rolled.headers["HX-Trigger"])["toast"]["message"].startswith("Hidden roll Ambush: ")
    client.post(table_url(campaign, "rolls"), data={"expression": "1d20", "label": "Weather", "visibility": "public"})
    gm_page = client.get(table_url(campaign)).get_data(as_text=True)
    assert "rolled Ambush" in gm_page and "Hidden</span>" in gm_page and "rolled Weather" in gm_page
    assert gm_page.count('class="roll-detail"') == 2
    auth.logout()
    auth.login(player_of(mira))
    player_page = client.get(table_url(campaign)).get_data(as_text=True)
    assert "rolled Weather" in player_page and "Ambush" not in player_page
    dashboard = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "rolled Weather" in dashboard and "Ambush" not in dashboard


def test_a_bad_roll_is_422_beside_the_dice_and_only_the_gm_rolls(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    auth.login(gm)
    refused = client.post(
        table_url(campaign, "rolls"), data={"expression": "2d6+", "visibility": "public"}, headers=htmx
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert 'id="expression-error"' in body and 'aria-invalid="true"' in body
    empty = client.post(table_url(campaign, "rolls"), data={"expression": "", "visibility": "gm"}, headers=htmx)
    assert empty.status_code == 422
    assert logged(EventKind.ROLL) == []
    auth.logout()
    auth.login(player_of(mira))
    assert client.post(table_url(campaign, "rolls"), data={"expression": "1d20"}, headers=htmx).status_code == 403


def test_a_log_entry_renders_alone_as_the_stream_sends_it(app, gm, named_party):
    campaign, (mira, *_) = named_party
    table.damage(gm, mira.id, table.Hit(amount=2))
    from webapp.services import dice_rolls

    dice_rolls.table_roll(gm, campaign.id, dice_rolls.TableRoll(expression="4d6kh3", visibility="gm"))
    damage, roll = (campaign_events.load_event(logged(kind)[0].id) for kind in (EventKind.DAMAGE, EventKind.ROLL))
    with app.test_request_context("/"):
        hit = render_template("campaigns/_event.html", event=damage).strip()
        hidden = render_template("campaigns/_event.html", event=roll).strip()
    assert hit.startswith(f'<li class="event event-damage" id="event-{damage.id}">') and hit.endswith("</li>")
    assert "Mira took 2 damage" in hit and "badge-audience" not in hit
    assert '<span class="badge badge-audience">Hidden</span>' in hidden
    assert hidden.count('class="die is-kept"') == 3 and hidden.count('class="die is-dropped"') == 1


@pytest.mark.parametrize("viewer", ["gm", "member"])
def test_the_table_costs_the_same_queries_whatever_the_party_size(client, auth, make, queries, viewer):
    counts = []
    for size in (2, 5):
        gm = make.user()
        campaign, characters = make.party(size, gm=gm)
        for character in characters:
            make.give(character, make.item(), 2)
            make.equip(character, make.item(slot="HEAD"), "head")
            table.damage(gm, character.id, table.Hit(amount=1))
        make.membership(campaign, make.character(), status="PENDING")
        auth.login(gm if viewer == "gm" else player_of(characters[0]))
        with queries:
            response = client.get(table_url(campaign))
        assert response.status_code == 200
        counts.append(queries.count)
        with queries:
            client.get(table_url(campaign, "party"), headers={"HX-Request": "true"})
        counts.append(queries.count)
        auth.logout()
    assert counts[0] == counts[2] and counts[1] == counts[3]


def test_the_dashboard_opens_the_table_and_its_roster_shows_current_health(client, auth, gm, named_party, make, htmx):
    campaign, (mira, *_) = named_party
    full = state(mira).pools["health"].max
    waiting = make.character()
    make.membership(campaign, waiting, status="PENDING")
    auth.login(gm)
    first = client.get(f"/campaigns/{campaign.id}/roster", headers=htmx)
    client.post(table_url(campaign, mira.id, "damage"), data={"amount": "4"}, headers=htmx)
    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/campaigns/{campaign.id}/table">Open the table</a>' in page
    assert f'sse-connect="/campaigns/{campaign.id}/stream' in page and "every 10s" not in page
    # a screen reader hears each entry the stream adds to the log, as on the table page
    assert re.search(r'id="campaign-log-list"[^>]*aria-live="polite" aria-relevant="additions"', page)
    assert f"<strong>{full - 4}</strong> / {full}" in page and "Mira took 4 damage" in page
    changed = client.get(f"/campaigns/{campaign.id}/roster", headers={**htmx, "If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200  # a hit changes the roster's version
    assert "Open the table" in client.get("/campaigns").get_data(as_text=True)
    auth.logout()
    auth.login(player_of(waiting))
    assert "Open the table" not in client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Open the table" not in client.get("/campaigns").get_data(as_text=True)


def test_older_entries_come_a_page_at_a_time(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    for _ in range(campaign_events.PAGE_SIZE + 2):
        table.damage(gm, mira.id, table.Hit(amount=1))
    auth.login(gm)
    page = client.get(table_url(campaign)).get_data(as_text=True)
    assert page.count('class="event event-damage"') == campaign_events.PAGE_SIZE
    older = re.search(r'hx-get="([^"]*/table/log\?before=[^"]+)"', page).group(1)
    more = client.get(html.unescape(older), headers=htmx)
    body = more.get_data(as_text=True)
    assert body.lstrip().startswith('<li class="event event-damage"') and body.count('class="event event-damage"') == 2
    assert "Older entries" not in body


def test_an_archived_campaigns_table_shows_its_log_and_takes_no_action(client, auth, gm, named_party, htmx):
    campaign, (mira, *_) = named_party
    table.damage(gm, mira.id, table.Hit(amount=1))
    auth.login(gm)
    client.post(f"/campaigns/{campaign.id}/archive")
    page = client.get(table_url(campaign)).get_data(as_text=True)
    assert "Archived" in page and "Mira took 1 damage" in page and "GM roll" not in page and "Act on" not in page
    assert client.post(table_url(campaign, "rolls"), data={"expression": "1d20"}, headers=htmx).status_code == 409
