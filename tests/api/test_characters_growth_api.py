"""The character sub-resources: sheet, skills, perks, experience, export and import."""

import uuid

import pytest
import sqlalchemy as sa

from tests.support import AuthActions
from webapp.extensions import db
from webapp.models import Character, Membership, MembershipStatus, Visibility
from webapp.models.character import character_skills


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def player(make, auth):
    user = make.user()
    auth.login(user)
    return user


@pytest.fixture
def brannoc(client, ref, player, make):
    """A level-1 Dwarf Sellsword with 15 14 13 8 12 10."""
    response = client.post(
        "/api/v1/characters",
        json={
            "name": "Brannoc",
            "race_id": str(ref["race"]["Dwarf"].id),
            "archetype_id": str(ref["archetype"]["Sellsword"].id),
            **make.point_buy(),
        },
    )
    return response.get_json()


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


def test_experience_raises_the_level_by_the_spec_table(client, brannoc):
    url = f"/api/v1/characters/{brannoc['id']}/experience"
    assert client.post(url, json={"amount": 299}).get_json()["level"] == 2
    assert client.post(url, json={"amount": 1}).get_json()["level"] == 3
    data = client.post(url, json={"amount": 700}).get_json()
    assert (data["experience"], data["level"]) == (1000, 5)
    assert client.post(url, json={"amount": 1_000_000}).get_json()["level"] == 20


def test_an_award_retried_with_if_match_lands_once(client, brannoc):
    """A script that never heard back from an award sends it again with the ETag it read before: 412, not twice."""
    character = f"/api/v1/characters/{brannoc['id']}"
    before = client.get(character).headers["ETag"]
    first = client.post(f"{character}/experience", json={"amount": 100}, headers={"If-Match": before})
    assert first.status_code == 200 and first.get_json()["experience"] == 100
    assert first.headers["ETag"] == client.get(character).headers["ETag"]  # the next If-Match needs no read
    retried = client.post(f"{character}/experience", json={"amount": 100}, headers={"If-Match": before})
    assert retried.status_code == 412
    assert client.get(character).get_json()["experience"] == 100
    again = client.post(f"{character}/experience", json={"amount": 50}, headers={"If-Match": first.headers["ETag"]})
    assert again.get_json()["experience"] == 150


def test_experience_must_be_a_positive_amount(client, brannoc):
    url = f"/api/v1/characters/{brannoc['id']}/experience"
    assert errors_of(client.post(url, json={"amount": 0})) == {"amount": "Input should be greater than or equal to 1"}
    assert list(errors_of(client.post(url, json={"amount": 1_000_001}))) == ["amount"]
    assert client.post(url, json={"amount": "lots"}).status_code == 422


def test_experience_stops_at_ten_million_with_a_sentence(client, brannoc):
    url = f"/api/v1/characters/{brannoc['id']}/experience"
    db.session.execute(
        sa.update(Character).where(Character.id == uuid.UUID(brannoc["id"])).values(experience=9_999_990, level=20)
    )
    db.session.commit()
    refused = client.post(url, json={"amount": 11})
    assert refused.status_code == 422
    assert errors_of(refused) == {
        "amount": "Brannoc has 9,999,990 XP and can gain at most 10 more (the most is 10,000,000)"
    }
    assert client.post(url, json={"amount": 10}).get_json()["experience"] == 10_000_000
    assert errors_of(client.post(url, json={"amount": 1})) == {
        "amount": "Brannoc has 10,000,000 XP; 10,000,000 is the most a character can have"
    }


def test_experience_near_the_columns_limit_is_refused_not_a_server_error(client, brannoc):
    # Data from before the limit: another million would overflow the 32-bit column on PostgreSQL.
    db.session.execute(
        sa.update(Character).where(Character.id == uuid.UUID(brannoc["id"])).values(experience=2**31 - 10)
    )
    db.session.commit()
    response = client.post(f"/api/v1/characters/{brannoc['id']}/experience", json={"amount": 1_000_000})
    assert response.status_code == 422
    assert list(errors_of(response)) == ["amount"]


