"""Bulk-built benchmark data that obeys the rules: users, characters, 30-item inventories and fitting equipment."""

import queue
import random
import sys
import threading
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TextIO

import sqlalchemy as sa

from webapp.models import Archetype, Character, EquippedItem, InventoryEntry, Item, Perk, Race, Skill, User
from webapp.models.base import new_id
from webapp.models.character import character_perks, character_skills
from webapp.models.compendium import archetype_required_races, archetype_skills, race_skills
from webapp.rules import (
    ATTRIBUTES,
    DEFAULT_BUDGET,
    MAX_BASE,
    MAX_EFFECTIVE,
    MAX_LEVEL,
    MIN_BASE,
    MIN_EFFECTIVE,
    POINT_COST,
    level_for_xp,
    load_limit,
    max_perks,
    xp_for_level,
)

BENCH_EMAIL = "bench@tavern.test"
BULK_DOMAIN = "bench.tavern.test"
BENCH_PASSWORD = "bench-password-only-for-the-benchmark"  # noqa: S105 - a throwaway account in a throwaway database
CHARACTERS_PER_USER = 10
INVENTORY_SIZE = 30
BATCH = 2000
KG_PER_STRENGTH = 5  # carry capacity = 5 kg × effective STR (the rules' sheet)

FIRST_NAMES = (
    "Brannoc", "Ysolde", "Kael", "Maren", "Tobin", "Seraphine", "Orrin", "Liora", "Dask", "Wren",
    "Halvard", "Isolde", "Corvin", "Nyra", "Bram", "Elowen", "Garrick", "Thessaly", "Rook", "Anwen",
)  # fmt: skip
EPITHETS = (
    "the Bold", "of the Marsh", "Ironhand", "the Quiet", "Stormborn", "the Wanderer", "Ashfoot",
    "of Greyhollow", "the Lucky", "Brightblade", "the Patient", "Oakenshield",
)  # fmt: skip
DESCRIPTIONS = (
    "Raised on a river barge, {name} learned early that every knot and every bargain can be undone.",
    "{name} left the monastery with a borrowed sword, an unpaid debt and a map with one corner missing.",
    "Once a caravan guard, {name} still counts the exits of every room and sleeps with boots on.",
    "{name} collects songs from every tavern on the road and sings none of them well.",
)
# Three slots in five are filled; a two-handed weapon in one main hand of three; rings are rarer.
SLOT_CHANCE = {"head": 0.6, "face": 0.2, "chest": 0.8, "legs": 0.6, "feet": 0.7, "hands": 0.5, "amulet": 0.3}
SLOT_CHANCE |= {"belt": 0.5, "backpack": 0.6, "cloak": 0.4, "ring_left": 0.4, "ring_right": 0.25}
SLOT_ITEM = {"ring_left": "RING", "ring_right": "RING"}  # the rest: the slot's own name in capitals


@dataclass(frozen=True)
class ItemRef:
    id: uuid.UUID
    slot: str
    required_level: int
    weight: float
    strength: int


@dataclass(frozen=True)
class Reference:
    """What characters are built from: the system compendium, read once."""

    # (race, archetype, race's STR bonus, skills either teaches) for every pair the rules allow
    combos: list[tuple[uuid.UUID, uuid.UUID, int, frozenset[uuid.UUID]]]
    items: list[ItemRef]
    skill_levels: dict[uuid.UUID, int]
    perks: list[tuple[uuid.UUID, int]]
    # items[i] of an item slot, for each level, that a character of that level may equip
    equippable: dict[str, list[list[int]]] = field(default_factory=dict)
    light: list[int] = field(default_factory=list)  # the lightest items, for a pack that is too heavy


@dataclass
class Batch:
    users: list[tuple] = field(default_factory=list)
    characters: list[tuple] = field(default_factory=list)
    skills: list[tuple] = field(default_factory=list)
    perks: list[tuple] = field(default_factory=list)
    inventory: list[tuple] = field(default_factory=list)
    equipment: list[tuple] = field(default_factory=list)


@dataclass
class BuildResult:
    characters: int
    added: int
    rows: dict[str, int]
    seconds: float


USER_COLUMNS = (
    "id", "created_at", "updated_at", "email", "display_name", "bio", "role", "password_hash",
    "email_verified", "is_active", "security_stamp",
)  # fmt: skip
CHARACTER_COLUMNS = (
    "id", "created_at", "updated_at", "owner_id", "visibility", "name", "sex", "age", "description",
    "race_id", "archetype_id", *ATTRIBUTES, "experience", "level",
)  # fmt: skip
TABLES = (
    ("users", User.__table__, USER_COLUMNS),
    ("characters", Character.__table__, CHARACTER_COLUMNS),
    ("skills", character_skills, ("character_id", "skill_id")),
    ("perks", character_perks, ("character_id", "perk_id")),
    ("inventory", InventoryEntry.__table__, ("character_id", "item_id", "quantity")),
    ("equipment", EquippedItem.__table__, ("character_id", "slot", "item_id")),
)


