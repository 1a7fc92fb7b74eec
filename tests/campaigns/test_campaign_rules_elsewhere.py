"""The campaign's rules reach beyond the dashboard: the inventory and the level a character can reach."""

import pytest

from webapp.extensions import db
from webapp.models import User
from webapp.services import character_growth, characters, equipment, inventory
from webapp.services.errors import RuleViolation, Violation


def _one(item) -> inventory.InventoryAdd:
    return inventory.InventoryAdd(item_id=item.id)


def test_a_player_cannot_pack_an_item_above_the_campaigns_rarity(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, max_rarity="RARE")
    player = db.session.get(User, hero.owner_id)
    with pytest.raises(RuleViolation) as error:
        inventory.add_item(player, hero.id, _one(make.item(name="Sunblade", rarity="EPIC")))
    assert error.value.field == "item_id" and "allows up to RARE" in error.value.message
    assert inventory.add_item(player, hero.id, _one(make.item(rarity="RARE"))) == 1


def test_more_of_an_item_above_the_campaigns_rarity_is_refused_as_a_new_stack_is(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, max_rarity="COMMON")
    player, sunblade = db.session.get(User, hero.owner_id), make.item(name="Sunblade", rarity="LEGENDARY")
    make.give(hero, sunblade, 1)  # carried from before the campaign
    with pytest.raises(RuleViolation) as error:
        inventory.set_quantity(player, hero.id, sunblade.id, inventory.InventoryPatch(quantity=5))
    assert error.value.field == "item_id" and "allows up to COMMON" in error.value.message
    assert (
        inventory.set_quantity(player, hero.id, sunblade.id, inventory.InventoryPatch(quantity=1))
        .carried(sunblade.id)
        .quantity
        == 1
    )  # keeping (or lowering) what it has is fine


def test_outside_a_campaign_any_rarity_goes(make):
    hero = make.character()
    player = db.session.get(User, hero.owner_id)
    assert inventory.add_item(player, hero.id, _one(make.item(rarity="LEGENDARY"))) == 1


def test_the_gm_adds_experience_up_to_the_campaigns_cap(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=3)
    assert character_growth.add_experience(gm, hero.id, character_growth.ExperienceAward(amount=5000)).level == 3


def test_changing_base_scores_in_a_campaign_counts_against_its_point_budget(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, point_budget=20)
    loner = make.character()
    scores = characters.CharacterPatch(strength=15, constitution=15)  # 9 + 9 + four 10s at 2 each: 26 points
    with pytest.raises(RuleViolation) as error:
        characters.update_character(db.session.get(User, hero.owner_id), hero.id, scores)
    assert "the budget is 20" in error.value.message
    assert characters.update_character(db.session.get(User, loner.owner_id), loner.id, scores).strength == 15


def test_an_uncommon_item_owned_before_joining_stays_in_the_pack_in_a_common_only_campaign(
    client, auth, htmx, make, gm
):
    hero = make.character(name="Brannoc")
    cloak = make.item(name="Elven Cloak", slot="CLOAK", rarity="UNCOMMON")
    make.give(hero, cloak)
    make.membership(make.campaign(owner=gm, name="The Sunken Keep", max_rarity="COMMON"), hero)
    player = db.session.get(User, hero.owner_id)
    refusal = Violation("cloak", "Elven Cloak is UNCOMMON; this campaign allows up to COMMON")

    with pytest.raises(RuleViolation) as error:
        equipment.change_equipment(player, hero.id, {"cloak": cloak.id})
    assert error.value.violations == [refusal]
    assert equipment.preview_equipment(player, hero.id, {"cloak": cloak.id}).violations == [refusal]

    auth.login(player)
    preview = client.get(f"/characters/{hero.id}/equipment/preview?item_id={cloak.id}", headers=htmx)
    body = preview.get_data(as_text=True)
    assert refusal.message in body and "disabled>Equip" in body
    api = client.put(f"/api/v1/characters/{hero.id}/equipment", json={"cloak": str(cloak.id)})
    assert api.status_code == 422 and api.get_json()["errors"] == [{"field": "cloak", "message": refusal.message}]
