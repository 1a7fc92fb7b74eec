"""Demo accounts, characters and a campaign for `flask seed --demo`; running it again adds nothing twice."""

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from webapp.extensions import db
from webapp.models import (
    ATTRIBUTE_NAMES,
    Archetype,
    Campaign,
    CampaignEvent,
    Character,
    EquippedItem,
    EquipSlot,
    EventKind,
    InventoryEntry,
    Item,
    Membership,
    MembershipStatus,
    Perk,
    Race,
    Rarity,
    Role,
    Skill,
    User,
    Visibility,
)
from webapp.models.base import utcnow
from webapp.rules import level_for_xp
from webapp.seed import load_reference
from webapp.services import campaign_events
from webapp.services.passwords import hash_password, verify_password


@dataclass(frozen=True)
class DemoAccount:
    label: str
    email: str
    display_name: str
    password: str
    role: Role = Role.USER


@dataclass(frozen=True)
class DemoCharacter:
    """A ready-made character; scores are STR, CON, DEX, INT, WIS, CHA from a 27-point buy."""

    owner: str
    name: str
    race: str
    archetype: str
    scores: tuple[int, int, int, int, int, int]
    experience: int
    visibility: Visibility
    sex: str
    age: int
    description: str
    skills: tuple[str, ...]
    perks: tuple[str, ...]
    inventory: dict[str, int]
    equipment: dict[str, str] = field(default_factory=dict)
    joins_campaign: bool = False


ADMIN = DemoAccount("administrator", "admin@tavern.test", "Ada Ledger", "tavern-demo-admin", Role.ADMIN)
GM = DemoAccount("game master", "gm@tavern.test", "Gideon Mapwright", "tavern-demo-gm")
PLAYER_1 = DemoAccount("player", "player1@tavern.test", "Piper Reyes", "tavern-demo-player1")
PLAYER_2 = DemoAccount("player", "player2@tavern.test", "Pell Okafor", "tavern-demo-player2")
ACCOUNTS = (ADMIN, GM, PLAYER_1, PLAYER_2)

