"""The demo (`flask seed --demo`): accounts that sign in, characters that obey the rules, a running campaign."""

from collections import Counter
from functools import cache

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.models import (
    Archetype,
    Campaign,
    CampaignEvent,
    CampaignStatus,
    Character,
    EquippedItem,
    InventoryEntry,
    Item,
    Membership,
    MembershipStatus,
    Race,
    Role,
    User,
    Visibility,
)
from webapp.seed import demo as demo_module
from webapp.seed.demo import ACCOUNTS, load_demo
from webapp.seed.items import ITEMS
from webapp.services.passwords import hash_password, verify_password

POINT_COST = {8: 0, 9: 1, 10: 2, 11: 3, 12: 4, 13: 5, 14: 7, 15: 9}
SAME_NAME_SLOTS = ("head", "face", "chest", "legs", "feet", "hands", "amulet", "belt", "backpack", "cloak")
SLOT_TAKES = {
    **{slot: {slot.upper()} for slot in SAME_NAME_SLOTS},
    "main_hand": {"ONE_HAND", "TWO_HANDS"},
    "off_hand": {"ONE_HAND"},
    "ring_left": {"RING"},
    "ring_right": {"RING"},
}
DEMO_TABLES = (User, Character, InventoryEntry, EquippedItem, Campaign, Membership, CampaignEvent, Item)


@pytest.fixture(autouse=True)
def hash_each_password_once(monkeypatch):
    """argon2 is slow on purpose; each demo password is hashed once per test session, not once per test."""
    monkeypatch.setattr(demo_module, "hash_password", _hash_once)


_hash_once = cache(hash_password)


@pytest.fixture
def demo(db) -> list[str]:
    return load_demo()


@pytest.fixture
def characters(demo, db) -> list[Character]:
    query = sa.select(Character).options(
        selectinload(Character.race).selectinload(Race.skills),
        selectinload(Character.archetype).selectinload(Archetype.skills),
        selectinload(Character.archetype).selectinload(Archetype.required_races),
        selectinload(Character.skills),
        selectinload(Character.perks),
        selectinload(Character.inventory).selectinload(InventoryEntry.item),
        selectinload(Character.equipment).selectinload(EquippedItem.item),
    )
    return list(db.session.scalars(query))


def count_rows(db) -> dict[str, int]:
    return {model.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(model)) for model in DEMO_TABLES}


def level_for(experience: int) -> int:
    return max(level for level in range(1, 21) if 100 * level * (level - 1) // 2 <= experience)


def test_demo_loads_twice_without_duplicates(db):
    first = load_demo()
    counts = count_rows(db)
    second = load_demo()

    assert count_rows(db) == counts
    assert first == second
    assert counts["Character"] == 4
    assert counts["Campaign"] == 1


def test_demo_loads_the_reference_content_when_it_is_missing(demo, db):
    assert count_rows(db)["Item"] == len(ITEMS)


def test_demo_lines_tell_how_to_sign_in_and_join(demo, db):
    text = "\n".join(demo)
    invite_code = db.session.scalars(sa.select(Campaign.invite_code)).one()

    for account in ACCOUNTS:
        assert account.email in text
        assert account.password in text
    assert invite_code in text


def test_demo_accounts_sign_in_with_the_printed_passwords(demo, db):
    users = {user.email: user for user in db.session.scalars(sa.select(User))}

    for account in ACCOUNTS:
        user = users[account.email]
        assert len(account.password) >= 12
        assert verify_password(user.password_hash, account.password)
        assert user.email_verified and user.is_active
    assert users["admin@tavern.test"].role == Role.ADMIN
    assert {users[email].role for email in ("gm@tavern.test", "player1@tavern.test", "player2@tavern.test")} == {
        Role.USER
    }


def test_reloading_the_demo_gives_a_changed_password_back(demo, db):
    gm = db.session.scalars(sa.select(User).where(User.email == "gm@tavern.test")).one()
    gm.password_hash = hash_password("something-else-entirely")
    db.session.commit()

    load_demo()

    assert verify_password(db.session.get(User, gm.id).password_hash, "tavern-demo-gm")


def test_each_player_has_two_characters_some_public_some_private(characters, db):
    owners = {user.id: user.email for user in db.session.scalars(sa.select(User))}

    assert Counter(owners[c.owner_id] for c in characters) == {"player1@tavern.test": 2, "player2@tavern.test": 2}
    assert {c.visibility for c in characters} == {Visibility.PUBLIC, Visibility.PRIVATE}
    assert {c.race.name for c in characters} >= {"Dwarf"}


def test_demo_characters_follow_the_creation_rules(characters):
    for character in characters:
        scores = [character.strength, character.constitution, character.dexterity]
        scores += [character.intelligence, character.wisdom, character.charisma]
        assert all(8 <= score <= 15 for score in scores), character.name
        assert sum(POINT_COST[score] for score in scores) <= 27, character.name
        assert character.level == level_for(character.experience), character.name
        required = character.archetype.required_races
        assert not required or character.race in required, character.name


def test_demo_characters_know_only_skills_and_perks_they_may_learn(characters):
    for character in characters:
        learnable = {s.id for s in character.race.skills} | {s.id for s in character.archetype.skills}
        assert character.skills, character.name
        for skill in character.skills:
            assert skill.id in learnable, skill.name
            assert skill.required_level <= character.level, skill.name
        assert len(character.perks) <= 1 + character.level // 4, character.name
        assert all(perk.required_level <= character.level for perk in character.perks), character.name


def test_demo_equipment_fits_its_slots(characters):
    for character in characters:
        held = {entry.item_id: entry.quantity for entry in character.inventory}
        worn = {equipped.slot.value: equipped.item for equipped in character.equipment}
        assert character.inventory and worn, character.name
        assert all(quantity >= 1 for quantity in held.values()), character.name
        for slot, item in worn.items():
            assert item.slot.value in SLOT_TAKES[slot], f"{character.name}: {item.name} in {slot}"
            assert item.required_level <= character.level, f"{character.name}: {item.name}"
            assert item.id in held, f"{character.name}: {item.name} is not in the inventory"
        if "main_hand" in worn and worn["main_hand"].slot.value == "TWO_HANDS":
            assert "off_hand" not in worn, character.name
        for item_id, times_worn in Counter(item.id for item in worn.values()).items():
            assert held[item_id] >= times_worn, character.name


def test_demo_campaign_is_run_by_the_gm_with_one_approved_member_per_player(demo, db):
    campaign = db.session.scalars(sa.select(Campaign)).one()
    gm = db.session.scalars(sa.select(User).where(User.email == "gm@tavern.test")).one()
    memberships = db.session.scalars(sa.select(Membership)).all()
    events = db.session.scalars(sa.select(CampaignEvent).where(CampaignEvent.campaign_id == campaign.id)).all()
    players = {u.id for u in db.session.scalars(sa.select(User).where(User.email.like("player%")))}

    assert campaign.owner_id == gm.id
    assert campaign.status == CampaignStatus.ACTIVE
    assert len(campaign.invite_code) >= 12
    assert sorted(m.user_id for m in memberships) == sorted(players)
    for membership in memberships:
        assert membership.campaign_id == campaign.id
        assert membership.status == MembershipStatus.APPROVED
        assert membership.active and membership.joined_at is not None
    assert len(events) >= 3
    assert {"CREATED", "JOINED"} <= {event.kind.value for event in events}
