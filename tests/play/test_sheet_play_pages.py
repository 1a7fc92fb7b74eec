"""Play from the sheet page: pools as bars, damage and healing, mana and stamina, rests, conditions and dice, each
as a whole page and as an htmx fragment, refusals beside their field, and who may do what."""

import html
import json
import re

import pytest

from webapp import rules
from webapp.extensions import db
from webapp.models import CampaignEvent, Character, Roll, Visibility


@pytest.fixture
def player(make):
    return make.user(display_name="Mira's player")


@pytest.fixture
def table(make, player):
    """A campaign run by a GM with Mira (level 3: 36 health, 30 mana, 24 stamina; PRIVATE) and Tobin (PUBLIC)."""
    gm = make.user(display_name="Greta the GM")
    campaign = make.campaign(owner=gm, name="The Sunken Stair")
    sturdy = make.archetype(health_per_level=12, mana_per_level=10, stamina_per_level=8)
    mira = make.character(
        owner=player,
        name="Mira",
        archetype=sturdy,
        visibility=Visibility.PRIVATE,
        experience=rules.xp_for_level(3),
        level=3,
    )
    tobin = make.character(name="Tobin", visibility=Visibility.PUBLIC)
    make.membership(campaign, mira)
    make.membership(campaign, tobin)
    return {"gm": gm, "campaign": campaign, "mira": mira, "tobin": tobin}


@pytest.fixture
def mira(table):
    return table["mira"]


@pytest.fixture
def owner(auth, player):
    auth.login(player)
    return player


def at(character, rest: str = "") -> str:
    return f"/characters/{character.id}" + (f"/{rest}" if rest else "")


def pool(page: str, name: str) -> str:
    match = re.search(rf'data-pool="{name}">([^<]+)<', page)
    assert match, name
    return match.group(1)


def toast_of(response) -> str:
    return json.loads(response.headers["HX-Trigger"])["toast"]["message"]


def error_beside(page: str, field_id: str) -> str:
    """The message shown under the field (or group) with this id, unescaped."""
    match = re.search(rf'<p class="field-error" id="{field_id}-error"[^>]*>([^<]*)</p>', page)
    assert match, f"no error beside #{field_id}"
    return html.unescape(match.group(1))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def fresh(character) -> Character:
    db.session.expire_all()
    return db.session.get(Character, character.id)


# The sheet shows the table


def test_the_sheet_shows_health_mana_and_stamina_as_bars_with_their_numbers(client, owner, mira):
    page = text_of(client.get(at(mira)))
    assert pool(page, "health") == "36 / 36" and pool(page, "mana") == "30 / 30" and pool(page, "stamina") == "24 / 24"
    assert '<meter id="pool-health" min="0" max="36" value="36" low="9" high="18" optimum="36">' in page
    assert '<label class="pool-name" for="pool-mana">Mana</label>' in page
    assert page.index('id="play"') < page.index('id="identity"')  # right after the header
    assert "No conditions." in page and 'class="badge badge-down"' not in page
    assert 'style="' not in page  # the CSP forbids inline styles: bars are <meter>s


def test_the_owner_gets_every_control_with_a_label(client, owner, mira):
    page = text_of(client.get(at(mira)))
    for label in ('for="hit-amount">Amount', 'for="hit-note">Note', 'for="pool-name">Mana or stamina',
                  'for="pool-amount">Points', 'for="roll-expression">Dice', 'for="roll-label">Label'):  # fmt: skip
        assert label in page
    for button in ("damage-button", "heal-button", "spend-button", "restore-button", "short-rest-button",
                   "long-rest-button", "roll-attack", "roll-initiative", "roll-check", "roll-free"):  # fmt: skip
        assert f'id="{button}"' in page
    toggles = re.findall(r'id="toggle-(\w+)" class="toggle small" aria-pressed="false"', page)
    assert toggles == list(rules.conditions.SETTABLE)
    assert 'hx-confirm="Take a long rest? Mira gets every pool back and every condition ends."' in page
    assert "Short rest: stamina to full and" in page
    # In a campaign the roll may be shown to everyone, to the GM or kept private; everyone by default.
    assert 'id="roll-visibility-public" name="visibility" value="public" checked' in page
    assert 'value="gm"' in page and 'value="private"' in page
    assert f'hx-get="/characters/{mira.id}/rolls" hx-trigger="revealed"' in page