def load_reference_data(connection: sa.Connection) -> Reference:
    """Read races, archetypes, skills, perks and items of the system compendium (run the seed first)."""
    races = {r.id: r for r in connection.execute(sa.select(Race).where(Race.owner_id.is_(None)))}
    archetypes = [a.id for a in connection.execute(sa.select(Archetype.id).where(Archetype.owner_id.is_(None)))]
    if not races or not archetypes:
        raise RuntimeError("No reference content: load it first (webapp.seed.load_reference)")
    required = _pairs(connection, archetype_required_races, "archetype_id", "race_id")
    taught = _pairs(connection, race_skills, "race_id", "skill_id")
    for archetype, skills in _pairs(connection, archetype_skills, "archetype_id", "skill_id").items():
        taught.setdefault(archetype, set()).update(skills)
    combos = [
        (race_id, archetype_id, race.strength_bonus, frozenset(taught.get(race_id, ()) | taught.get(archetype_id, ())))
        for archetype_id in archetypes
        for race_id, race in races.items()
        if not required.get(archetype_id) or race_id in required[archetype_id]
    ]
    items = [
        ItemRef(row.id, str(row.slot), row.required_level, row.weight, row.bonus_strength)
        for row in connection.execute(
            sa.select(Item.id, Item.slot, Item.required_level, Item.weight, Item.bonus_strength)
            .where(Item.owner_id.is_(None))
            .order_by(Item.name)
        )
    ]
    skill_levels = {
        s: level
        for s, level in connection.execute(sa.select(Skill.id, Skill.required_level).where(Skill.owner_id.is_(None)))
    }
    perks = [
        tuple(row) for row in connection.execute(sa.select(Perk.id, Perk.required_level).where(Perk.owner_id.is_(None)))
    ]
    equippable = {
        slot: [[i for i, item in enumerate(items) if item.slot == slot and item.required_level <= level]
               for level in range(MAX_LEVEL + 1)]
        for slot in {item.slot for item in items}
    }  # fmt: skip
    light = sorted(range(len(items)), key=lambda i: items[i].weight)[: INVENTORY_SIZE * 2]
    return Reference(combos, items, skill_levels, perks, equippable, light)


def _pairs(connection: sa.Connection, table: sa.Table, left: str, right: str) -> dict[uuid.UUID, set[uuid.UUID]]:
    result: dict[uuid.UUID, set[uuid.UUID]] = {}
    for a, b in connection.execute(sa.select(table.c[left], table.c[right])):
        result.setdefault(a, set()).add(b)
    return result


def point_buy_pool(rng: random.Random, size: int = 500) -> list[tuple[int, ...]]:
    """Base scores in 8–15 bought with at most the default 27 points, spent at random."""
    pool = []
    for _ in range(size):
        scores = dict.fromkeys(ATTRIBUTES, MIN_BASE)
        left = DEFAULT_BUDGET - rng.choice((0, 0, 0, 1, 2))
        while True:
            steps = {a: POINT_COST[s + 1] - POINT_COST[s] for a, s in scores.items() if s < MAX_BASE}
            options = [a for a, cost in steps.items() if cost <= left]
            if not options:
                break
            chosen = rng.choice(options)
            left -= steps[chosen]
            scores[chosen] += 1
        pool.append(tuple(scores[a] for a in ATTRIBUTES))
    return pool


def random_experience(rng: random.Random) -> int:
    """Experience for a level skewed towards the low ones, anywhere inside that level's band."""
    level = min(MAX_LEVEL, 1 + int(rng.expovariate(1 / 4)))
    start = xp_for_level(level)
    end = xp_for_level(level + 1) if level < MAX_LEVEL else start + 5000
    return rng.randrange(start, end)


def carry_limit(strength: int) -> float:
    """The heaviest load the rules let a character of this effective STR (before clamping) reach by adding items."""
    return load_limit(KG_PER_STRENGTH * max(MIN_EFFECTIVE, min(MAX_EFFECTIVE, strength)))