CHARACTERS = (
    DemoCharacter(
        owner=PLAYER_1.email,
        name="Dorrik Ashenbrow",
        race="Dwarf",
        archetype="Runesmith",
        scores=(13, 14, 8, 15, 12, 10),
        experience=700,
        visibility=Visibility.PUBLIC,
        sex="male",
        age=97,
        description="A soot-bearded runesmith who left the hill-halls to find the forge his grandfather lost.",
        skills=("Stone Reading", "Forge Work", "Rune Tracing"),
        perks=("Thick Skull", "Iron Stomach"),
        inventory={
            "Steel Flanged Mace": 1,
            "Iron Kite Shield": 1,
            "Iron Helm": 1,
            "Iron Mail Hauberk": 1,
            "Rawhide Boots": 1,
            "Copper Ring of Insight": 1,
            "Rawhide Backpack": 1,
            "Minor Healing Draught": 3,
            "Hardtack Ration": 5,
            "Hooded Lantern": 1,
            "Tinderbox": 1,
            "Cracked Seal of House Varrow": 1,
        },
        equipment={
            "main_hand": "Steel Flanged Mace",
            "off_hand": "Iron Kite Shield",
            "head": "Iron Helm",
            "chest": "Iron Mail Hauberk",
            "feet": "Rawhide Boots",
            "ring_left": "Copper Ring of Insight",
            "backpack": "Rawhide Backpack",
        },
        joins_campaign=True,
    ),
    DemoCharacter(
        owner=PLAYER_1.email,
        name="Sefa Windlow",
        race="Elf",
        archetype="Gladewarden",
        scores=(10, 12, 15, 12, 14, 8),
        experience=350,
        visibility=Visibility.PRIVATE,
        sex="female",
        age=143,
        description="A quiet archer who keeps a tally of every tree felled along the border road.",
        skills=("Quiet Step", "Tree Speech", "Campfire Cooking"),
        perks=("Keen Nose",),
        inventory={
            "Yew Longbow": 1,
            "Bundle of Arrows": 3,
            "Iron Dagger": 2,
            "Rawhide Cap": 1,
            "Hardened Leather Jerkin": 1,
            "Rawhide Leggings": 1,
            "Rawhide Gloves": 1,
            "Linen Cloak": 1,
            "Honeyed Oatcake": 4,
            "Bedroll": 1,
            "Hempen Rope": 1,
        },
        equipment={
            "main_hand": "Yew Longbow",
            "head": "Rawhide Cap",
            "chest": "Hardened Leather Jerkin",
            "legs": "Rawhide Leggings",
            "hands": "Rawhide Gloves",
            "cloak": "Linen Cloak",
        },
    ),
    DemoCharacter(
        owner=PLAYER_2.email,
        name="Tamsin Reedwell",
        race="Human",
        archetype="Hearthguard",
        scores=(14, 15, 10, 8, 12, 11),
        experience=150,
        visibility=Visibility.PUBLIC,
        sex="female",
        age=24,
        description="A miller's daughter who took up her late brother's sword and has not put it down since.",
        skills=("Steady Footing", "Haggling", "Field Dressing"),
        perks=("Light Sleeper",),
        inventory={
            "Iron Arming Sword": 1,
            "Ash Buckler": 1,
            "Iron Faceguard": 1,
            "Iron Greaves": 1,
            "Iron Sabatons": 1,
            "Iron Gauntlets": 1,
            "Rawhide Belt": 1,
            "Rawhide Mantle": 1,
            "Minor Healing Draught": 2,
            "Stormbrew Ale": 2,
            "Letter from the Ferryman": 1,
        },
        equipment={
            "main_hand": "Iron Arming Sword",
            "off_hand": "Ash Buckler",
            "face": "Iron Faceguard",
            "legs": "Iron Greaves",
            "feet": "Iron Sabatons",
            "hands": "Iron Gauntlets",
            "belt": "Rawhide Belt",
            "cloak": "Rawhide Mantle",
        },
        joins_campaign=True,
    ),
    DemoCharacter(
        owner=PLAYER_2.email,
        name="Quillon Ashvey",
        race="Cindrel",
        archetype="Hexweaver",
        scores=(8, 13, 12, 15, 12, 13),
        experience=1200,
        visibility=Visibility.PRIVATE,
        sex="male",
        age=31,
        description="A former archivist whose notes keep catching fire whenever he loses an argument.",
        skills=("Spark Kindling", "Rune Tracing", "Silver Tongue"),
        perks=("Lucky Coin", "Second Wind"),
        inventory={
            "Yew Staff": 1,
            "Yew Wand": 1,
            "Woolen Robe": 1,
            "Linen Hood": 1,
            "Linen Slippers": 1,
            "Silver Ring of Insight": 1,
            "Silver Ring of Clarity": 1,
            "Copper Amulet of the Wellspring": 1,
            "Linen Satchel": 1,
            "Minor Focus Tonic": 4,
            "Smoke Egg": 2,
            "Map Fragment of the Sunken Stair": 1,
        },
        equipment={
            "main_hand": "Yew Staff",
            "head": "Linen Hood",
            "chest": "Woolen Robe",
            "feet": "Linen Slippers",
            "ring_left": "Silver Ring of Insight",
            "ring_right": "Silver Ring of Clarity",
            "amulet": "Copper Amulet of the Wellspring",
            "backpack": "Linen Satchel",
        },
    ),
)

CAMPAIGN_NAME = "The Sunken Stair"
CAMPAIGN_DESCRIPTION = (
    "A torn sea chart marks a stair that leads down under the waves off the Saltborn coast. "
    "Someone has been buying up every copy of that chart, and the harbour bells ring at low tide."
)
GRANTED_ITEM = "Cracked Seal of House Varrow"
XP_AWARD = 100


