"""The builder at /characters/new: steps as fragments with their own URLs, a server-side draft, errors in place."""

import re

import pytest
import sqlalchemy as sa

from tests.factories import point_buy
from webapp.extensions import db
from webapp.models import BuilderDraft, Character


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def player(make, auth):
    user = make.user()
    auth.login(user)
    return user


def fill_identity(client, name="Brannoc", **extra):
    return client.post("/characters/new/identity", data={"name": name, "visibility": "PUBLIC", **extra})


def build_until_attributes(client, ref):
    fill_identity(client)
    client.post("/characters/new/race", data={"choice": str(ref["race"]["Dwarf"].id)})
    client.post("/characters/new/archetype", data={"choice": str(ref["archetype"]["Sellsword"].id)})


def test_a_new_builder_starts_at_identity(client, player):
    response = client.get("/characters/new")
    assert response.status_code == 303
    assert response.headers["Location"] == "/characters/new/identity"
    page = client.get("/characters/new/identity").get_data(as_text=True)
    assert 'aria-current="step"' in page
    assert 'for="name"' in page


def test_visitors_are_sent_to_sign_in(client):
    assert client.get("/characters/new/identity").status_code == 302


def test_each_step_answers_htmx_with_a_fragment_and_the_next_url(client, player, htmx, ref):
    response = client.post("/characters/new/identity", data={"name": "Brannoc"}, headers=htmx)
    assert response.status_code == 200
    assert response.headers["HX-Push-Url"] == "/characters/new/race"
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="builder"')
    assert 'id="step-heading" tabindex="-1" data-autofocus' in body
    assert "Dwarf" in body


def test_without_javascript_each_step_redirects_to_the_next(client, player):
    response = fill_identity(client)
    assert response.status_code == 303
    assert response.headers["Location"] == "/characters/new/race"


