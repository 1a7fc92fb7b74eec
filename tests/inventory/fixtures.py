"""Fixtures shared by the inventory pages and API tests: a signed-in player, their hero, and a sword and shield."""

import pytest


@pytest.fixture
def player(make, auth):
    user = make.user()
    auth.login(user)
    return user


@pytest.fixture
def hero(make, player):
    return make.character(owner=player, name="Brannoc")


@pytest.fixture
def arms(make, hero):
    """Arming Sword (5 damage) in the main hand, Kite Shield (3 defense) in the off hand, a Two-Handed Sword (12)."""
    sword = make.item(name="Arming Sword", slot="ONE_HAND", damage=5, weight=1.4)
    shield = make.item(name="Kite Shield", slot="ONE_HAND", defense=3, weight=5.0)
    greatsword = make.item(name="Two-Handed Sword", slot="TWO_HANDS", damage=12, weight=3.2)
    for item in (sword, shield, greatsword):
        make.give(hero, item)
    make.equip(hero, sword, "main_hand")
    make.equip(hero, shield, "off_hand")
    return sword, shield, greatsword
