"""The mix's players: thirty accounts of three characters with 30 inventory rows each, and room for their writes."""

import uuid
from collections import Counter
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from bench import dataset, players
from webapp.models import User
from webapp.seed import load_reference
from webapp.services import inventory


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_thirty_players_each_own_three_characters_of_thirty_inventory_rows(db):
    load_reference()

    added = players.build(db.engine)
    characters = players.read(db.engine)

    assert added == 30 and len(characters) == 90
    assert Counter(c.email for c in characters) == {players.email(n): 3 for n in range(30)}
    assert [c.player for c in characters] == sorted(c.player for c in characters)
    assert all(c.inventory_rows == 30 for c in characters)
    assert all(len(c.writable) == players.WRITABLE_ROWS for c in characters)
    assert players.build(db.engine) == 0  # the next phase finds them there


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_players_are_not_counted_among_the_bulk_characters(db):
    load_reference()
    players.build(db.engine, players=2)

    result = dataset.build(db.engine, 15, progress=False)

    assert result.added == 15


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_a_player_signs_in_with_the_mix_password(db, client):
    load_reference()
    players.build(db.engine, players=1)

    answer = client.post("/login", data={"email": players.email(0), "password": players.PASSWORD})

    assert answer.status_code == 303


def _quantity(quantity: int) -> inventory.InventoryPatch:
    return inventory.InventoryPatch(quantity=quantity)


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_every_writable_row_goes_from_its_lowest_to_the_highest_written_quantity_as_the_rules_allow(db):
    load_reference()
    players.build(db.engine, players=3)

    for character in players.read(db.engine, players=3):
        owner = db.session.execute(sa.select(User).where(User.email == character.email)).scalar_one()
        character_id = uuid.UUID(character.character_id)
        for row in character.writable:  # all at their highest together: the heaviest the pack gets
            inventory.set_quantity(owner, character_id, uuid.UUID(row.item_id), _quantity(players.MAX_WRITTEN_QUANTITY))
        for row in character.writable:
            inventory.set_quantity(owner, character_id, uuid.UUID(row.item_id), _quantity(row.lowest))


def test_the_lightest_rows_that_fit_are_writable_and_an_equipped_item_keeps_its_slots():
    rows = [
        SimpleNamespace(item_id=item, quantity=quantity, weight=weight)
        for item, quantity, weight in (("ring", 1, 0.05), ("bread", 2, 0.3), ("anvil", 1, 40.0), ("rope", 1, 1.0))
    ]

    chosen = players.writable_rows(rows, {"ring": 2}, limit=50.0)

    assert [(r.item_id, r.lowest) for r in chosen] == [("ring", 2), ("bread", 1)]
    assert players.writable_rows(rows, {}, limit=43.0) == (players.WritableRow("ring", 1),)  # nine loaves won't fit