class Generator:
    """Makes the rows of character number k (0-based), deterministic for a seed.

    `headroom_kg` keeps packs that much under the load limit, so that quantities can later grow.
    """

    def __init__(self, reference: Reference, password_hash: str, seed: int, headroom_kg: float = 0.0) -> None:
        self.ref = reference
        self.password_hash = password_hash
        self.seed = seed
        self.headroom_kg = headroom_kg
        self.scores = point_buy_pool(random.Random(seed))

    def user_row(self, email: str, display_name: str, now: datetime) -> tuple:
        return (new_id(), now, now, email, display_name, "", "USER", self.password_hash, True, True, 0)

    def character(self, k: int, owner_id: uuid.UUID, now: datetime, batch: Batch) -> None:
        rng = random.Random(self.seed * 1_000_003 + k)
        ref = self.ref
        race_id, archetype_id, strength_bonus, teachable = rng.choice(ref.combos)
        scores = rng.choice(self.scores)
        experience = random_experience(rng)
        level = level_for_xp(experience)
        character_id = new_id()
        name = f"{FIRST_NAMES[k % len(FIRST_NAMES)]} {EPITHETS[k // len(FIRST_NAMES) % len(EPITHETS)]} {k}"
        visibility = "PRIVATE" if rng.random() < 0.15 else "PUBLIC"
        sex = rng.choice(("female", "male", ""))
        description = rng.choice(DESCRIPTIONS).format(name=name)
        batch.characters.append(
            (character_id, now, now, owner_id, visibility, name, sex, rng.randint(16, 300), description,
             race_id, archetype_id, *scores, experience, level)
        )  # fmt: skip
        equipped = self.equipment(rng, level)
        for slot, index in equipped.items():
            batch.equipment.append((character_id, slot, ref.items[index].id))
        for index, quantity in self.inventory(rng, equipped, scores[0] + strength_bonus).items():
            batch.inventory.append((character_id, ref.items[index].id, quantity))
        learnable = [s for s in teachable if ref.skill_levels.get(s, MAX_LEVEL + 1) <= level]
        for skill_id in rng.sample(learnable, min(len(learnable), rng.randint(0, 3))):
            batch.skills.append((character_id, skill_id))
        perks = [p for p, required in ref.perks if required <= level]
        for perk_id in rng.sample(perks, min(len(perks), rng.randint(0, max_perks(level)))):
            batch.perks.append((character_id, perk_id))

    def equipment(self, rng: random.Random, level: int) -> dict[str, int]:
        """Slot → index of an item that fits it and that the level allows; two hands leave the off hand empty."""
        equippable = self.ref.equippable
        chosen: dict[str, int] = {}
        weapon = rng.random()
        if weapon < 0.3 and equippable.get("TWO_HANDS", [[]] * (level + 1))[level]:
            chosen["main_hand"] = rng.choice(equippable["TWO_HANDS"][level])
        elif weapon < 0.9 and equippable.get("ONE_HAND", [[]] * (level + 1))[level]:
            chosen["main_hand"] = rng.choice(equippable["ONE_HAND"][level])
            if rng.random() < 0.5:
                chosen["off_hand"] = rng.choice(equippable["ONE_HAND"][level])
        for slot, chance in SLOT_CHANCE.items():
            options = equippable.get(SLOT_ITEM.get(slot, slot.upper()), [[]] * (level + 1))[level]
            if options and rng.random() < chance:
                chosen[slot] = rng.choice(options)
        return chosen

    def inventory(self, rng: random.Random, equipped: dict[str, int], strength: int) -> dict[int, int]:
        """30 distinct items: the equipped ones (once per slot they fill) and others, within 2 × capacity."""
        items = self.ref.items
        quantities: dict[int, int] = {}
        for index in equipped.values():
            quantities[index] = quantities.get(index, 0) + 1
        limit = carry_limit(strength + sum(items[i].strength for i in equipped.values()))
        for index in rng.sample(range(len(items)), INVENTORY_SIZE + len(quantities)):
            if len(quantities) >= INVENTORY_SIZE:
                break
            quantities.setdefault(index, 1 if rng.random() < 0.9 else rng.randint(2, 4))
        load = sum(items[i].weight * q for i, q in quantities.items())
        spare = [i for i in self.ref.light if i not in quantities]
        # Headroom is a wish (heavy equipment may leave none); the limit itself is a rule.
        while load > limit - self.headroom_kg and (spare or load > limit):
            heaviest = max((i for i in quantities if i not in equipped.values()), key=lambda i: items[i].weight)
            load -= items[heaviest].weight * quantities.pop(heaviest)
            light = spare.pop(0)
            quantities[light] = 1
            load += items[light].weight
        return quantities


