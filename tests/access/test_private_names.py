"""A PRIVATE entry's name reaches only those who may see it, wherever another entry or a rule mentions it: the
items that grant a skill on a sheet, the skills a race teaches and the races an archetype requires in the builder,
and the refusals that name them."""

import pytest

from tests.factories import point_buy
from webapp.models import Visibility


@pytest.fixture
def secrets(make):
    """Entries of a secretive player: a PRIVATE amulet granting a PUBLIC skill, a PRIVATE skill a PUBLIC race
    teaches, and a PUBLIC archetype that requires a PRIVATE race."""
    keeper = make.user()
    private = {"owner_id": keeper.id, "visibility": Visibility.PRIVATE}
    public = {"owner_id": keeper.id, "visibility": Visibility.PUBLIC}
    tracking = make.skill(name="Tracking", **public)
    amulet = make.item(name="Top Secret Amulet", slot="AMULET", bonus_skills=[tracking], **private)
    hidden_skill = make.skill(name="Zzsecret Lore", **private)
    open_race = make.race(name="Open Folk", skills=[hidden_skill], **public)
    hidden_race = make.race(name="Zzsecret Race", **private)
    picky = make.archetype(name="Picky Archetype", required_races=[hidden_race], **public)
    return {"keeper": keeper, "amulet": amulet, "open_race": open_race, "picky": picky}


def test_an_item_granting_a_skill_is_named_on_a_public_sheet_only_to_those_who_may_see_it(client, auth, make, secrets):
    hero = make.character(owner=secrets["keeper"], name="Open Hero", visibility=Visibility.PUBLIC)
    make.give(hero, secrets["amulet"])
    make.equip(hero, secrets["amulet"], "amulet")
    stranger = make.user()
    _, token = make.personal_token(stranger)
    api = {"Authorization": f"Bearer {token}"}
    seen = [
        client.get(f"/characters/{hero.id}").get_data(as_text=True),
        client.get(f"/api/v1/characters/{hero.id}/sheet", headers=api).get_data(as_text=True),
        client.get(f"/api/v1/characters/{hero.id}/skills", headers=api).get_data(as_text=True),
    ]
    assert all("Tracking" in body and "Top Secret Amulet" not in body for body in seen)
    assert "— from [hidden]" in seen[0] and '"granted_by":["[hidden]"]' in seen[2].replace(" ", "")
    auth.login(secrets["keeper"])
    assert "— from Top Secret Amulet" in client.get(f"/characters/{hero.id}").get_data(as_text=True)


def test_the_builder_names_no_private_skill_or_race_to_another_player(client, auth, make, secrets):
    auth.login(make.user())
    client.post("/characters/new/identity", data={"name": "Curious", "visibility": "PUBLIC"})
    client.post("/characters/new/race", data={"choice": str(secrets["open_race"].id)})
    archetypes = client.get("/characters/new/archetype").get_data(as_text=True)
    assert "Picky Archetype" in archetypes and "Zzsecret Race" not in archetypes
    refused = client.post("/characters/new/archetype", data={"choice": str(secrets["picky"].id)})
    assert refused.status_code == 422 and "Zzsecret" not in refused.get_data(as_text=True)


def test_a_refused_archetype_names_no_private_race_through_the_api(client, make, secrets):
    player = make.user()
    _, token = make.personal_token(player, "write")
    body = {
        "name": "Curious",
        "race_id": str(secrets["open_race"].id),
        "archetype_id": str(secrets["picky"].id),
        **point_buy(),
    }
    response = client.post("/api/v1/characters", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "Zzsecret" not in response.get_data(as_text=True)
    assert "Picky Archetype requires a [hidden]" in response.get_data(as_text=True)


def test_the_skills_step_offers_no_skill_the_player_may_not_see(client, auth, make, secrets):
    sellsword = make.archetype(name="Plain Sellsword", visibility=Visibility.PUBLIC)
    auth.login(make.user())
    client.post("/characters/new/identity", data={"name": "Curious", "visibility": "PUBLIC"})
    client.post("/characters/new/race", data={"choice": str(secrets["open_race"].id)})
    client.post("/characters/new/archetype", data={"choice": str(sellsword.id)})
    client.post("/characters/new/attributes", data=point_buy())
    page = client.get("/characters/new/skills").get_data(as_text=True)
    assert "Zzsecret Lore" not in page
