"""The sheet page: the API's numbers, breakdowns, inline changes with errors beside the field, in few queries."""

import json
import re

import pytest

from webapp.extensions import db
from webapp.models import Character, Visibility
from webapp.services import characters


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def owner(make):
    return make.user(display_name="Brannoc's player")


@pytest.fixture
def brannoc(ref, owner, make) -> Character:
    fields = {
        "name": "Brannoc",
        "race_id": ref["race"]["Dwarf"].id,
        "archetype_id": ref["archetype"]["Hearthguard"].id,
        "visibility": "PUBLIC",
        **make.point_buy(strength=13, constitution=15, dexterity=14, charisma=8, wisdom=10, intelligence=12),
    }
    return characters.create_character(owner, characters.CharacterCreate.read(fields))


def stat(page: str, name: str) -> str:
    match = re.search(rf'data-stat="{name}">([^<]+)<', page)
    assert match, name
    return match.group(1).strip()


def test_the_sheet_page_and_the_api_show_the_spec_numbers(client, brannoc):
    # Dwarf STR +1 CON +2 DEX −1, health 120 %, mana 80 %, stamina 110 %; Hearthguard 12 / 0 / 6 per level.
    # Base 13 15 14 12 10 8 costs 5 + 9 + 7 + 4 + 2 + 0 = 27. Effective: STR 14, CON 17, DEX 13, INT 12.
    expected = {
        "max_health": round((12 + 3) * 1 * 1.2),  # 18
        "max_mana": max(0, round((0 + 1) * 1 * 0.8)),  # 0.8 → 1
        "max_stamina": max(1, round((6 + 1) * 1 * 1.1)),  # 7.7 → 8
        "attack": 0 + 2,
        "defense": 10 + 1,
    }
    assert expected == {"max_health": 18, "max_mana": 1, "max_stamina": 8, "attack": 2, "defense": 11}
    api = client.get(f"/api/v1/characters/{brannoc.id}/sheet").get_json()
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    for name, value in expected.items():
        assert api[name]["value"] == value
        assert sum(part["amount"] for part in api[name]["breakdown"]) == value
        assert stat(page, name) == str(value)
    assert api["attributes"]["constitution"] == {
        "value": 17,
        "modifier": 3,
        "breakdown": [{"source": "Base", "amount": 15}, {"source": "Dwarf", "amount": 2}],
    }
    assert stat(page, "constitution") == "17"
    assert api["capacity"]["value"] == 5 * 14
    assert stat(page, "load") == "0 kg"


def test_the_sheet_shows_breakdowns_chart_and_paper_doll(client, brannoc, ref, make):
    sword = ref["item"]["Iron Arming Sword"]
    make.give(brannoc, sword)
    make.equip(brannoc, sword, "main_hand")
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "<details" in page and "Hearthguard 12/level + CON modifier 3, × level 1 × Dwarf 120%: 18" in page
    assert 'role="img" aria-labelledby="chart-title"' in page
    assert "Attribute chart: STR 14, CON 17, DEX 13, INT 12, WIS 10, CHA 8" in page
    assert "Iron Arming Sword" in page
    assert "Empty — fits a helmet, hat or hood" in page
    assert 'style="' not in page and "<script>" not in page


def test_the_sheet_page_runs_at_most_six_queries_whatever_the_inventory(client, auth, owner, brannoc, make, queries):
    auth.login(owner)
    url = f"/characters/{brannoc.id}"
    client.get(url)
    with queries:
        assert client.get(url).status_code == 200
    small = queries.count
    spark = make.skill(name="Spark")
    for n in range(60):
        item = make.item(name=f"Gem {n}", slot="RING", bonus_skills=[spark], weight=0.1)
        make.give(brannoc, item, quantity=2)
        if n == 0:
            make.equip(brannoc, item, "ring_left")
    with queries:
        assert client.get(url).status_code == 200
    assert queries.count == small <= 6, queries.statements


def test_private_sheets_are_not_found_for_others(client, make):
    hidden = make.character(visibility=Visibility.PRIVATE)
    assert client.get(f"/characters/{hidden.id}").status_code == 404


def test_a_hidden_race_reads_hidden_to_others(client, make):
    race = make.race(name="Shameful Folk", visibility=Visibility.HIDDEN, owner_id=make.user().id)
    hero = make.character(name="Ola", race=race)
    page = client.get(f"/characters/{hero.id}").get_data(as_text=True)
    assert "Shameful Folk" not in page
    assert "[hidden]" in page