def test_the_owner_adds_no_experience_while_in_a_campaign(client, brannoc, player, make):
    campaign = make.campaign(name="The Long Winter")
    db.session.add(
        Membership(
            campaign_id=campaign.id,
            user_id=player.id,
            character_id=uuid.UUID(brannoc["id"]),
            status=MembershipStatus.APPROVED,
        )
    )
    db.session.commit()
    response = client.post(f"/api/v1/characters/{brannoc['id']}/experience", json={"amount": 100})
    assert response.status_code == 422
    assert errors_of(response) == {
        "amount": "Brannoc is in the campaign The Long Winter; there only its game master awards experience"
    }


def test_a_pending_join_request_does_not_stop_experience(client, brannoc, player, make):
    campaign = make.campaign()
    db.session.add(Membership(campaign_id=campaign.id, user_id=player.id, character_id=uuid.UUID(brannoc["id"])))
    db.session.commit()
    assert client.post(f"/api/v1/characters/{brannoc['id']}/experience", json={"amount": 100}).status_code == 200


def test_others_cannot_add_experience(client, make, auth):
    public = make.character()
    auth.login(make.user())
    assert client.post(f"/api/v1/characters/{public.id}/experience", json={"amount": 5}).status_code == 403


def test_learning_a_skill_above_the_level_is_422_with_the_sentence(client, brannoc, ref):
    iron_skin = ref["skill"]["Iron Skin"]  # Sellsword teaches it at level 12
    response = client.post(f"/api/v1/characters/{brannoc['id']}/skills", json={"skill_id": str(iron_skin.id)})
    assert response.status_code == 422
    assert errors_of(response) == {"skill_id": "Needs level 12; Brannoc is level 1"}


def test_a_skill_neither_race_nor_archetype_teaches_is_refused(client, brannoc, ref):
    quiet = ref["skill"]["Quiet Step"]
    response = client.post(f"/api/v1/characters/{brannoc['id']}/skills", json={"skill_id": str(quiet.id)})
    assert errors_of(response) == {"skill_id": "Neither Dwarf nor Sellsword teaches Quiet Step"}


def test_learn_list_and_forget_a_skill(client, brannoc, ref):
    haggling = ref["skill"]["Haggling"]
    url = f"/api/v1/characters/{brannoc['id']}/skills"
    learned = client.post(url, json={"skill_id": str(haggling.id)})
    assert learned.status_code == 201
    assert learned.get_json()["data"] == [
        {"id": str(haggling.id), "name": "Haggling", "required_level": 1, "learned": True, "granted_by": []}
    ]
    assert errors_of(client.post(url, json={"skill_id": str(haggling.id)})) == {
        "skill_id": "Brannoc already knows Haggling"
    }
    assert client.delete(f"{url}/{haggling.id}").status_code == 204
    assert client.get(url).get_json()["data"] == []
    assert client.delete(f"{url}/{haggling.id}").status_code == 404


def test_perks_are_limited_to_one_plus_a_quarter_of_the_level(client, brannoc, ref):
    url = f"/api/v1/characters/{brannoc['id']}/perks"
    skull, sleeper = ref["perk"]["Thick Skull"], ref["perk"]["Light Sleeper"]
    assert client.post(url, json={"perk_id": str(skull.id)}).status_code == 201
    second = client.post(url, json={"perk_id": str(sleeper.id)})
    assert second.status_code == 422
    assert errors_of(second) == {"perk_id": "Brannoc already has the 1 perk allowed at level 1"}
    client.post(f"/api/v1/characters/{brannoc['id']}/experience", json={"amount": 600})  # level 4: two perks
    assert client.post(url, json={"perk_id": str(sleeper.id)}).status_code == 201
    assert [perk["name"] for perk in client.get(url).get_json()["data"]] == ["Light Sleeper", "Thick Skull"]
    assert client.delete(f"{url}/{skull.id}").status_code == 204


