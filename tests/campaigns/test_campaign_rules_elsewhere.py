"""The campaign's rules reach beyond the dashboard: the inventory and the level a character can reach."""

import pytest

from webapp.extensions import db
from webapp.models import User
from webapp.services import character_growth, inventory
from webapp.services.errors import RuleViolation


def test_a_player_cannot_pack_an_item_above_the_campaigns_rarity(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, max_rarity="RARE")
    player = db.session.get(User, hero.owner_id)
    with pytest.raises(RuleViolation) as error:
        inventory.add_item(player, hero.id, make.item(name="Sunblade", rarity="EPIC").id)
    assert error.value.field == "item_id" and "allows up to RARE" in error.value.message
    assert inventory.add_item(player, hero.id, make.item(rarity="RARE").id).quantity == 1


def test_outside_a_campaign_any_rarity_goes(make):
    hero = make.character()
    player = db.session.get(User, hero.owner_id)
    assert inventory.add_item(player, hero.id, make.item(rarity="LEGENDARY").id).quantity == 1


def test_the_gm_adds_experience_up_to_the_campaigns_cap(make, gm):
    campaign, (hero,) = make.party(1, gm=gm, level_cap=3)
    assert character_growth.add_experience(gm, hero.id, 5000).level == 3