@dataclass
class Compendium:
    """The system content the demo refers to, by name."""

    races: dict[str, Race]
    archetypes: dict[str, Archetype]
    skills: dict[str, Skill]
    perks: dict[str, Perk]
    items: dict[str, Item]

    @property
    def complete(self) -> bool:
        return all(
            names <= lookup.keys()
            for names, lookup in (
                ({c.race for c in CHARACTERS}, self.races),
                ({c.archetype for c in CHARACTERS}, self.archetypes),
                ({s for c in CHARACTERS for s in c.skills}, self.skills),
                ({p for c in CHARACTERS for p in c.perks}, self.perks),
                ({i for c in CHARACTERS for i in c.inventory} | {GRANTED_ITEM}, self.items),
            )
        )


def load_demo() -> list[str]:
    """Create whatever part of the demo is missing, commit once, and return the sign-in details to print."""
    compendium = reference_content()
    users = ensure_accounts()
    characters = ensure_characters(users, compendium)
    campaign = ensure_campaign(users[GM.email], characters, compendium)
    db.session.commit()
    return [
        "Demo accounts:",
        *(f"  {a.label:<13} {a.email:<20} password: {a.password}" for a in ACCOUNTS),
        f"Campaign “{CAMPAIGN_NAME}” (run by {GM.email}), invite code: {campaign.invite_code}",
    ]


def reference_content() -> Compendium:
    """The system content the demo needs, loading the reference content first if any of it is missing."""
    compendium = find_reference()
    if not compendium.complete:
        load_reference()
        compendium = find_reference()
    return compendium


def find_reference() -> Compendium:
    """All system races, archetypes, skills, perks and items, each table in one query."""

    def by_name(model: type) -> dict:
        return {row.name: row for row in db.session.scalars(select(model).where(model.owner_id.is_(None)))}

    return Compendium(by_name(Race), by_name(Archetype), by_name(Skill), by_name(Perk), by_name(Item))


def ensure_accounts() -> dict[str, User]:
    """The four demo users by email; an existing one gets the demo password back if it was changed."""
    existing = {u.email: u for u in db.session.scalars(select(User).where(User.email.in_(a.email for a in ACCOUNTS)))}
    for account in ACCOUNTS:
        user = existing.get(account.email)
        if user is None:
            existing[account.email] = User(
                email=account.email,
                display_name=account.display_name,
                password_hash=hash_password(account.password),
                role=account.role,
                email_verified=True,
            )
            db.session.add(existing[account.email])
        elif not verify_password(user.password_hash, account.password):
            user.password_hash = hash_password(account.password)
    db.session.flush()
    return existing


def ensure_characters(users: dict[str, User], compendium: Compendium) -> dict[str, Character]:
    """The demo characters by name; missing ones are built with their skills, perks, pack and equipment."""
    owner_ids = [users[c.owner].id for c in CHARACTERS]
    query = select(Character).where(Character.owner_id.in_(owner_ids), Character.name.in_(c.name for c in CHARACTERS))
    existing = {(c.owner_id, c.name): c for c in db.session.scalars(query)}
    characters = {}
    for spec in CHARACTERS:
        owner_id = users[spec.owner].id
        character = existing.get((owner_id, spec.name))
        if character is None:
            character = build_character(spec, owner_id, compendium)
            db.session.add(character)
        characters[spec.name] = character
    db.session.flush()
    return characters


def build_character(spec: DemoCharacter, owner_id: uuid.UUID, compendium: Compendium) -> Character:
    """A new character as the builder would make it: level from experience, skills, perks, pack, gear."""
    items = compendium.items
    return Character(
        owner_id=owner_id,
        name=spec.name,
        sex=spec.sex,
        age=spec.age,
        description=spec.description,
        race_id=compendium.races[spec.race].id,
        archetype_id=compendium.archetypes[spec.archetype].id,
        **dict(zip(ATTRIBUTE_NAMES, spec.scores, strict=True)),
        experience=spec.experience,
        level=level_for_xp(spec.experience),
        visibility=spec.visibility,
        skills=[compendium.skills[name] for name in spec.skills],
        perks=[compendium.perks[name] for name in spec.perks],
        inventory=[InventoryEntry(item=items[name], quantity=n) for name, n in spec.inventory.items()],
        equipment=[EquippedItem(slot=EquipSlot(slot), item=items[name]) for slot, name in spec.equipment.items()],
    )


