"""/characters shows my characters as cards; the public gallery links to PUBLIC sheets."""

import re

import pytest

from webapp.models import Visibility


@pytest.fixture
def player(make, auth):
    user = make.user()
    auth.login(user)
    return user


def test_an_empty_account_is_told_how_to_start(client, player):
    page = client.get("/characters").get_data(as_text=True)
    assert "No characters yet — build your first." in page
    assert 'href="/characters/new"' in page


def test_my_characters_show_as_cards_with_portrait_level_and_health(client, player, make):
    race = make.race(name="Dwarfish", constitution_bonus=2, health_pct=120)
    fighter = make.archetype(name="Fighter", health_per_level=10)
    hero = make.character(owner=player, name="Brannoc", race=race, archetype=fighter, constitution=14)
    make.character(owner=player, name="Ysolde", visibility=Visibility.PRIVATE)
    make.character(name="Someone Else's")
    page = client.get("/characters").get_data(as_text=True)
    assert "Brannoc" in page and "Ysolde" in page and "Someone Else" not in page
    assert f'href="/characters/{hero.id}"' in page
    assert "Dwarfish · Fighter · Level 1" in page
    assert "<svg" in page  # generated portrait
    # CON 14 + 2 = 16, mod +3; (10 + 3) × 1 × 120 % = 15.6 → 16.
    assert 'max="16"' in page and "Health 16 / 16" in page


def test_the_list_runs_a_constant_number_of_queries(client, player, make, queries):
    make.character(owner=player)
    with queries:
        client.get("/characters")
    few = queries.count
    for n in range(12):
        hero = make.character(owner=player, name=f"Hero {n}")
        ring = make.item(slot="RING", bonus_health=1)
        make.give(hero, ring)
        make.equip(hero, ring, "ring_left")
    with queries:
        client.get("/characters")
    assert queries.count == few <= 4


def test_the_gallery_links_to_public_sheets(client, make):
    hero = make.character(name="Open Ola")
    page = client.get("/").get_data(as_text=True)
    assert f'<a href="/characters/{hero.id}">Open Ola</a>' in page
    assert client.get(f"/characters/{hero.id}").status_code == 200


def test_the_nav_offers_my_characters_when_signed_in(client, player):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'<a href="/characters"[^>]*>My characters</a>', page)
