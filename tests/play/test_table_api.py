"""Play over the API: pools, conditions, rests and dice, who may do what, and who sees which roll."""

import pytest

from webapp import rules
from webapp.extensions import db
from webapp.models import CampaignEvent, Visibility


def bearer(make, user) -> dict:
    return {"Authorization": f"Bearer {make.access_token(user)}"}


@pytest.fixture
def table(make):
    """A campaign run by a GM with two members: Mira (level 3: 36 health, 30 mana, 24 stamina) and another player's
    character."""
    gm = make.user()
    campaign = make.campaign(owner=gm)
    sturdy = make.archetype(health_per_level=12, mana_per_level=10, stamina_per_level=8)
    mira = make.character(
        name="Mira", archetype=sturdy, visibility=Visibility.PRIVATE, experience=rules.xp_for_level(3), level=3
    )
    other = make.character(name="Tobin")
    make.membership(campaign, mira)
    make.membership(campaign, other)
    return {"gm": gm, "campaign": campaign, "mira": mira, "other": other}


def url(character, path: str) -> str:
    return f"/api/v1/characters/{character.id}/{path}"


def owner_of(make, character):
    from webapp.models import User

    return bearer(make, db.session.get(User, character.owner_id))


def test_a_new_character_starts_full_with_no_condition(client, make, table):
    answer = client.get(url(table["mira"], "state"), headers=owner_of(make, table["mira"]))
    assert answer.status_code == 200
    assert answer.get_json() == {
        "health": {"current": 36, "max": 36},
        "mana": {"current": 30, "max": 30},
        "stamina": {"current": 24, "max": 24},
        "conditions": [],
        "down": False,
    }