def test_learning_a_skill_above_the_level_answers_422_beside_the_field(client, auth, owner, brannoc, ref, htmx):
    auth.login(owner)
    iron_skin = ref["skill"]["Iron Skin"]
    response = client.post(f"/characters/{brannoc.id}/skills", data={"skill_id": str(iron_skin.id)}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="skills"')
    assert 'aria-invalid="true"' in body
    assert '<p class="field-error" id="skill_id-error">Needs level 12; Brannoc is level 1</p>' in body


def test_learning_a_skill_refreshes_the_panel_and_announces_it(client, auth, owner, brannoc, ref, htmx):
    auth.login(owner)
    field_dressing = ref["skill"]["Field Dressing"]  # level 2: first reach it
    client.post(f"/characters/{brannoc.id}/experience", data={"amount": "100"}, headers=htmx)
    response = client.post(f"/characters/{brannoc.id}/skills", data={"skill_id": str(field_dressing.id)}, headers=htmx)
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "Brannoc learned a new skill."
    assert "Field Dressing" in response.get_data(as_text=True)
    forget = client.post(f"/characters/{brannoc.id}/skills/{field_dressing.id}/forget", headers=htmx)
    assert forget.status_code == 200
    assert "No skills yet." in forget.get_data(as_text=True)


def test_taking_too_many_perks_is_422_in_place(client, auth, owner, brannoc, ref, htmx):
    auth.login(owner)
    url = f"/characters/{brannoc.id}/perks"
    assert client.post(url, data={"perk_id": str(ref["perk"]["Thick Skull"].id)}, headers=htmx).status_code == 200
    response = client.post(url, data={"perk_id": str(ref["perk"]["Light Sleeper"].id)}, headers=htmx)
    assert response.status_code == 422
    assert "Brannoc already has the 1 perk allowed at level 1" in response.get_data(as_text=True)


def test_adding_experience_levels_up_and_swaps_the_whole_sheet(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/experience", data={"amount": "1000"}, headers=htmx)
    assert response.status_code == 200
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == (
        "Brannoc gained 1,000 experience and reached level 5."
    )
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<article id="sheet"')
    assert stat(body, "max_health") == str(round((12 + 3) * 5 * 1.2))


def test_experience_errors_sit_beside_the_field(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/experience", data={"amount": "0"}, headers=htmx)
    assert response.status_code == 422
    assert "Add between 1 and 1,000,000 experience points" in response.get_data(as_text=True)


def form_target(html: str, action: str) -> str:
    """The hx-target of the form in `html` that posts to `action`."""
    form = re.search(rf'<form[^>]*hx-post="{re.escape(action)}"[^>]*>', html).group(0)
    return re.search(r'hx-target="([^"]+)"', form).group(1)


def swapped_into(target: str, response) -> str:
    """The element htmx replaces with a response: HX-Retarget when the server names one, else the form's target."""
    return response.headers.get("HX-Retarget", target)


def test_a_refused_experience_lands_beside_the_field_and_the_next_try_still_works(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    url = f"/characters/{brannoc.id}/experience"
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)

    refused = client.post(url, data={"amount": "0"}, headers=htmx)
    assert refused.status_code == 422
    card = refused.get_data(as_text=True)
    assert card.lstrip().startswith('<section id="experience"')
    assert swapped_into(form_target(page, url), refused) == "#experience"  # the rest of the sheet stays
    assert 'aria-invalid="true"' in card and 'aria-describedby="amount-error"' in card
    assert re.search(r'id="amount-error">Add between 1 and 1,000,000 experience points<', card)

    accepted = client.post(url, data={"amount": "50"}, headers=htmx)
    assert accepted.status_code == 200
    assert swapped_into(form_target(card, url), accepted) == "#sheet"
    sheet = accepted.get_data(as_text=True)
    assert sheet.lstrip().startswith('<article id="sheet"') and "Experience: 50 —" in sheet


def test_experience_past_ten_million_is_refused_beside_the_field(client, auth, owner, brannoc, htmx):
    brannoc.experience, brannoc.level = 9_999_000, 20
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/experience", data={"amount": "5000"}, headers=htmx)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert 'id="amount-error"' in body
    assert "Brannoc has 9,999,000 XP and can gain at most 1,000 more (the most is 10,000,000)" in body
    db.session.expire_all()
    assert db.session.get(Character, brannoc.id).experience == 9_999_000


def test_no_experience_form_while_in_a_campaign(client, auth, owner, brannoc, make):
    make.membership(make.campaign(name="The Long Winter"), brannoc)
    auth.login(owner)
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "While Brannoc is in a campaign, its game master awards experience." in page
    assert "The Long Winter" in page
    response = client.post(f"/characters/{brannoc.id}/experience", data={"amount": "10"})
    assert response.status_code == 422
    assert "Brannoc is in the campaign The Long Winter; there only its game master awards experience" in (
        response.get_data(as_text=True)
    )


@pytest.mark.parametrize("status", ["APPROVED", "PENDING"])
def test_a_public_sheet_names_a_private_campaign_only_to_those_who_may_see_it(
    client, auth, owner, brannoc, make, status
):
    gm = make.user()
    campaign = make.campaign(owner=gm, name="Secret Cabal", visibility=Visibility.PRIVATE)
    make.membership(campaign, brannoc, status=status)
    stranger = make.user()
    visitor_page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "Secret Cabal" not in visitor_page and str(campaign.id) not in visitor_page
    assert "Campaign:\n        a private campaign" in visitor_page
    auth.login(stranger)
    assert "Secret Cabal" not in client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    refused = client.post(f"/characters/{brannoc.id}/experience", data={"amount": "10"}).get_data(as_text=True)
    assert "Secret Cabal" not in refused
    if status == "APPROVED":
        assert "Brannoc is in a private campaign; there only its game master awards experience" in refused
    auth.login(gm)
    assert f'<a href="/campaigns/{campaign.id}">Secret Cabal</a>' in client.get(f"/characters/{brannoc.id}").get_data(
        as_text=True
    )


def test_inline_identity_edit_shows_errors_then_saves(client, auth, owner, brannoc, htmx, make):
    make.character(owner=owner, name="Ysolde")
    auth.login(owner)
    form = client.get(f"/characters/{brannoc.id}/identity/edit", headers=htmx).get_data(as_text=True)
    assert form.lstrip().startswith('<section id="identity"') and 'name="name"' in form
    taken = client.post(f"/characters/{brannoc.id}/identity", data={"name": "Ysolde"}, headers=htmx)
    assert taken.status_code == 422
    assert "You already have a character called Ysolde" in taken.get_data(as_text=True)
    saved = client.post(
        f"/characters/{brannoc.id}/identity",
        data={"name": "Brannoc Stonefist", "sex": "male", "age": "87", "description": "Stubborn."},
        headers=htmx,
    )
    assert saved.status_code == 200
    assert saved.headers["HX-Retarget"] == "#sheet"
    assert "Brannoc Stonefist" in saved.get_data(as_text=True)


def test_without_javascript_changes_redirect_back_to_the_sheet(client, auth, owner, brannoc):
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/identity", data={"name": "Brannoc II"})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/characters/{brannoc.id}"


def test_others_cannot_change_a_public_sheet_and_see_no_edit_controls(client, auth, brannoc, make):
    auth.login(make.user())
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "Edit identity" not in page and "Delete Brannoc" not in page
    assert client.post(f"/characters/{brannoc.id}/identity", data={"name": "Mine now"}).status_code == 403


def test_visibility_switches_between_public_and_private(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/visibility", data={"visibility": "PRIVATE"}, headers=htmx)
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(Character, brannoc.id).visibility == Visibility.PRIVATE


def test_a_moderator_is_offered_no_public_or_private_choice_for_anothers_sheet(
    client, auth, owner, brannoc, htmx, make
):
    auth.login(make.user(role="MODERATOR"))
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "Edit identity" in page and "Who can see Brannoc?" not in page
    forged = client.post(f"/characters/{brannoc.id}/visibility", data={"visibility": "PRIVATE"}, headers=htmx)
    assert forged.status_code == 422
    db.session.expire_all()
    assert db.session.get(Character, brannoc.id).visibility == Visibility.PUBLIC
    auth.login(owner)
    assert "Who can see Brannoc?" in client.get(f"/characters/{brannoc.id}").get_data(as_text=True)


def test_delete_asks_first_then_deletes(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    confirm = client.get(f"/characters/{brannoc.id}/delete").get_data(as_text=True)
    assert "This cannot be undone." in confirm
    response = client.post(f"/characters/{brannoc.id}/delete", headers=htmx)
    assert response.headers["HX-Redirect"] == "/characters"
    assert client.get(f"/characters/{brannoc.id}").status_code == 404


def test_export_downloads_a_json_file(client, brannoc):
    response = client.get(f"/characters/{brannoc.id}/export.json")
    assert response.headers["Content-Disposition"] == 'attachment; filename="brannoc.json"'
    assert json.loads(response.get_data(as_text=True))["race"] == "Dwarf"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("Ωmega", "attachment; filename=\"mega.json\"; filename*=UTF-8''%CF%89mega.json"),
        (
            "龍の騎士",
            "attachment; filename=\"character.json\"; filename*=UTF-8''%E9%BE%8D%E3%81%AE%E9%A8%8E%E5%A3%AB.json",
        ),
        ("Zoë Vale", "attachment; filename=\"zoe-vale.json\"; filename*=UTF-8''zo%C3%AB-vale.json"),
    ],
)
def test_a_name_beyond_latin_1_downloads_under_an_ascii_name_and_its_own(client, auth, owner, brannoc, name, header):
    auth.login(owner)
    characters.update_character(owner, brannoc.id, characters.CharacterPatch.read({"name": name}))
    response = client.get(f"/characters/{brannoc.id}/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == header  # Gunicorn sends only Latin-1 headers (conftest.py)
    assert json.loads(response.get_data(as_text=True))["name"] == name


def test_the_owner_cannot_pick_hidden_and_is_told_the_two_choices(client, auth, owner, brannoc, htmx):
    auth.login(owner)
    response = client.post(f"/characters/{brannoc.id}/visibility", data={"visibility": "HIDDEN"}, headers=htmx)
    assert response.status_code == 422
    assert "Choose public or private." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Character, brannoc.id).visibility == Visibility.PUBLIC


def test_a_pasted_document_past_the_form_limit_is_refused_as_too_long_not_as_empty(client, auth, owner, htmx):
    auth.login(owner)
    pasted = json.dumps({"name": "é" * 260_000})  # 520 KB of UTF-8: past Flask's 500 KB for a field in memory
    for headers in ({}, htmx):
        response = client.post(
            "/characters/import", data={"document": pasted}, content_type="multipart/form-data", headers=headers
        )
        assert response.status_code == 413
        assert "too long: at most 500 KB. To import a character, choose its file." in response.get_data(as_text=True)


def test_import_page_lists_what_could_not_be_matched(client, auth, owner, brannoc):
    auth.login(owner)
    document = json.loads(client.get(f"/characters/{brannoc.id}/export.json").get_data(as_text=True))
    document.update(name="Brannoc's twin", perks=["Thick Skull", "Cheese Affinity"])
    response = client.post("/characters/import", data={"document": json.dumps(document)})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Brannoc&#39;s twin was imported" in page
    assert "No perk called “Cheese Affinity” that you can see" in page


def test_import_page_explains_a_broken_file(client, auth, owner):
    auth.login(owner)
    response = client.post("/characters/import", data={"document": "{not json"})
    assert response.status_code == 422
    assert "This is not JSON; export a character from its sheet" in response.get_data(as_text=True)
    invalid = client.post("/characters/import", data={"document": json.dumps({"name": "X"})})
    assert invalid.status_code == 422
    assert "<code>race</code>" in invalid.get_data(as_text=True)


def test_the_sheet_offers_only_what_can_be_taken_and_says_why_for_the_rest(client, auth, owner, brannoc, ref, htmx):
    auth.login(owner)
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    iron_skin = ref["skill"]["Iron Skin"].id
    assert f'<option value="{iron_skin}" disabled>Iron Skin — needs level 12</option>' in page
    stone_reading = ref["skill"]["Stone Reading"].id  # open at level 1: the one to learn
    assert re.search(rf'<option value="{stone_reading}" ?>Stone Reading — level 1</option>', page)
    assert "(not yet)" not in page
    assert "Take perk" in page

    client.post(f"/characters/{brannoc.id}/perks", data={"perk_id": str(ref["perk"]["Thick Skull"].id)}, headers=htmx)
    page = client.get(f"/characters/{brannoc.id}").get_data(as_text=True)
    assert "Take perk" not in page  # the one slot of level 1 is taken
    assert "Every perk slot is taken. The next opens at level 4." in page
