"""Every page and endpoint `make bench` measures runs a fixed, small number of queries on the bench's own data."""

import pytest
import sqlalchemy as sa

from bench import dataset
from webapp.extensions import db
from webapp.models import Character, User
from webapp.seed import load_reference

pytestmark = pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own


@pytest.fixture
def world(db, make):
    """The benchmark's data on a small scale: 40 characters of 30 items each; the bench user owns the first 10."""
    load_reference()
    dataset.build(db.engine, 40, progress=False)
    user = db.session.execute(sa.select(User).where(User.email == dataset.BENCH_EMAIL)).scalar_one()
    character_id = db.session.execute(
        sa.select(Character.id).where(Character.owner_id == user.id).order_by(Character.created_at).limit(1)
    ).scalar_one()
    _, token = make.personal_token(user)
    return {"user": user, "character_id": character_id, "token": {"Authorization": f"Bearer {token}"}}


@pytest.fixture
def signed_in(client, world):
    answer = client.post("/login", data={"email": dataset.BENCH_EMAIL, "password": dataset.BENCH_PASSWORD})
    assert answer.status_code == 303
    return client


def count(client, queries, path: str, headers: dict | None = None, repeat: bool = False) -> int:
    """Queries of one request after a first one warmed what a running worker holds (the reference data): building
    the answer, or with `repeat` answering it again from the shared cache."""
    assert client.get(path, headers=headers).status_code == 200
    with queries.repeat if repeat else queries:
        answer = client.get(path, headers=headers)
    assert answer.status_code == 200
    return queries.count


def test_home_page(client, world, queries):
    assert count(client, queries, "/", repeat=True) == 0, queries.statements  # visitors share one cached gallery


def test_api_character(client, world, queries):
    path = f"/api/v1/characters/{world['character_id']}"
    # the token with its user and the character, in one statement
    assert count(client, queries, path, world["token"]) == 1, queries.statements


def test_api_sheet(client, world, queries):
    path = f"/api/v1/characters/{world['character_id']}/sheet"
    # the token with its user; the character with its campaign and every row it owns
    assert count(client, queries, path, world["token"]) == 2, queries.statements


def test_api_character_list_first_and_deep_pages(client, world, queries):
    first = count(client, queries, "/api/v1/characters?limit=5", world["token"])
    cursor = None
    for _ in range(5):
        page = client.get(
            "/api/v1/characters?limit=5" + (f"&cursor={cursor}" if cursor else ""), headers=world["token"]
        )
        cursor = page.get_json()["pagination"]["next_cursor"]
    deep = count(client, queries, f"/api/v1/characters?limit=5&cursor={cursor}", world["token"])

    assert first == deep == 2, queries.statements  # the token with its user, one page of characters


def test_character_sheet_signed_in(signed_in, world, queries):
    path = f"/characters/{world['character_id']}"
    # the browser session with its user; the character with its campaign and every row it owns
    assert count(signed_in, queries, path) == 2, queries.statements


def test_inventory_page_signed_in(signed_in, world, queries):
    path = f"/characters/{world['character_id']}/inventory"
    # the same two as the sheet: the page shows the same loaded character
    assert count(signed_in, queries, path) == 2, queries.statements


def test_compendium_search_fragment_is_served_from_the_cache(client, world, queries, htmx):
    assert count(client, queries, "/compendium/items?search=steel", htmx, repeat=True) == 0, queries.statements


def _carry_thirty_more(character_id) -> None:
    from webapp.models import InventoryEntry, Item

    carried = sa.select(InventoryEntry.item_id).where(InventoryEntry.character_id == character_id)
    more = sa.select(Item.id).where(Item.owner_id.is_(None), Item.id.not_in(carried)).order_by(Item.id).limit(30)
    for item_id in db.session.execute(more).scalars().all():
        db.session.add(InventoryEntry(character_id=character_id, item_id=item_id, quantity=1))
    db.session.commit()


@pytest.mark.parametrize("page", ["/characters/{id}", "/characters/{id}/inventory"])
def test_a_sheet_or_inventory_page_runs_at_most_four_queries_whatever_the_inventory_size(
    signed_in, world, queries, page
):
    path = page.format(id=world["character_id"])

    with_thirty = count(signed_in, queries, path)
    _carry_thirty_more(world["character_id"])
    with_sixty = count(signed_in, queries, path)

    assert with_thirty == with_sixty <= 4, queries.statements