def test_damage_and_healing_move_current_health_and_write_the_log(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    hurt = client.post(url(mira, "damage"), json={"amount": 12, "note": "A goblin's arrow."}, headers=headers)
    assert hurt.status_code == 200
    assert hurt.get_json()["health"] == {"current": 24, "max": 36}
    healed = client.post(url(mira, "heal"), json={"amount": 50}, headers=headers)
    assert healed.get_json()["health"] == {"current": 36, "max": 36}
    bodies = [
        e.body for e in db.session.query(CampaignEvent).filter_by(character_id=mira.id).order_by(CampaignEvent.id)
    ]
    assert bodies == ["Mira took 12 damage (24/36). A goblin's arrow.", "Mira was healed by 50 (36/36)."]


def test_at_zero_health_the_character_is_down_and_its_defense_shows_it(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    down = client.post(url(mira, "damage"), json={"amount": 9999}, headers=headers).get_json()
    assert down["health"]["current"] == 0 and down["down"] is True
    sheet = client.get(url(mira, "sheet"), headers=headers).get_json()
    assert sheet["down"] is True
    assert {"source": "Down", "amount": -4} in sheet["defense"]["breakdown"]
    refused = client.post(url(mira, "rolls"), json={"kind": "attack"}, headers=headers)
    assert refused.status_code == 422
    assert "down" in refused.get_json()["errors"][0]["message"]
    rest = client.post(url(mira, "rest"), json={"kind": "long"}, headers=headers)
    assert rest.status_code == 422
    up = client.post(url(mira, "heal"), json={"amount": 1}, headers=headers).get_json()
    assert up["down"] is False and up["health"]["current"] == 1


def test_spending_more_than_there_is_is_refused_beside_the_amount(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    assert client.post(url(mira, "spend"), json={"pool": "mana", "amount": 26}, headers=headers).status_code == 200
    refused = client.post(url(mira, "spend"), json={"pool": "mana", "amount": 6}, headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [{"field": "amount", "message": "Needs 6 mana; Mira has 4."}]
    restored = client.post(url(mira, "restore"), json={"pool": "mana", "amount": 3}, headers=headers)
    assert restored.get_json()["mana"] == {"current": 7, "max": 30}


@pytest.mark.parametrize(
    "path, body",
    [
        ("damage", {"amount": 0}),
        ("damage", {"amount": 10000}),
        ("damage", {"amount": -3}),
        ("damage", {"amount": 2.5}),
        ("damage", {"amount": True}),
        ("damage", {"amount": 10**40}),
        ("heal", {"amount": 1, "note": "bad\x00note"}),
        ("spend", {"pool": "health", "amount": 1}),
        ("restore", {"pool": "gold", "amount": 1}),
        ("rest", {"kind": "nap"}),
        ("rolls", {"kind": "free", "expression": "1d20+"}),
        ("rolls", {"kind": "free", "expression": "2d6\x00"}),
        ("rolls", {"kind": "free", "expression": "101d6"}),
        ("rolls", {"kind": "check"}),
        ("rolls", {"kind": "skill", "attribute": "wisdom"}),
        ("rolls", {"kind": "dance"}),
        ("rolls", {"kind": "free", "expression": "1d6", "visibility": "everyone"}),
    ],
)
def test_bad_input_is_a_422_that_names_the_field(client, make, table, path, body):
    answer = client.post(url(table["mira"], path), json=body, headers=owner_of(make, table["mira"]))
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["errors"][0]["field"]


def test_a_parse_error_says_the_column(client, make, table):
    answer = client.post(
        url(table["mira"], "rolls"),
        json={"kind": "free", "expression": "1d20 + x"},
        headers=owner_of(make, table["mira"]),
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["message"].startswith("Column 8:")


def test_conditions_are_set_and_cleared_by_name_and_a_long_rest_ends_them(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    set_ = client.put(url(mira, "conditions"), json={"poisoned": True, "prone": True}, headers=headers)
    assert set_.status_code == 200
    assert set_.get_json()["conditions"] == ["poisoned", "prone"]
    sheet = client.get(url(mira, "sheet"), headers=headers).get_json()
    assert {"source": "Prone", "amount": -2} in sheet["defense"]["breakdown"]
    cleared = client.put(url(mira, "conditions"), json={"prone": False}, headers=headers)
    assert cleared.get_json()["conditions"] == ["poisoned"]
    client.post(url(mira, "damage"), json={"amount": 5}, headers=headers)
    rested = client.post(url(mira, "rest"), json={"kind": "long"}, headers=headers).get_json()
    assert rested["conditions"] == [] and rested["health"]["current"] == 36


@pytest.mark.parametrize("body", [{}, {"down": True}, {"sleepy": True}, {"poisoned": "yes"}, {"poisoned": None}])
def test_conditions_refuse_what_is_not_a_condition(client, make, table, body):
    answer = client.put(url(table["mira"], "conditions"), json=body, headers=owner_of(make, table["mira"]))
    assert answer.status_code == 422


def test_the_gm_tends_a_member_but_neither_spends_nor_rolls_for_them(client, make, table):
    mira, gm = table["mira"], bearer(make, table["gm"])
    assert client.post(url(mira, "damage"), json={"amount": 3}, headers=gm).status_code == 200
    assert client.post(url(mira, "heal"), json={"amount": 1}, headers=gm).status_code == 200
    assert client.put(url(mira, "conditions"), json={"blessed": True}, headers=gm).status_code == 200
    assert client.post(url(mira, "rest"), json={"kind": "short"}, headers=gm).status_code == 200
    assert client.post(url(mira, "restore"), json={"pool": "mana", "amount": 1}, headers=gm).status_code == 200
    assert client.post(url(mira, "spend"), json={"pool": "mana", "amount": 1}, headers=gm).status_code == 403
    assert client.post(url(mira, "rolls"), json={"kind": "initiative"}, headers=gm).status_code == 403


def test_another_player_may_not_touch_a_character(client, make, table):
    other = owner_of(make, table["other"])
    # Mira is PRIVATE: another member of the party cannot even see her state.
    assert client.get(url(table["mira"], "state"), headers=other).status_code == 404
    assert client.post(url(table["mira"], "damage"), json={"amount": 3}, headers=other).status_code == 404
    stranger = bearer(make, make.user())
    # Tobin is PUBLIC: a stranger reads his state but changes nothing.
    assert client.get(url(table["other"], "state"), headers=stranger).status_code == 200
    assert client.post(url(table["other"], "damage"), json={"amount": 3}, headers=stranger).status_code == 403
    assert client.post(url(table["other"], "rolls"), json={"kind": "initiative"}, headers=stranger).status_code == 403


def test_a_state_change_honours_if_match(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    tag = client.get(url(mira, "state"), headers=headers).headers["ETag"]
    client.post(url(mira, "damage"), json={"amount": 1}, headers=headers)
    stale = client.post(url(mira, "damage"), json={"amount": 1}, headers={**headers, "If-Match": tag})
    assert stale.status_code == 412
    fresh = client.get(url(mira, "state"), headers=headers).headers["ETag"]
    assert (
        client.post(url(mira, "damage"), json={"amount": 1}, headers={**headers, "If-Match": fresh}).status_code == 200
    )


def kept_sum(roll: dict) -> int:
    dice = sum(group["sign"] * sum(d["value"] for d in group["dice"] if d["kept"]) for group in roll["dice"])
    return dice + sum(part["amount"] for part in roll["constants"])


def test_a_roll_lists_every_die_and_constant_and_adds_up(client, make, table):
    mira, headers = table["mira"], owner_of(make, table["mira"])
    client.put(url(mira, "conditions"), json={"poisoned": True}, headers=headers)
    check = client.post(url(mira, "rolls"), json={"kind": "check", "attribute": "dexterity"}, headers=headers)
    assert check.status_code == 201
    roll = check.get_json()
    assert roll["label"] == "Dexterity check" and roll["visibility"] == "private"
    assert [part["source"] for part in roll["constants"]] == ["DEX modifier", "Poisoned"]
    assert roll["total"] == kept_sum(roll)
    free = client.post(
        url(mira, "rolls"), json={"kind": "free", "expression": "4d6kh3 + 2", "label": "Fireball"}, headers=headers
    ).get_json()
    assert free["label"] == "Fireball" and len(free["dice"][0]["dice"]) == 4
    assert sum(d["kept"] for d in free["dice"][0]["dice"]) == 3
    assert free["total"] == kept_sum(free)
    attack = client.post(url(mira, "rolls"), json={"kind": "attack", "visibility": "public"}, headers=headers)
    assert attack.get_json()["damage"] is not None
    history = client.get(url(mira, "rolls"), headers=headers).get_json()["data"]
    assert [r["kind"] for r in history] == ["attack", "free", "check"]


def test_a_roll_outside_a_campaign_is_private(client, make):
    loner = make.character(name="Loner")
    headers = owner_of(make, loner)
    answer = client.post(url(loner, "rolls"), json={"kind": "initiative", "visibility": "public"}, headers=headers)
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["field"] == "visibility"
    assert client.post(url(loner, "rolls"), json={"kind": "initiative"}, headers=headers).status_code == 201


def test_who_sees_which_roll(client, make, table):
    mira, campaign = table["mira"], table["campaign"]
    mine, gm, other = owner_of(make, mira), bearer(make, table["gm"]), owner_of(make, table["other"])
    for visibility in ("public", "gm", "private"):
        body = {"kind": "free", "expression": "1d6", "label": visibility, "visibility": visibility}
        assert client.post(url(mira, "rolls"), json=body, headers=mine).status_code == 201
    hidden = {"expression": "1d20", "label": "ambush", "visibility": "gm"}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/rolls", json=hidden, headers=gm).status_code == 201
    shown = {"expression": "1d4", "label": "weather"}
    assert client.post(f"/api/v1/campaigns/{campaign.id}/rolls", json=shown, headers=gm).status_code == 201
    assert client.post(f"/api/v1/campaigns/{campaign.id}/rolls", json=shown, headers=mine).status_code == 403

    def labels(headers) -> set[str]:
        events = client.get(f"/api/v1/campaigns/{campaign.id}/events?kind=ROLL", headers=headers).get_json()["data"]
        return {event["data"]["label"] for event in events}

    assert labels(mine) == {"public", "gm", "private", "weather"}
    assert labels(gm) == {"public", "gm", "ambush", "weather"}
    assert labels(other) == {"public", "weather"}
    gm_history = client.get(url(mira, "rolls"), headers=gm).get_json()["data"]
    assert {r["label"] for r in gm_history} == {"public", "gm"}


def test_a_moderator_who_may_edit_a_public_character_neither_spends_nor_rolls_for_it(client, make, table):
    from webapp.models import Role

    moderator = bearer(make, make.user(role=Role.MODERATOR))
    tobin = table["other"]  # PUBLIC: a moderator may edit it, but the moves at the table are its owner's
    assert client.post(url(tobin, "spend"), json={"pool": "mana", "amount": 1}, headers=moderator).status_code == 403
    assert client.post(url(tobin, "rolls"), json={"kind": "initiative"}, headers=moderator).status_code == 403


def test_tending_without_a_query_agrees_with_the_access_matrix(make, table):
    from webapp.models import Role, User
    from webapp.services import access
    from webapp.services.access import Action

    mira, gm = table["mira"], table["gm"]
    owner, admin, stranger = db.session.get(User, mira.owner_id), make.user(role=Role.ADMIN), make.user()
    for actor in (owner, admin, gm, stranger, None):
        assert access.tends(actor, mira, gm.id) == access.can(actor, Action.TEND, mira)
    assert [access.tends(actor, mira, gm.id) for actor in (owner, admin, gm, stranger, None)] == [
        True, True, True, False, False]  # fmt: skip
    assert access.tends(gm, mira, None) is False  # out of a campaign, no GM tends it