class Progress:
    """A one-line progress bar redrawn with a carriage return."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label, self.total, self.stream = label, max(total, 1), stream or sys.stderr
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        share = done / self.total
        bar = "#" * int(30 * share)
        self.stream.write(
            f"\r{self.label} [{bar:<30}] {done:>9,}/{self.total:,} {share:4.0%}"
            f" {done / elapsed:8,.0f}/s {elapsed:5.1f} s"
        )
        self.stream.flush()

    def close(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


class Writer:
    """Appends rows to a table: PostgreSQL's COPY when available, a Core executemany otherwise."""

    def __init__(self, connection: sa.Connection) -> None:
        self.connection = connection
        self.copy = connection.dialect.name == "postgresql"

    def defer_checks(self) -> None:
        """Skip foreign-key triggers for this transaction on PostgreSQL (as pg_restore does); the rows are ours.

        Needs a superuser, as the benchmark's local database has; without one the checks simply run.
        """
        if not self.copy:
            return
        try:
            with self.connection.begin_nested():
                self.connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        except sa.exc.DBAPIError:
            pass

    def write(self, table: sa.Table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if not self.copy:
            self.connection.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in rows])
            return
        from psycopg import sql

        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, columns))
        )
        raw = self.connection.connection.driver_connection
        with raw.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)


def build(engine: sa.Engine, characters: int, seed: int = 10, progress: bool = True) -> BuildResult:
    """Grow the database to `characters` benchmark characters (adding only the missing ones) and ANALYZE.

    Character k belongs to user k // 10; user 0 is BENCH_EMAIL with BENCH_PASSWORD. Every row obeys the
    rules: point-buy scores, level from experience, equipped items carried and in slots that take them.
    """
    from webapp.services.passwords import hash_password

    started = time.monotonic()
    with engine.connect() as connection:
        existing = bulk_characters(connection)
        reference = load_reference_data(connection)
        owner = None
        if existing % CHARACTERS_PER_USER:
            owner = connection.execute(
                sa.select(User.id).where(User.email == _email(existing // CHARACTERS_PER_USER))
            ).scalar_one()
    generator = Generator(reference, hash_password(BENCH_PASSWORD), seed)
    bar = Progress(f"characters → {characters:,}", characters - existing) if progress else None
    # One thread writes a batch while the main one makes the next: PostgreSQL and Python each get a core.
    with BatchWriter(engine, on_written=lambda done: bar and bar.update(done - existing)) as writer:
        for start in range(existing, characters, BATCH):
            batch = Batch()
            now = datetime.now(UTC)
            for k in range(start, min(start + BATCH, characters)):
                moment = now + timedelta(microseconds=k - start)
                if k % CHARACTERS_PER_USER == 0:
                    u = k // CHARACTERS_PER_USER
                    batch.users.append(generator.user_row(_email(u), f"Bench Player {u}", moment))
                    owner = batch.users[-1][0]
                generator.character(k, owner, moment, batch)
            writer.put(batch, min(start + BATCH, characters))
    if bar:
        bar.close()
    analyze(engine, (table.name for _, table, _ in TABLES))
    return BuildResult(characters, max(characters - existing, 0), writer.rows, time.monotonic() - started)


def bulk_characters(connection: sa.Connection) -> int:
    """How many characters the bulk users own (other accounts, such as the mix's players, are not counted)."""
    bulk_owner = sa.or_(User.email == BENCH_EMAIL, User.email.like(f"%@{BULK_DOMAIN}"))
    query = sa.select(sa.func.count()).select_from(Character).join(User, User.id == Character.owner_id)
    return connection.execute(query.where(bulk_owner)).scalar_one()


class BatchWriter:
    """Writes batches in a background thread, one transaction each; an error is raised in the caller."""

    def __init__(self, engine: sa.Engine, on_written) -> None:
        self.engine = engine
        self.on_written = on_written
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.rows = {name: 0 for name, _, _ in TABLES}
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="bench-dataset-writer", daemon=True)

    def __enter__(self) -> "BatchWriter":
        self.thread.start()
        return self

    def put(self, batch: Batch, done: int) -> None:
        if self.error:
            raise self.error
        self.queue.put((batch, done))

    def __exit__(self, *exc) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error and not exc[0]:
            raise self.error

    def _run(self) -> None:
        while (job := self.queue.get()) is not None:
            if self.error:
                continue
            batch, done = job
            try:
                with self.engine.begin() as connection:
                    writer = Writer(connection)
                    writer.defer_checks()
                    for name, table, columns in TABLES:
                        part = getattr(batch, name)
                        writer.write(table, columns, part)
                        self.rows[name] += len(part)
                self.on_written(done)
            except BaseException as error:  # noqa: BLE001 - handed to the caller's thread
                self.error = error


def _email(u: int) -> str:
    return BENCH_EMAIL if u == 0 else f"player{u}@{BULK_DOMAIN}"


def analyze(engine: sa.Engine, tables: Iterable[str]) -> None:
    """Fresh planner statistics after a bulk load, so the first queries get the plans production would."""
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for name in tables:
                connection.execute(sa.text(f'ANALYZE "{name}"'))
        else:
            connection.execute(sa.text("ANALYZE"))
