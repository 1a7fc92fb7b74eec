"""Factories that build valid rows with sensible defaults; every keyword overrides a column."""

import itertools

from webapp.extensions import db
from webapp.models import (
    Archetype,
    Campaign,
    Character,
    EquippedItem,
    InventoryEntry,
    Item,
    Perk,
    Race,
    Role,
    Skill,
    Tag,
    User,
    Visibility,
)
from webapp.services.passwords import hash_password

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
_seq = itertools.count(1)


def _n() -> int:
    return next(_seq)


def _save(obj):
    db.session.add(obj)
    db.session.commit()
    return obj


def user(**kw) -> User:
    n = _n()
    kw.setdefault("email", f"player{n}@example.com")
    kw.setdefault("display_name", f"Player {n}")
    kw.setdefault("password_hash", _PASSWORD_HASH)
    kw.setdefault("email_verified", True)
    kw.setdefault("role", Role.USER)
    return _save(User(**kw))


def tag(**kw) -> Tag:
    kw.setdefault("name", f"Tag {_n()}")
    return _save(Tag(**kw))


def skill(**kw) -> Skill:
    kw.setdefault("name", f"Skill {_n()}")
    kw.setdefault("required_level", 1)
    return _save(Skill(**kw))


def perk(**kw) -> Perk:
    kw.setdefault("name", f"Perk {_n()}")
    kw.setdefault("required_level", 1)
    return _save(Perk(**kw))


def race(**kw) -> Race:
    kw.setdefault("name", f"Race {_n()}")
    kw.setdefault("skills", [])
    return _save(Race(**kw))


def archetype(**kw) -> Archetype:
    kw.setdefault("name", f"Archetype {_n()}")
    kw.setdefault("health_per_level", 8)
    kw.setdefault("mana_per_level", 2)
    kw.setdefault("stamina_per_level", 6)
    kw.setdefault("required_races", [])
    kw.setdefault("skills", [])
    return _save(Archetype(**kw))


def item(**kw) -> Item:
    kw.setdefault("name", f"Item {_n()}")
    kw.setdefault("weight", 1.0)
    return _save(Item(**kw))


def character(**kw) -> Character:
    if "owner" not in kw and "owner_id" not in kw:
        kw["owner"] = user()
    owner = kw.pop("owner", None)
    if owner is not None:
        kw["owner_id"] = owner.id
    race_ = kw.pop("race", None) or race()
    archetype_ = kw.pop("archetype", None) or archetype()
    kw.setdefault("name", f"Hero {_n()}")
    kw.setdefault("visibility", Visibility.PUBLIC)
    return _save(Character(race_id=race_.id, archetype_id=archetype_.id, **kw))


def give(character_: Character, item_: Item, quantity: int = 1) -> InventoryEntry:
    return _save(InventoryEntry(character_id=character_.id, item_id=item_.id, quantity=quantity))


def equip(character_: Character, item_: Item, slot: str) -> EquippedItem:
    return _save(EquippedItem(character_id=character_.id, item_id=item_.id, slot=slot))


def campaign(**kw) -> Campaign:
    n = _n()
    if "owner" not in kw and "owner_id" not in kw:
        kw["owner"] = user()
    owner = kw.pop("owner", None)
    if owner is not None:
        kw["owner_id"] = owner.id
    kw.setdefault("name", f"Campaign {n}")
    kw.setdefault("invite_code", f"code{n:08d}")
    return _save(Campaign(**kw))


def membership(campaign_, character_, status: str = "APPROVED", **kw):
    """A character's active membership in a campaign (APPROVED unless told), its level under the campaign's cap."""
    from webapp.models import Membership, MembershipStatus
    from webapp.models.base import utcnow

    status = MembershipStatus(status)
    kw.setdefault("user_id", character_.owner_id)
    kw.setdefault("active", True)
    kw.setdefault("joined_at", utcnow() if status == MembershipStatus.APPROVED else None)
    return _save(Membership(campaign_id=campaign_.id, character_id=character_.id, status=status, **kw))


def party(size: int = 3, gm=None, **campaign_kw):
    """A campaign run by `gm` (a new user unless given) with `size` APPROVED characters of different players."""
    campaign_ = campaign(owner=gm or user(), **campaign_kw)
    characters = [character() for _ in range(size)]
    for character_ in characters:
        membership(campaign_, character_)
    return campaign_, characters


def reference():
    """The seeded reference content (races, archetypes, skills, perks, items) by kind and name."""
    from sqlalchemy import select

    from webapp.seed import load_reference

    load_reference()
    found = {}
    for model in (Race, Archetype, Skill, Perk, Item):
        rows = db.session.execute(select(model).where(model.owner_id.is_(None))).scalars()
        found[model.__name__.lower()] = {row.name: row for row in rows}
    return found


def point_buy(**overrides) -> dict:
    """Six base scores costing 27 points (15, 14, 13, 12, 10, 8), STR highest; keywords change any."""
    scores = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
    return {**scores, **overrides}


def personal_token(user_, scope: str = "read", **kw):
    """A personal API token of `user_`; returns (row, secret), the secret ready for `Authorization: Bearer`."""
    from webapp.models import TokenScope
    from webapp.services.credentials import add_personal_token

    name, expires_at = kw.pop("name", f"Token {_n()}"), kw.pop("expires_at", None)
    row, secret = add_personal_token(user_, name, TokenScope(scope), expires_at)
    for key, value in kw.items():
        setattr(row, key, value)
    db.session.commit()
    return row, secret


def access_token(user_) -> str:
    """A JWT access token for `user_`, as /api/v1/auth/login would issue."""
    from webapp.services.tokens import issue_access_token

    return issue_access_token(user_.id, user_.security_stamp)
