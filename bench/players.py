"""The real mix's players: accounts with three characters of 30 inventory rows each, and the rows writes may change."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bench import dataset
from webapp.models import Character, EquippedItem, InventoryEntry, Item, Race, User

PLAYERS = 30
CHARACTERS_EACH = 3
DOMAIN = "mix.tavern.test"
PASSWORD = dataset.BENCH_PASSWORD
SEED = 16
MAX_WRITTEN_QUANTITY = 9
WRITABLE_ROWS = 2  # rows of each character that the mixed table changes
HEADROOM_KG = 15.0  # room under the load limit for those rows at MAX_WRITTEN_QUANTITY
SAFETY_KG = 0.5  # the rules round to hundredths of a kg; stay clear of the limit


@dataclass(frozen=True)
class WritableRow:
    """An inventory row whose quantity may be set to anything from `lowest` to MAX_WRITTEN_QUANTITY."""

    item_id: str
    lowest: int  # 1, or the number of slots the item fills


@dataclass(frozen=True)
class PlayerCharacter:
    player: int
    email: str
    character_id: str
    inventory_rows: int
    writable: tuple[WritableRow, ...]


def email(player: int) -> str:
    return f"player{player}@{DOMAIN}"


def build(engine: sa.Engine, players: int = PLAYERS, seed: int = SEED) -> int:
    """Add the missing players (player0 … player{players-1}) with their characters; return how many were added.

    The characters obey the rules as the bulk ones do, with packs kept HEADROOM_KG under their load limit.
    """
    from webapp.services.passwords import hash_password

    with engine.connect() as connection:
        known = set(connection.execute(sa.select(User.email).where(User.email.like(f"%@{DOMAIN}"))).scalars())
        reference = dataset.load_reference_data(connection)
    missing = [n for n in range(players) if email(n) not in known]
    if not missing:
        return 0
    generator = dataset.Generator(reference, hash_password(PASSWORD), seed, headroom_kg=HEADROOM_KG)
    batch = dataset.Batch()
    now = datetime.now(UTC)
    for n in missing:
        batch.users.append(generator.user_row(email(n), f"Mix Player {n}", now + timedelta(microseconds=n)))
        owner = batch.users[-1][0]
        for j in range(CHARACTERS_EACH):
            k = n * CHARACTERS_EACH + j
            generator.character(k, owner, now + timedelta(microseconds=k), batch)
    with dataset.BatchWriter(engine, on_written=lambda done: None) as writer:
        writer.put(batch, len(missing))
    dataset.analyze(engine, (table.name for _, table, _ in dataset.TABLES))
    return len(missing)


def read(engine: sa.Engine, players: int = PLAYERS) -> list[PlayerCharacter]:
    """Every character of the first `players` players, in player order, with the rows writes may change.

    Raises RuntimeError when a player or a writable row is missing (build first).
    """
    wanted = [email(n) for n in range(players)]
    with engine.connect() as connection:
        characters = connection.execute(
            sa.select(User.email, Character.id, Character.strength, Race.strength_bonus)
            .join(User, User.id == Character.owner_id)
            .join(Race, Race.id == Character.race_id)
            .where(User.email.in_(wanted))
            .order_by(Character.created_at, Character.id)
        ).all()
        ids = [row.id for row in characters]
        inventory = connection.execute(
            sa.select(InventoryEntry.character_id, InventoryEntry.item_id, InventoryEntry.quantity, Item.weight)
            .join(Item, Item.id == InventoryEntry.item_id)
            .where(InventoryEntry.character_id.in_(ids))
        ).all()
        equipment = connection.execute(
            sa.select(EquippedItem.character_id, EquippedItem.item_id, Item.bonus_strength)
            .join(Item, Item.id == EquippedItem.item_id)
            .where(EquippedItem.character_id.in_(ids))
        ).all()
    rows: dict = {}
    for row in inventory:
        rows.setdefault(row.character_id, []).append(row)
    worn: dict = {}
    for row in equipment:
        worn.setdefault(row.character_id, []).append(row)
    result = []
    for row in characters:
        strength = row.strength + row.strength_bonus + sum(e.bonus_strength for e in worn.get(row.id, []))
        slots: dict = {}
        for e in worn.get(row.id, []):
            slots[e.item_id] = slots.get(e.item_id, 0) + 1
        writable = writable_rows(rows.get(row.id, []), slots, dataset.carry_limit(strength))
        player = wanted.index(row.email)
        result.append(PlayerCharacter(player, row.email, str(row.id), len(rows.get(row.id, [])), writable))
    result.sort(key=lambda c: c.player)
    found = {c.player for c in result}
    if len(found) < players:
        raise RuntimeError(f"{players - len(found)} mix players are missing: build them first (bench.players.build)")
    short = [c.character_id for c in result if len(c.writable) < WRITABLE_ROWS]
    if short:
        raise RuntimeError(f"{len(short)} mix characters have no room for their writes, e.g. {short[0]}")
    return result


def writable_rows(rows: list, slots: dict, limit: float) -> tuple[WritableRow, ...]:
    """The lightest rows that may all reach MAX_WRITTEN_QUANTITY together without passing the load limit.

    `rows` have item_id, quantity and weight; `slots` counts the slots each item fills. Only the chosen rows
    are ever written, so the others keep the quantity they have now.
    """
    load = sum(row.weight * row.quantity for row in rows)
    chosen = []
    for row in sorted(rows, key=lambda r: (r.weight, str(r.item_id))):
        if len(chosen) == WRITABLE_ROWS:
            break
        lowest = max(1, slots.get(row.item_id, 0))
        worst = load + row.weight * (max(MAX_WRITTEN_QUANTITY, row.quantity) - row.quantity)
        if lowest < MAX_WRITTEN_QUANTITY and worst <= limit - SAFETY_KG:
            load = worst
            chosen.append(WritableRow(str(row.item_id), lowest))
    return tuple(chosen)