def ensure_campaign(gm: User, characters: dict[str, Character], compendium: Compendium) -> Campaign:
    """The GM's campaign with every joining character approved; a new campaign gets a short history."""
    query = select(Campaign).where(Campaign.owner_id == gm.id, Campaign.name == CAMPAIGN_NAME)
    campaign = db.session.scalars(query).one_or_none()
    created = campaign is None
    if created:
        campaign = Campaign(
            owner_id=gm.id,
            name=CAMPAIGN_NAME,
            description=CAMPAIGN_DESCRIPTION,
            invite_code=secrets.token_urlsafe(9),
            visibility=Visibility.PUBLIC,
            level_cap=10,
            max_rarity=Rarity.RARE,
            point_budget=27,
        )
        db.session.add(campaign)
        db.session.flush()
        log(campaign, EventKind.CREATED, gm.id, at=days_ago(14), body=f"{gm.display_name} opened the campaign.")
    members = [characters[spec.name] for spec in CHARACTERS if spec.joins_campaign]
    joined = join_missing(campaign, members)
    if created:
        tell_the_story(campaign, gm, joined, compendium.items[GRANTED_ITEM])
    return campaign


def join_missing(campaign: Campaign, members: list[Character]) -> list[Character]:
    """Approve each character that is neither in this campaign already nor active in another; returns them."""
    query = select(Membership).where(Membership.character_id.in_(c.id for c in members))
    taken = {m.character_id for m in db.session.scalars(query) if m.active or m.campaign_id == campaign.id}
    joined = [c for c in members if c.id not in taken]
    for character in joined:
        joined_at = days_ago(12)
        db.session.add(
            Membership(
                campaign_id=campaign.id,
                user_id=character.owner_id,
                character_id=character.id,
                status=MembershipStatus.APPROVED,
                active=True,
                joined_at=joined_at,
            )
        )
        log(
            campaign,
            EventKind.JOINED,
            character.owner_id,
            at=joined_at,
            character=character,
            body=f"{character.name} joined the party.",
        )
    return joined


def tell_the_story(campaign: Campaign, gm: User, party: list[Character], granted: Item) -> None:
    """A few log entries so that a fresh campaign page has something to show."""
    for character in party:
        log(
            campaign,
            EventKind.XP_AWARD,
            gm.id,
            at=days_ago(5),
            character=character,
            data={"experience": XP_AWARD},
            body=f"{character.name} earned {XP_AWARD} XP for clearing the flooded cellar.",
        )
    if party:
        log(
            campaign,
            EventKind.ITEM_GRANT,
            gm.id,
            at=days_ago(5),
            character=party[0],
            data={"item_id": str(granted.id), "quantity": 1},
            body=f"{party[0].name} found the {granted.name} in the cellar mud.",
        )
    log(
        campaign,
        EventKind.NOTE,
        gm.id,
        at=days_ago(1),
        body="**Next session:** the harbour bells at low tide. Bring *rope* and a lantern.",
    )


def log(
    campaign: Campaign,
    kind: EventKind,
    actor_id: uuid.UUID,
    *,
    at: datetime,
    body: str,
    character: Character | None = None,
    data: dict | None = None,
) -> None:
    db.session.add(
        CampaignEvent(
            campaign_id=campaign.id,
            seq=campaign_events.next_number(campaign.id),
            actor_id=actor_id,
            character_id=character.id if character else None,
            kind=kind,
            body=body,
            data=data or {},
            created_at=at,
        )
    )


def days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)