def test_a_perk_above_the_level_is_refused(client, brannoc, ref):
    response = client.post(
        f"/api/v1/characters/{brannoc['id']}/perks", json={"perk_id": str(ref["perk"]["Second Wind"].id)}
    )
    assert errors_of(response) == {"perk_id": "Needs level 5; Brannoc is level 1"}


def test_skills_granted_by_equipment_show_and_cannot_be_forgotten(client, make):
    owner = make.user()
    spark = make.skill(name="Spark")
    wand = make.item(name="Wand", slot="ONE_HAND", bonus_skills=[spark])
    hero = make.character(owner=owner, name="Ysolde")
    make.give(hero, wand)
    make.equip(hero, wand, "main_hand")
    AuthActions(client).login(owner)
    rows = client.get(f"/api/v1/characters/{hero.id}/skills").get_json()["data"]
    assert rows == [
        {"id": str(spark.id), "name": "Spark", "required_level": 1, "learned": False, "granted_by": ["Wand"]}
    ]
    response = client.delete(f"/api/v1/characters/{hero.id}/skills/{spark.id}")
    assert response.status_code == 422
    assert errors_of(response) == {"skill_id": "Wand grants Spark; unequip it to lose it"}


@pytest.fixture
def hero_with_hidden_skill(make):
    hero = make.character(name="Open Ola", visibility=Visibility.PUBLIC)
    secret = make.skill(name="Forbidden Lore", visibility=Visibility.HIDDEN, owner_id=make.user().id)
    db.session.execute(character_skills.insert().values(character_id=hero.id, skill_id=secret.id))
    db.session.commit()
    return hero


def test_anonymous_sheet_of_a_public_character_is_cacheable_and_masks_hidden_entries(client, hero_with_hidden_skill):
    response = client.get(f"/api/v1/characters/{hero_with_hidden_skill.id}/sheet")
    assert response.headers["Cache-Control"].startswith("public")
    assert response.get_json()["skills"][0]["name"] == "[hidden]"


def test_a_signed_in_callers_sheet_is_private(client, auth, make, hero_with_hidden_skill):
    auth.login(make.user())
    response = client.get(f"/api/v1/characters/{hero_with_hidden_skill.id}/sheet")
    assert response.headers["Cache-Control"].startswith("private")


def test_export_names_everything_and_import_recreates_it(client, brannoc, ref, make):
    hero_id = brannoc["id"]
    client.post(f"/api/v1/characters/{hero_id}/experience", json={"amount": 1000})
    client.post(f"/api/v1/characters/{hero_id}/skills", json={"skill_id": str(ref["skill"]["Haggling"].id)})
    client.post(f"/api/v1/characters/{hero_id}/perks", json={"perk_id": str(ref["perk"]["Thick Skull"].id)})
    exported = client.get(f"/api/v1/characters/{hero_id}/export").get_json()
    assert exported["race"] == "Dwarf"
    assert exported["archetype"] == "Sellsword"
    assert exported["skills"] == ["Haggling"]
    assert exported["attributes"] == make.point_buy()
    imported = client.post("/api/v1/characters/import", json=exported)
    assert imported.status_code == 201
    result = imported.get_json()
    assert result["character"]["name"] == "Brannoc (2)"
    assert result["notes"] == ["You already have a character called Brannoc, so this one is called Brannoc (2)"]
    assert result["unmatched"] == []
    assert result["character"]["level"] == 5
    sheet_a = client.get(f"/api/v1/characters/{hero_id}/sheet").get_json()
    sheet_b = client.get(f"/api/v1/characters/{result['character']['id']}/sheet").get_json()
    assert sheet_a["max_health"] == sheet_b["max_health"]
    assert [s["name"] for s in sheet_b["skills"]] == ["Haggling"]