def test_outside_a_campaign_rolls_are_private_without_a_choice(client, auth, make):
    loner_player = make.user()
    loner = make.character(owner=loner_player, name="Loner")
    auth.login(loner_player)
    page = text_of(client.get(at(loner)))
    assert '<input type="hidden" name="visibility" value="private">' in page
    assert "Only you see these rolls: Loner is in no campaign." in page
    assert 'value="public"' not in page


def test_the_sheet_reads_no_roll_and_no_more_queries_than_before(client, owner, mira, queries):
    """The roll history comes in its own request once the dice block is in view."""
    url = at(mira)
    client.get(url)
    with queries:
        assert client.get(url).status_code == 200
    assert not [s for s in queries.statements if "rolls" in s.lower()], queries.statements
    assert queries.count <= 6, queries.statements


# Pools: damage, heal, spend, restore


def test_damage_as_htmx_swaps_the_play_block_and_the_stats_with_a_toast(client, owner, mira, htmx):
    response = client.post(at(mira, "damage"), data={"amount": "12", "note": "A goblin's arrow."}, headers=htmx)
    assert response.status_code == 200
    body = text_of(response)
    assert body.lstrip().startswith('<section id="play"') and "<html" not in body
    assert pool(body, "health") == "24 / 36"
    assert '<section id="stats" class="card" aria-labelledby="stats-heading" hx-swap-oob="true">' in body
    assert response.headers["HX-Retarget"] == "#play" and response.headers["HX-Reswap"] == "outerHTML"
    assert "HX-Request" in response.headers["Vary"]
    assert toast_of(response) == "Mira took 12 damage: 24 / 36 health."
    events = db.session.query(CampaignEvent).filter_by(character_id=mira.id).all()
    assert [e.body for e in events] == ["Mira took 12 damage (24/36). A goblin's arrow."]


