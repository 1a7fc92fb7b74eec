"""Using a consumable heals and restores by its health, mana and stamina bonuses (SPEC §9), is refused when that
would do nothing, and is written to the campaign's log."""

import pytest

from tests.inventory import fixtures
from webapp.extensions import db
from webapp.models import CampaignEvent, EventKind, InventoryEntry
from webapp.services import inventory, table
from webapp.services.errors import RuleViolation, Violation

player = fixtures.player


@pytest.fixture
def mira(make, player):
    """Level 1 with the factory's archetype: 8 health, 2 mana, 6 stamina."""
    return make.character(owner=player, name="Mira")


def hurt(actor, character, amount: int) -> None:
    table.damage(actor, character.id, table.Hit.read({"amount": amount}))


def spend(actor, character, pool: str, amount: int) -> None:
    table.spend(actor, character.id, table.PoolChange.read({"pool": pool, "amount": amount}))


def pools_of(actor, character) -> dict:
    state = table.table_state(actor, character.id)
    return {name: (pool.current, pool.max) for name, pool in state.pools.items()}


def quantity(character, item) -> int | None:
    db.session.expire_all()
    row = db.session.get(InventoryEntry, (character.id, item.id))
    return None if row is None else row.quantity


def test_a_healing_draught_heals_up_to_the_maximum_and_is_used_up(player, mira, make):
    draught = make.item(name="Healing Draught", is_consumable=True, bonus_health=5)
    make.give(mira, draught, 2)
    hurt(player, mira, 7)
    assert inventory.use_item(player, mira.id, draught.id) == 1
    assert pools_of(player, mira)["health"] == (6, 8)
    assert inventory.use_item(player, mira.id, draught.id) == 0
    assert pools_of(player, mira)["health"] == (8, 8)  # 11 would pass the maximum
    assert quantity(mira, draught) is None


def test_at_full_health_the_draught_is_refused_and_kept(player, mira, make):
    draught = make.item(name="Healing Draught", is_consumable=True, bonus_health=5)
    make.give(mira, draught, 1)
    with pytest.raises(RuleViolation) as refused:
        inventory.use_item(player, mira.id, draught.id)
    assert refused.value.violations == [Violation("item_id", "Mira is already at full health.")]
    assert quantity(mira, draught) == 1


def test_a_draught_of_health_and_mana_counts_while_either_is_missing(player, mira, make):
    tonic = make.item(name="Tonic", is_consumable=True, bonus_health=3, bonus_mana=2)
    make.give(mira, tonic, 3)
    spend(player, mira, "mana", 2)
    assert inventory.use_item(player, mira.id, tonic.id) == 2
    assert pools_of(player, mira) == {"health": (8, 8), "mana": (2, 2), "stamina": (6, 6)}
    with pytest.raises(RuleViolation, match=r"^Mira is already at full health and mana\.$"):
        inventory.use_item(player, mira.id, tonic.id)
    assert quantity(mira, tonic) == 2


def test_a_negative_bonus_takes_nothing_away(player, mira, make):
    brew = make.item(name="Bitter Brew", is_consumable=True, bonus_health=-3, bonus_stamina=4)
    make.give(mira, brew, 1)
    spend(player, mira, "stamina", 5)
    inventory.use_item(player, mira.id, brew.id)
    assert pools_of(player, mira) == {"health": (8, 8), "mana": (2, 2), "stamina": (5, 6)}


def test_a_consumable_without_a_pool_bonus_is_used_up_as_before(player, mira, make):
    torch = make.item(name="Torch", is_consumable=True)
    make.give(mira, torch, 2)
    assert inventory.use_item(player, mira.id, torch.id) == 1
    assert pools_of(player, mira)["health"] == (8, 8)


def test_in_a_campaign_the_log_says_who_used_what_and_what_it_gave_back(player, mira, make):
    campaign = make.campaign(name="The Sunken Stair")
    make.membership(campaign, mira)
    draught = make.item(name="Elixir of Dawn", is_consumable=True, bonus_health=4, bonus_stamina=9)
    make.give(mira, draught, 1)
    hurt(player, mira, 2)
    spend(player, mira, "stamina", 3)
    inventory.use_item(player, mira.id, draught.id)
    used = db.session.query(CampaignEvent).filter_by(kind=EventKind.ITEM_USED).one()
    assert used.body == "Mira used an Elixir of Dawn, regaining 2 health and 3 stamina."
    assert used.character_id == mira.id and used.actor_id == player.id and used.campaign_id == campaign.id
    assert used.data == {"item_id": str(draught.id), "item": "Elixir of Dawn", "left": 0}


def test_outside_a_campaign_or_when_refused_nothing_is_logged(player, mira, make):
    draught = make.item(name="Healing Draught", is_consumable=True, bonus_health=5)
    make.give(mira, draught, 2)
    hurt(player, mira, 1)
    inventory.use_item(player, mira.id, draught.id)
    assert db.session.query(CampaignEvent).count() == 0


def test_the_inventory_page_shows_the_refusal_beside_the_line(client, player, mira, make, htmx):
    draught = make.item(name="Healing Draught", is_consumable=True, bonus_health=5)
    make.give(mira, draught, 1)
    refused = client.post(f"/characters/{mira.id}/inventory/{draught.id}/use", headers=htmx)
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert f'<p class="field-error" id="error-{draught.id}" role="alert">Mira is already at full health.</p>' in body
    hurt(player, mira, 4)
    used = client.post(f"/characters/{mira.id}/inventory/{draught.id}/use", headers=htmx)
    assert used.status_code == 200
    sheet = client.get(f"/characters/{mira.id}").get_data(as_text=True)
    assert 'data-pool="health">8 / 8<' in sheet


def test_the_api_refuses_with_a_422_naming_the_item(client, player, mira, make):
    draught = make.item(name="Healing Draught", is_consumable=True, bonus_health=5)
    make.give(mira, draught, 1)
    refused = client.post(f"/api/v1/characters/{mira.id}/inventory/{draught.id}/use")
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == [{"field": "item_id", "message": "Mira is already at full health."}]
    hurt(player, mira, 3)
    assert client.post(f"/api/v1/characters/{mira.id}/inventory/{draught.id}/use").status_code == 204
    assert pools_of(player, mira)["health"] == (8, 8)