@pytest.mark.parametrize("name", ["", "\u200b\u200b", "\u3164"], ids=["empty", "zero-width", "hangul-filler"])
def test_a_missing_name_is_explained_beside_the_field(client, player, htmx, name):
    response = client.post("/characters/new/identity", data={"name": name}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in body
    assert "Give your character a name" in body


def test_a_name_already_used_is_refused(client, player, make):
    make.character(owner=player, name="Brannoc")
    response = fill_identity(client, name="brannoc")
    assert response.status_code == 422
    assert "You already have a character called brannoc" in response.get_data(as_text=True)


def test_an_archetype_for_other_races_is_refused_with_the_sentence(client, player, ref, htmx):
    fill_identity(client)
    client.post("/characters/new/race", data={"choice": str(ref["race"]["Dwarf"].id)})
    page = client.get("/characters/new/archetype").get_data(as_text=True)
    assert "Gladewarden requires an Elf or Human; Brannoc is a Dwarf." in page  # said before choosing
    response = client.post(
        "/characters/new/archetype", data={"choice": str(ref["archetype"]["Gladewarden"].id)}, headers=htmx
    )
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert (
        '<p class="field-error" id="choice-error" role="alert">Gladewarden requires an Elf or Human; Brannoc is a Dwarf'
        in body
    )
    assert "HX-Push-Url" not in response.headers
    gladewarden = str(ref["archetype"]["Gladewarden"].id)
    assert re.findall(r'<input type="radio" name="choice" id="archetype-[^"]+"[^>]*\bchecked\b', body) == []
    refused = re.search(rf'<input type="radio" name="choice" id="archetype-{gladewarden}"[^>]*>', body).group(0)
    assert "disabled" in refused  # offered as a card that cannot be picked, saying why
    assert "Not for Brannoc: Gladewarden requires an Elf or Human; Brannoc is a Dwarf." in body


def test_nothing_chosen_asks_for_a_choice_in_plain_words(client, player, ref, htmx):
    fill_identity(client)
    response = client.post("/characters/new/race", data={}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert '<p class="field-error" id="choice-error" role="alert">Choose a race for Brannoc.</p>' in body
    assert "no such" not in body.lower()
    client.post("/characters/new/race", data={"choice": str(ref["race"]["Dwarf"].id)})
    response = client.post("/characters/new/archetype", data={"choice": ""}, headers=htmx)
    assert response.status_code == 422
    assert "Choose an archetype for Brannoc." in response.get_data(as_text=True)


def test_races_and_archetypes_are_cards_with_an_emblem_and_their_traits(client, player, ref):
    fill_identity(client)
    page = client.get("/characters/new/race").get_data(as_text=True)
    dwarf = page[page.index('id="race-' + str(ref["race"]["Dwarf"].id)) :]
    dwarf = dwarf[: dwarf.index('<div class="choice-card">')]
    assert "<svg" in dwarf  # a generated emblem, no outside art
    assert "<li>+1 STR</li><li>+2 CON</li><li>−1 DEX</li><li>Health 120%</li>" in dwarf


def test_one_perk_allowed_is_a_radio_group_with_a_way_to_take_none(client, player, ref, htmx):
    build_until_attributes(client, ref)
    client.post("/characters/new/attributes", data={name: str(value) for name, value in point_buy().items()})
    page = client.get("/characters/new/skills").get_data(as_text=True)
    perk_inputs = re.findall(r'<input type="(\w+)" name="perk_ids"', page)
    assert perk_inputs and set(perk_inputs) == {"radio"}
    assert 'id="perk-none" value=""' in page
    response = client.post("/characters/new/skills", data={"perk_ids": ""}, headers=htmx)
    assert response.status_code == 200  # "No perk for now" is an answer


def test_the_point_buy_steppers_update_points_and_preview(client, player, ref, htmx):
    build_until_attributes(client, ref)
    scores = dict.fromkeys(("strength", "constitution", "dexterity", "intelligence", "wisdom", "charisma"), "8")
    response = client.post(
        "/characters/new/attributes/preview", data={**scores, "adjust": "constitution:+1"}, headers=htmx
    )
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="points-status"')  # the steppers themselves stay, and keep focus
    assert re.search(r'id="constitution" name="constitution" value="9"[^>]*hx-swap-oob="true"', body, re.S)
    assert "<strong>26</strong> of 27 points left" in body
    assert (
        'id="builder-preview" class="card builder-preview" aria-labelledby="preview-heading" hx-swap-oob="true"' in body
    )
    # Dwarf CON 9 + 2 = 11, mod 0; Sellsword 10 per level; 120 %: round(12) = 12.
    assert 'data-preview="max_health">12<' in body


def test_overspending_in_the_preview_is_422_with_the_sentence(client, player, ref, htmx):
    build_until_attributes(client, ref)
    scores = {
        "strength": "15",
        "constitution": "15",
        "dexterity": "15",
        "intelligence": "8",
        "wisdom": "8",
        "charisma": "8",
    }
    response = client.post("/characters/new/attributes/preview", data=scores, headers=htmx)
    assert response.status_code == 200
    assert "<strong>0</strong> of 27 points left" in response.get_data(as_text=True)
    response = client.post("/characters/new/attributes/preview", data={**scores, "adjust": "wisdom:+1"}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "<strong>-1</strong> of 27 points left" in body
    assert "The base scores cost 28 points; the budget is 27" in body
    response = client.post("/characters/new/attributes", data={**scores, "wisdom": "9"}, headers=htmx)
    assert response.status_code == 422
    assert "The base scores cost 28 points; the budget is 27" in response.get_data(as_text=True)


def test_with_no_point_left_every_raise_button_says_it_cannot(client, player, ref, htmx):
    build_until_attributes(client, ref)
    scores = {"strength": 15, "constitution": 15, "dexterity": 15, "intelligence": 8, "wisdom": 8, "charisma": 8}
    client.post("/characters/new/attributes/preview", data={k: str(v) for k, v in scores.items()}, headers=htmx)
    page = client.get("/characters/new/attributes").get_data(as_text=True)
    assert "<strong>0</strong> of 27 points left" in page
    raise_buttons = re.findall(r'<button type="button" id="(\w+)-up"[^>]*?(aria-disabled="true")?>', page, re.S)
    assert sorted(raise_buttons) == sorted((name, 'aria-disabled="true"') for name in scores)
    lowered = dict(re.findall(r'<button type="button" id="(\w+)-down"[^>]*?(aria-disabled="true")?>', page, re.S))
    assert lowered == {
        "strength": "",
        "constitution": "",
        "dexterity": "",
        **dict.fromkeys(("intelligence", "wisdom", "charisma"), 'aria-disabled="true"'),
    }
    # The steppers and typed scores run their own requests: nothing of the form's submit button is looked for.
    assert page.count('hx-disabled-elt="unset"') == 6 * 3


def test_a_score_out_of_range_marks_that_field(client, player, ref, htmx):
    build_until_attributes(client, ref)
    scores = {
        "strength": "16",
        "constitution": "8",
        "dexterity": "8",
        "intelligence": "8",
        "wisdom": "8",
        "charisma": "8",
    }
    response = client.post("/characters/new/attributes", data=scores, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert re.search(r'id="strength" [^>]*aria-describedby="strength-error"[^>]*aria-invalid="true"', body)
    assert "Strength must be between 8 and 15" in body


def test_a_skill_above_level_one_is_refused_with_the_sentence(client, player, ref, make):
    build_until_attributes(client, ref)
    client.post("/characters/new/attributes", data=make.point_buy())
    response = client.post("/characters/new/skills", data={"skill_ids": [str(ref["skill"]["Iron Skin"].id)]})
    assert response.status_code == 422
    assert "Needs level 12; Brannoc is level 1" in response.get_data(as_text=True)


def test_the_draft_lives_on_the_server_and_resumes_where_it_was(client, player, ref, app, make):
    build_until_attributes(client, ref)
    other_device = app.test_client()
    from tests.support import AuthActions

    AuthActions(other_device).login(player)
    assert other_device.get("/characters/new").headers["Location"] == "/characters/new/attributes"
    page = other_device.get("/characters/new/review").get_data(as_text=True)
    assert "Dwarf" in page and "Sellsword" in page


def test_history_restore_gets_a_whole_page(client, player, htmx):
    response = client.get("/characters/new/identity", headers={**htmx, "HX-History-Restore-Request": "true"})
    assert "<html" in response.get_data(as_text=True)
    assert response.headers["Vary"].startswith("HX-Request")


def test_finishing_creates_the_character_and_drops_the_draft(client, player, ref, make):
    build_until_attributes(client, ref)
    client.post("/characters/new/attributes", data=make.point_buy())
    client.post(
        "/characters/new/skills",
        data={"skill_ids": [str(ref["skill"]["Haggling"].id)], "perk_ids": [str(ref["perk"]["Thick Skull"].id)]},
    )
    response = client.post("/characters/new/review")
    assert response.status_code == 303
    hero = db.session.execute(sa.select(Character)).scalar_one()
    assert response.headers["Location"] == f"/characters/{hero.id}"
    assert (hero.name, hero.strength, hero.level, str(hero.visibility)) == ("Brannoc", 15, 1, "PUBLIC")
    assert db.session.execute(sa.select(BuilderDraft)).first() is None
    page = client.get(f"/characters/{hero.id}").get_data(as_text=True)
    # Dwarf CON 14 + 2 = 16 (mod +3), Sellsword 10 per level, 120 %: round(15.6) = 16.
    assert 'data-stat="max_health">16<' in page
    assert "Haggling" in page and "Thick Skull" in page


def test_finishing_an_incomplete_draft_says_what_is_missing(client, player, htmx):
    fill_identity(client)
    response = client.post("/characters/new/review", headers=htmx)
    assert response.status_code == 422
    assert "There is no such race" in response.get_data(as_text=True)
    assert db.session.execute(sa.select(BuilderDraft)).scalar_one().data["name"] == "Brannoc"


def test_start_over_discards_the_draft(client, player):
    fill_identity(client)
    response = client.post("/characters/new/discard")
    assert response.headers["Location"] == "/characters/new/identity"
    assert db.session.execute(sa.select(BuilderDraft)).first() is None


def test_a_score_kept_out_of_range_comes_back_with_its_refusal_beside_it(client, player, ref, htmx):
    build_until_attributes(client, ref)
    scores = {
        **dict.fromkeys(("strength", "constitution", "intelligence", "wisdom", "charisma"), "10"),
        "dexterity": "20",
    }
    assert client.post("/characters/new/attributes/preview", data=scores, headers=htmx).status_code == 422
    page = client.get("/characters/new/attributes").get_data(as_text=True)  # left and came back, or reloaded
    assert 'id="dexterity-error"' in page and "Dexterity must be between 8 and 15" in page
    assert re.search(r'name="dexterity"[^>]*value="20"|value="20"[^>]*name="dexterity"', page)
    fresh = client.get("/characters/new/skills").get_data(as_text=True)
    assert "must be between" not in fresh