def test_import_lists_what_could_not_be_matched(client, brannoc, ref):
    document = client.get(f"/api/v1/characters/{brannoc['id']}/export").get_json()
    document.update(
        name="Copy",
        skills=["Haggling", "Underwater Basket Weaving"],
        inventory=[{"item": "Iron Arming Sword", "quantity": 1}, {"item": "Bag of Holding", "quantity": 1}],
        equipment={"main_hand": "Iron Arming Sword"},
    )
    response = client.post("/api/v1/characters/import", json=document)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["unmatched"] == [
        {"field": "skills[1]", "message": "No skill called “Underwater Basket Weaving” that you can see"},
        {"field": "inventory[1]", "message": "No item called “Bag of Holding” that you can see"},
    ]
    sheet = client.get(f"/api/v1/characters/{response.get_json()['character']['id']}/sheet").get_json()
    assert sheet["equipment"]["main_hand"]["name"] == "Iron Arming Sword"


def test_import_needs_a_race_it_can_match_and_obeys_the_rules(client, brannoc):
    document = client.get(f"/api/v1/characters/{brannoc['id']}/export").get_json()
    unknown = client.post("/api/v1/characters/import", json={**document, "race": "Gnome"})
    assert unknown.status_code == 422
    assert errors_of(unknown) == {"race": "No race called “Gnome” that you can see"}
    cheat = client.post(
        "/api/v1/characters/import", json={**document, "attributes": {**document["attributes"], "charisma": 15}}
    )
    assert errors_of(cheat) == {"attributes": "The base scores cost 34 points; the budget is 27"}
    bad = client.post("/api/v1/characters/import", json={**document, "level": 20})
    assert errors_of(bad) == {"level": "Unknown field."}


def test_import_matches_names_in_any_script_and_case(client, brannoc, make):
    for name in ("Straße Map", "Ægis Charm", "Όπλο"):
        make.item(name=name, weight=0.1)
    document = client.get(f"/api/v1/characters/{brannoc['id']}/export").get_json()
    lines = [{"item": name, "quantity": 1} for name in ("Straße Map", "ÆGIS CHARM", "όπλο")]
    response = client.post("/api/v1/characters/import", json={**document, "name": "Wanderer", "inventory": lines})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["unmatched"] == []


def test_import_keeps_jsons_types_and_has_one_item_a_slot(client, brannoc):
    document = client.get(f"/api/v1/characters/{brannoc['id']}/export").get_json()
    as_text = client.post("/api/v1/characters/import", json={**document, "name": "Text", "experience": "5000"})
    assert as_text.status_code == 422 and set(errors_of(as_text)) == {"experience"}
    lines = [{"item": "Rope", "quantity": True}]
    as_truth = client.post("/api/v1/characters/import", json={**document, "name": "Truth", "inventory": lines})
    assert as_truth.status_code == 422 and set(errors_of(as_truth)) == {"inventory.0.quantity"}
    slots = {f"slot_{index}": "Rope" for index in range(70_000)}  # past PostgreSQL's 65,535 parameters, were it asked
    crowded = client.post("/api/v1/characters/import", json={**document, "name": "Crowded", "equipment": slots})
    assert crowded.status_code == 422 and set(errors_of(crowded)) == {"equipment"}


def test_import_refuses_lines_that_add_up_to_more_than_a_stack_holds(client, brannoc, make):
    make.item(name="Goose Feather", weight=0.0)
    document = client.get(f"/api/v1/characters/{brannoc['id']}/export").get_json()
    lines = [{"item": "Goose Feather", "quantity": 9999}, {"item": "goose feather", "quantity": 1}]
    response = client.post("/api/v1/characters/import", json={**document, "name": "Hoarder", "inventory": lines})
    assert response.status_code == 422
    assert errors_of(response) == {"inventory": "A stack holds at most 9999; the Goose Feather lines come to 10000"}