def test_damage_without_htmx_redirects_to_the_sheet_which_shows_it(client, owner, mira):
    response = client.post(at(mira, "damage"), data={"amount": "12"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/characters/{mira.id}#play")
    page = text_of(client.get(response.headers["Location"]))
    assert pool(page, "health") == "24 / 36"
    assert "Mira took 12 damage: 24 / 36 health." in page


def test_falling_to_zero_shows_down_and_the_defense_it_costs(client, owner, mira, htmx):
    response = client.post(at(mira, "damage"), data={"amount": "9999"}, headers=htmx)
    body = text_of(response)
    assert toast_of(response) == "Mira took 9999 damage and is down."
    assert '<span class="badge badge-down">Down</span>' in body
    assert "Mira is down.</strong> No attack rolls, no checks; defense −4. Healing brings them back." in body
    assert "<li>Down: -4</li>" in body  # the defense breakdown, swapped out of band
    healed = client.post(at(mira, "heal"), data={"amount": "5"}, headers=htmx)
    assert toast_of(healed) == "Mira was healed by 5: 5 / 36 health."
    assert "badge-down" not in text_of(healed)


@pytest.mark.parametrize(
    "path, data, message, pool_name, shown",
    [
        ("heal", {"amount": "3"}, "Mira was healed by 3: 33 / 36 health.", "health", "33 / 36"),
        ("spend", {"pool": "mana", "amount": "6"}, "Mira spent 6 mana: 24 / 30 mana.", "mana", "24 / 30"),
        ("spend", {"pool": "stamina", "amount": "4"}, "Mira spent 4 stamina: 20 / 24 stamina.", "stamina", "20 / 24"),
        ("restore", {"pool": "mana", "amount": "2"}, "Mira regained 2 mana: 30 / 30 mana.", "mana", "30 / 30"),
        ("rest", {"kind": "short"}, "Mira took a short rest: stamina restored, 33 / 36 health.", "stamina", "24 / 24"),
        ("rest", {"kind": "long"}, "Mira took a long rest: everything is restored.", "health", "36 / 36"),
    ],
)
def test_each_change_answers_htmx_with_the_block_and_a_browser_with_a_redirect(
    client, owner, mira, htmx, path, data, message, pool_name, shown
):
    client.post(at(mira, "damage"), data={"amount": "6"}, headers=htmx)
    if path != "spend":
        client.post(at(mira, "spend"), data={"pool": "mana", "amount": "2"}, headers=htmx)
    fragment = client.post(at(mira, path), data=data, headers=htmx)
    assert fragment.status_code == 200, text_of(fragment)
    assert toast_of(fragment) == message
    if path != "heal":
        assert pool(text_of(fragment), pool_name) == shown
    page = client.post(at(mira, path), data=data)
    assert page.status_code == 303
    assert page.headers["Location"].endswith("#play")


def test_spending_more_than_there_is_is_refused_beside_the_amount(client, owner, mira, htmx):
    response = client.post(at(mira, "spend"), data={"pool": "mana", "amount": "31"}, headers=htmx)
    assert response.status_code == 422
    body = text_of(response)
    assert body.lstrip().startswith('<section id="play"')
    assert error_beside(body, "pool-amount") == "Needs 31 mana; Mira has 30."
    assert 'id="pool-amount" name="amount" type="number" inputmode="numeric" min="1" max="9999" required\n' in body
    assert 'value="31" aria-invalid="true" aria-describedby="pool-amount-error"' in body
    assert '<option value="mana" selected>' in body
    assert pool(body, "mana") == "30 / 30"


# Refusals beside their field


@pytest.mark.parametrize("typed", ["0", "-5", "10000", "abc", "", "1.5", "١٢", "1_000", "9" * 50, "１２"])
@pytest.mark.parametrize("path", ["damage", "heal"])
def test_an_amount_out_of_range_or_not_a_number_is_refused_beside_the_field(client, owner, mira, htmx, path, typed):
    fragment = client.post(at(mira, path), data={"amount": typed}, headers=htmx)
    assert fragment.status_code == 422
    body = text_of(fragment)
    assert body.lstrip().startswith('<section id="play"') and "<html" not in body
    assert error_beside(body, "hit-amount") == "Use a whole number from 1 to 9,999."
    assert 'aria-invalid="true" aria-describedby="hit-amount-error"' in body
    page = client.post(at(mira, path), data={"amount": typed})
    assert page.status_code == 422
    assert "<html" in text_of(page) and error_beside(text_of(page), "hit-amount")
    assert fresh(mira).health_lost == 0


@pytest.mark.parametrize("typed", ["0", "-5", "10000", "abc"])
def test_a_pool_amount_out_of_range_is_refused_beside_it(client, owner, mira, htmx, typed):
    response = client.post(at(mira, "restore"), data={"pool": "stamina", "amount": typed}, headers=htmx)
    assert response.status_code == 422
    assert error_beside(text_of(response), "pool-amount") == "Use a whole number from 1 to 9,999."


def test_a_pool_that_is_neither_mana_nor_stamina_is_refused_beside_the_choice(client, owner, mira, htmx):
    response = client.post(at(mira, "restore"), data={"pool": "health", "amount": "3"}, headers=htmx)
    assert response.status_code == 422
    assert error_beside(text_of(response), "pool-name") == "Choose mana or stamina."


def test_a_note_too_long_is_refused_beside_it_keeping_what_was_typed(client, owner, mira, htmx):
    response = client.post(at(mira, "damage"), data={"amount": "3", "note": "x" * 201}, headers=htmx)
    assert response.status_code == 422
    body = text_of(response)
    assert error_beside(body, "hit-note") == "Use at most 200 characters"
    assert 'aria-invalid="true"' in body and 'value="3"' in body


@pytest.mark.parametrize(
    "path, data, field",
    [
        ("damage", {"amount": "\x00"}, "Amount"),
        ("heal", {"amount": "3", "note": "bad\x00note"}, "Note"),
        ("restore", {"pool": "mana", "amount": "1\x00"}, "Amount"),
        ("conditions", {"name": "\x00", "on": "true"}, "Name"),
        ("rolls", {"kind": "free", "expression": "2d6\x00"}, "Expression"),
        ("rolls", {"kind": "free", "expression": "1d6", "label": "bad\x00label"}, "Label"),
    ],
)
def test_a_control_character_is_refused_before_anything_changes(client, owner, mira, htmx, path, data, field):
    """The app refuses a control character in any form field before a view reads it (webapp/input_guard.py): a 422
    that names the field, in the error toast."""
    response = client.post(at(mira, path), data=data, headers=htmx)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#toasts"
    body = html.unescape(text_of(response))
    assert f"<strong>{field}:</strong> Remove the invisible control character U+0000" in body
    assert client.post(at(mira, path), data=data).status_code == 422
    row = fresh(mira)
    assert (row.health_lost, row.mana_spent, row.conditions) == (0, 0, [])
    assert db.session.query(Roll).count() == 0


def test_odd_unicode_in_a_note_reaches_the_log_as_written(client, owner, mira, htmx):
    note = "Ωmega's 🐉 breath — ‮desrever‬ 👩‍👩‍👧 <b>hot</b>"
    response = client.post(at(mira, "damage"), data={"amount": "3", "note": note}, headers=htmx)
    assert response.status_code == 200
    event = db.session.query(CampaignEvent).filter_by(character_id=mira.id).one()
    assert event.body.endswith(note)


def test_a_rest_that_is_not_short_or_long_and_a_rest_while_down_are_refused(client, owner, mira, htmx):
    nap = client.post(at(mira, "rest"), data={"kind": "nap"}, headers=htmx)
    assert nap.status_code == 422
    assert error_beside(text_of(nap), "rest") == "Choose a short or a long rest."
    client.post(at(mira, "damage"), data={"amount": "9999"}, headers=htmx)
    down = client.post(at(mira, "rest"), data={"kind": "long"}, headers=htmx)
    assert down.status_code == 422
    assert error_beside(text_of(down), "rest") == "Mira is down; heal them before resting."


# Conditions


def test_a_condition_toggles_on_and_off_and_shows_as_a_chip_with_its_effect(client, owner, mira, htmx):
    on = client.post(at(mira, "conditions"), data={"name": "poisoned", "on": "true"}, headers=htmx)
    assert on.status_code == 200
    assert toast_of(on) == "Mira is now poisoned."
    body = text_of(on)
    assert 'id="toggle-poisoned" class="toggle small" aria-pressed="true"' in body
    assert '<input type="hidden" name="on" value="false">' in body  # pressing it again clears it
    assert (
        '<li class="condition-chip condition-poisoned"><strong>Poisoned</strong> '
        '<span class="condition-hint">−2 on attack rolls and checks.</span></li>'
    ) in body
    prone = client.post(at(mira, "conditions"), data={"name": "prone", "on": "true"})
    assert prone.status_code == 303
    assert "<li>Prone: -2</li>" in text_of(client.get(at(mira)))  # the defense breakdown
    off = client.post(at(mira, "conditions"), data={"name": "poisoned", "on": "false"}, headers=htmx)
    assert toast_of(off) == "Mira is no longer poisoned."
    assert fresh(mira).conditions == ["prone"]


def test_a_long_rest_ends_every_condition(client, owner, mira, htmx):
    client.post(at(mira, "conditions"), data={"name": "exhausted", "on": "true"}, headers=htmx)
    exhausted = text_of(client.get(at(mira)))
    assert pool(exhausted, "stamina") == "12 / 12"  # exhausted halves maximum stamina
    rested = text_of(client.post(at(mira, "rest"), data={"kind": "long"}, headers=htmx))
    assert "No conditions." in rested and pool(rested, "stamina") == "24 / 24"


@pytest.mark.parametrize(
    "data, error",
    [
        ({"name": "sleepy", "on": "true"}, "'sleepy' is not a condition; use poisoned, frightened, blessed, prone, "
         "stunned, invisible or exhausted."),
        ({"name": "down", "on": "true"}, "Down follows health: damage or heal instead."),
        ({"name": "poisoned", "on": "maybe"}, "Set the condition on (true) or off (false)."),
    ],
)  # fmt: skip
def test_an_unknown_condition_is_refused_beside_the_toggles(client, owner, mira, htmx, data, error):
    response = client.post(at(mira, "conditions"), data=data, headers=htmx)
    assert response.status_code == 422
    assert text_of(response).lstrip().startswith('<section id="play"')
    assert error_beside(text_of(response), "conditions") == error
    assert fresh(mira).conditions == []


# Dice


def test_an_attack_shows_every_die_every_constant_and_the_total(client, owner, mira, htmx):
    response = client.post(at(mira, "rolls"), data={"kind": "attack", "visibility": "public"}, headers=htmx)
    assert response.status_code == 200
    body = text_of(response)
    assert body.lstrip().startswith('<section id="dice"')
    row = db.session.query(Roll).filter_by(character_id=mira.id).one()
    die = row.result["dice"][0]["dice"][0]["value"]
    assert f'<b class="die is-kept">{die}</b>' in body
    assert '<span class="roll-amount">+2</span> <span class="roll-source">Proficiency</span>' in body
    assert "STR modifier" in body
    assert f"data-roll-total>{row.total}</strong>" in body
    assert f"data-roll-damage>{row.result['damage']}</strong>" in body
    assert toast_of(response).startswith(f"Attack: {row.total}, {row.result['damage']} damage")
    assert row.seen_by == "public"
    assert 'class="roll-list"' in body  # the history, the new roll on top, in the same answer


def test_a_natural_20_says_critical_and_doubles_the_damage(client, owner, mira, htmx, monkeypatch):
    monkeypatch.setattr("webapp.rules.dice.secrets.randbelow", lambda sides: sides - 1)
    response = client.post(at(mira, "rolls"), data={"kind": "attack", "visibility": "public"}, headers=htmx)
    body = text_of(response)
    assert '<b class="die is-kept">20</b>' in body
    assert "Critical — a natural 20" in body
    assert "(critical)" in toast_of(response)


def test_dropped_dice_are_struck_through_and_kept_ones_bold(client, owner, mira, htmx):
    response = client.post(
        at(mira, "rolls"), data={"kind": "free", "expression": "4d6kh3+2", "label": "Fireball 🔥"}, headers=htmx
    )
    assert response.status_code == 200
    body = text_of(response)
    assert len(re.findall(r'<b class="die is-kept">', body)) >= 3
    assert '<s class="die is-dropped">' in body and "(dropped)</span></s>" in body
    assert '<span class="roll-amount">+2</span> <span class="roll-source">Constant</span>' in body
    assert '<h3 id="roll-result-heading" class="roll-result-heading">Fireball 🔥</h3>' in body


def test_a_check_and_a_skill_check_name_what_was_rolled(client, owner, player, make, htmx):
    lore = make.skill(name="Old Lore")
    sage = make.character(owner=player, name="Sage", skills=[lore])
    check = client.post(at(sage, "rolls"), data={"kind": "check", "attribute": "wisdom"}, headers=htmx)
    assert toast_of(check).startswith("Wisdom check: ")
    page = text_of(client.get(at(sage)))
    assert f'<option value="{lore.id}">Old Lore</option>' in page
    skill = client.post(
        at(sage, "rolls"), data={"kind": "skill", "skill_id": str(lore.id), "attribute": "intelligence"}, headers=htmx
    )
    assert skill.status_code == 200
    assert toast_of(skill).startswith("Old Lore (Intelligence): ")
    assert "Proficiency" in text_of(skill)


@pytest.mark.parametrize(
    "data, field, error",
    [
        ({"kind": "free", "expression": "2d6+x"}, "roll-expression",
         "Column 5: expected a number or dice like 2d6 after “+”, found “x”."),
        ({"kind": "free", "expression": "101d6"}, "roll-expression",
         "Column 1: 101d6 rolls too many dice; use 1 to 100."),
        ({"kind": "free", "expression": ""}, "roll-expression", "Write the dice to roll, like 2d6+3."),
        ({"kind": "free", "expression": "1d6", "label": "x" * 101}, "roll-label", "Use at most 100 characters"),
        ({"kind": "check", "attribute": "luck"}, "check-attribute", "Choose an attribute."),
        ({"kind": "skill", "attribute": "wisdom", "skill_id": "nope"}, "roll-skill", "There is no such skill"),
        ({"kind": "free", "expression": "1d6", "visibility": "everyone"}, "roll-visibility",
         "Choose public, gm or private."),
    ],
)  # fmt: skip
def test_a_roll_that_cannot_be_made_is_refused_beside_its_field(
    client, owner, player, mira, make, htmx, data, field, error
):
    if field == "roll-skill":  # the skill select shows only when the sheet has a skill
        mira = make.character(owner=player, name="Sage", skills=[make.skill(name="Old Lore")])
    fragment = client.post(at(mira, "rolls"), data=data, headers=htmx)
    assert fragment.status_code == 422
    body = text_of(fragment)
    assert body.lstrip().startswith('<section id="dice"')
    assert error_beside(body, field) == error
    page = client.post(at(mira, "rolls"), data=data)
    assert page.status_code == 422 and "<html" in text_of(page)
    assert error_beside(text_of(page), field) == error
    assert db.session.query(Roll).count() == 0


def test_what_was_typed_stays_in_a_refused_free_roll(client, owner, mira, htmx):
    body = text_of(
        client.post(at(mira, "rolls"), data={"kind": "free", "expression": "2d6+x", "label": "Ωmega"}, headers=htmx)
    )
    assert 'value="2d6+x" aria-describedby="roll-expression-hint roll-expression-error" aria-invalid="true"' in body
    assert 'value="Ωmega"' in body


def test_a_roll_the_conditions_forbid_is_refused_beside_the_buttons(client, owner, mira, htmx):
    client.post(at(mira, "conditions"), data={"name": "stunned", "on": "true"}, headers=htmx)
    response = client.post(at(mira, "rolls"), data={"kind": "attack", "visibility": "public"}, headers=htmx)
    assert response.status_code == 422
    assert error_beside(text_of(response), "roll-kind") == "Mira is stunned: no attack rolls."


def test_a_private_roll_outside_a_campaign_only_and_a_roll_without_htmx_redirects(client, auth, make):
    loner_player = make.user()
    loner = make.character(owner=loner_player, name="Loner")
    auth.login(loner_player)
    refused = client.post(at(loner, "rolls"), data={"kind": "initiative", "visibility": "public"})
    assert refused.status_code == 422
    assert error_beside(text_of(refused), "roll-visibility") == "Loner is in no campaign: their rolls are private."
    rolled = client.post(at(loner, "rolls"), data={"kind": "initiative", "visibility": "private"})
    assert rolled.status_code == 303
    assert "Initiative: " in text_of(client.get(rolled.headers["Location"]))


# The roll history


def test_the_history_is_a_page_of_its_own_and_a_fragment_newest_first(client, owner, mira, htmx):
    for label in ("first", "second"):
        client.post(at(mira, "rolls"), data={"kind": "free", "expression": "1d4", "label": label}, headers=htmx)
    page = client.get(at(mira, "rolls"))
    assert page.status_code == 200
    body = text_of(page)
    assert "<html" in body and "<title>Mira's rolls · Tavern</title>" in body
    assert body.index(">second<") < body.index(">first<")
    fragment = client.get(at(mira, "rolls"), headers=htmx)
    assert fragment.status_code == 200 and "<html" not in text_of(fragment)
    assert 'class="roll-list"' in text_of(fragment) and "HX-Request" in fragment.headers["Vary"]


def test_older_rolls_come_a_page_at_a_time(client, owner, mira, htmx):
    for n in range(23):
        client.post(at(mira, "rolls"), data={"kind": "free", "expression": "1d4", "label": f"roll {n}"}, headers=htmx)
    first = text_of(client.get(at(mira, "rolls"), headers=htmx))
    assert first.count('class="roll-entry"') == 20 and ">roll 22<" in first and ">roll 2<" not in first
    older = html.unescape(re.search(r'hx-get="([^"]+before=[^"]+)"', first).group(1))
    rest = text_of(client.get(older, headers=htmx))
    assert rest.count('class="roll-entry"') == 3 and ">roll 0<" in rest
    assert "Older rolls" not in rest and "No rolls to show yet." not in rest
    assert client.get(at(mira, "rolls?before=not-a-cursor"), headers=htmx).status_code == 400


def test_the_gm_sees_the_rolls_shown_to_them_and_other_members_only_public_ones(client, auth, make, table, htmx):
    mira = table["mira"]
    auth.login(db.session.get(type(table["gm"]), mira.owner_id))
    for visibility in ("public", "gm", "private"):
        data = {"kind": "free", "expression": "1d6", "label": f"{visibility} roll", "visibility": visibility}
        assert client.post(at(mira, "rolls"), data=data, headers=htmx).status_code == 200
    auth.login(table["gm"])
    shown = text_of(client.get(at(mira, "rolls"), headers=htmx))
    assert ">public roll<" in shown and ">gm roll<" in shown and ">private roll<" not in shown
    tobin_player = db.session.get(type(table["gm"]), table["tobin"].owner_id)
    mira_row = fresh(mira)
    mira_row.visibility = Visibility.PUBLIC
    db.session.commit()
    auth.login(tobin_player)
    member = text_of(client.get(at(mira, "rolls"), headers=htmx))
    assert ">public roll<" in member and ">gm roll<" not in member


# Who may do what


def test_the_gm_tends_a_member_but_neither_spends_nor_rolls_for_them(client, auth, table, htmx):
    mira = table["mira"]
    auth.login(table["gm"])
    page = text_of(client.get(at(mira)))
    assert 'id="damage-button"' in page and 'id="restore-button"' in page and 'id="toggle-blessed"' in page
    assert 'id="spend-button"' not in page and 'id="roll-attack"' not in page
    assert 'id="roll-history-heading"' in page  # the rolls shown to the GM
    for path, data in (
        ("damage", {"amount": "3"}),
        ("heal", {"amount": "1"}),
        ("restore", {"pool": "mana", "amount": "1"}),
        ("rest", {"kind": "short"}),
        ("conditions", {"name": "blessed", "on": "true"}),
    ):
        assert client.post(at(mira, path), data=data, headers=htmx).status_code == 200, path
    assert client.post(at(mira, "spend"), data={"pool": "mana", "amount": "1"}, headers=htmx).status_code == 403
    assert client.post(at(mira, "rolls"), data={"kind": "initiative"}, headers=htmx).status_code == 403
    assert client.post(at(mira, "rolls"), data={"kind": "initiative"}).status_code == 403
    assert fresh(mira).conditions == ["blessed"]


def test_another_player_gets_404_for_a_private_character_and_403_for_a_public_one(client, auth, make, table, htmx):
    auth.login(make.user())
    mira, tobin = table["mira"], table["tobin"]
    for path, data in (("damage", {"amount": "3"}), ("rolls", {"kind": "initiative"}), ("rest", {"kind": "long"})):
        assert client.post(at(mira, path), data=data, headers=htmx).status_code == 404
        assert client.post(at(tobin, path), data=data, headers=htmx).status_code == 403
    assert client.get(at(mira, "rolls"), headers=htmx).status_code == 404
    page = text_of(client.get(at(tobin)))
    assert pool(page, "health") and 'id="damage-button"' not in page and 'id="roll-attack"' not in page


def test_a_visitor_sees_the_bars_of_a_public_character_but_no_control(client, table):
    tobin = table["tobin"]
    page = text_of(client.get(at(tobin)))
    assert re.fullmatch(r"\d+ / \d+", pool(page, "health"))
    for control in ('id="hit-form"', 'id="pool-form"', 'id="toggle-', 'id="dice"', "short-rest-button"):
        assert control not in page
    refused = client.post(at(tobin, "damage"), data={"amount": "3"})
    assert refused.status_code in (302, 303) and "/login" in refused.headers["Location"]
    assert fresh(tobin).health_lost == 0


def test_the_forms_carry_the_csrf_token_and_a_post_without_it_is_refused(client, owner, mira, csrf_enabled):
    page = text_of(client.get(at(mira)))
    token = re.search(r'id="hit-form".*?name="csrf_token" type="hidden" value="([^"]+)"', page, re.S).group(1)
    assert client.post(at(mira, "damage"), data={"amount": "3"}).status_code == 400
    assert client.post(at(mira, "rolls"), data={"kind": "initiative"}).status_code == 400
    assert client.post(at(mira, "damage"), data={"amount": "3", "csrf_token": token}).status_code == 303
    assert fresh(mira).health_lost == 3
