"""At the table: a character's pools and conditions change in play (damage, healing, spending, rests), each change
written to its campaign's log when it plays in one."""

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from webapp import rules
from webapp.models import Character, EventKind, Seen
from webapp.rules import conditions as condition_rules
from webapp.rules import pools
from webapp.services import access, campaign_events
from webapp.services.access import Action, Actor
from webapp.services.commits import commit_keeping_objects
from webapp.services.errors import Forbidden, InvalidInput, Violation
from webapp.services.inputs import Input, reworded, trimmed, whole
from webapp.services.sheets import LoadedSheet, load_locked, load_sheet

AMOUNT = f"Use a whole number from {pools.MIN_AMOUNT} to {pools.MAX_AMOUNT:,}."
MAX_NOTE = 200


class Hit(Input):
    """Damage taken or health healed."""

    amount: whole(pools.MIN_AMOUNT, pools.MAX_AMOUNT, AMOUNT) = Field(description="1–9,999 points of health.")
    note: trimmed(MAX_NOTE) = Field("", description="What happened, shown in the campaign's log.")


class PoolChange(Input):
    """Mana or stamina spent or restored."""

    pool: Annotated[Literal["mana", "stamina"], reworded("Choose mana or stamina.")]
    amount: whole(pools.MIN_AMOUNT, pools.MAX_AMOUNT, AMOUNT) = Field(description="1–9,999 points.")


class Rest(Input):
    """A rest: short (stamina and some health back) or long (everything back, every condition ends)."""

    kind: Annotated[Literal["short", "long"], reworded("Choose a short or a long rest.")]


@dataclass(frozen=True)
class TableState:
    """A character's current pools and conditions as the table sees them."""

    character: Character
    pools: dict[str, pools.Pool]
    conditions: tuple[str, ...]  # set ones, in the rules' order ("down" is not among them)
    down: bool

    def to_dict(self) -> dict:
        shown = {name: {"current": pool.current, "max": pool.max} for name, pool in self.pools.items()}
        return {**shown, "conditions": list(self.conditions), "down": self.down}


def state_of(loaded: LoadedSheet) -> TableState:
    """The table's view of a loaded sheet."""
    sheet, character = loaded.sheet, loaded.character
    found = pools.pools(pools.Maxima.of(sheet), missing_of(character))
    return TableState(character, found, tuple(sheet.conditions), sheet.down)


def missing_of(character: Character) -> pools.Missing:
    return pools.Missing(character.health_lost, character.mana_spent, character.stamina_spent)


def table_state(actor: Actor, character_id) -> TableState:
    """The character's pools and conditions, for whoever may see it. Raises NotFound."""
    return state_of(load_sheet(actor, character_id))


def damage(actor: Actor, character_id, hit: Hit, *, expect: Callable | None = None) -> TableState:
    """Take damage; at 0 health the character is down. The owner or the campaign's GM. Commits once."""
    return _change(actor, character_id, Action.TEND, expect, partial(_hurt, hit=hit))


def heal(actor: Actor, character_id, hit: Hit, *, expect: Callable | None = None) -> TableState:
    """Heal; a down character healed above 0 is no longer down. The owner or the campaign's GM. Commits once."""
    return _change(actor, character_id, Action.TEND, expect, partial(_mend, hit=hit))


def spend(actor: Actor, character_id, change: PoolChange, *, expect: Callable | None = None) -> TableState:
    """Spend mana or stamina; refused when there is too little. The owner alone. Commits once."""

    def apply(loaded, maxima, missing):
        name = loaded.character.name
        after = pools.spend(change.pool, name, maxima, missing, change.amount)
        left = pools.current(getattr(maxima, change.pool), getattr(after, change.pool))
        return after, EventKind.SPEND, f"{name} spent {change.amount} {change.pool} ({left} left).", {}

    return _change(actor, character_id, Action.PLAY, expect, apply)


def restore(actor: Actor, character_id, change: PoolChange, *, expect: Callable | None = None) -> TableState:
    """Restore mana or stamina, up to its maximum. The owner or the campaign's GM. Commits once."""

    def apply(loaded, maxima, missing):
        name = loaded.character.name
        after = pools.restore(change.pool, maxima, missing, change.amount)
        now = pools.current(getattr(maxima, change.pool), getattr(after, change.pool))
        return after, EventKind.RESTORE, f"{name} regained {change.amount} {change.pool} ({now} now).", {}

    return _change(actor, character_id, Action.TEND, expect, apply)


def rest(actor: Actor, character_id, body: Rest, *, expect: Callable | None = None) -> TableState:
    """A short or long rest; a long one also ends every condition. The owner or the campaign's GM. Commits once."""

    def apply(loaded, maxima, missing):
        character, sheet = loaded.character, loaded.sheet
        if body.kind == "long":
            after = pools.long_rest(character.name, maxima, missing)
            character.conditions = []
            return after, EventKind.REST, f"{character.name} took a long rest: everything restored.", {}
        con = sheet.attributes["constitution"].modifier
        after = pools.short_rest(character.name, sheet.level, con, maxima, missing)
        healed = pools.current(maxima.health, after.health) - pools.current(maxima.health, missing.health)
        said = f"{character.name} took a short rest: stamina restored, {healed} health healed."
        return after, EventKind.REST, said, {}

    return _change(actor, character_id, Action.TEND, expect, apply)


def set_conditions(actor: Actor, character_id, wanted: dict, *, expect: Callable | None = None) -> TableState:
    """Set or clear conditions by name ({"poisoned": true, "prone": false}); "down" follows health alone. The owner
    or the campaign's GM. Raises InvalidInput for an unknown name or a value that is not true or false. Commits once
    (nothing, when nothing changes)."""
    changes = parse_conditions(wanted)

    def apply(loaded, maxima, missing):
        character = loaded.character
        held = set(character.conditions or ())
        now = {name for name in condition_rules.SETTABLE if changes.get(name, name in held)}
        if now == held:
            return None
        character.conditions = [name for name in condition_rules.SETTABLE if name in now]
        started = [condition_rules.LABELS[n].lower() for n in condition_rules.SETTABLE if n in now - held]
        ended = [condition_rules.LABELS[n].lower() for n in condition_rules.SETTABLE if n in held - now]
        parts = ([f"is now {rules.wording.join_and(started)}"] if started else []) + (
            [f"is no longer {rules.wording.join_and(ended)}"] if ended else []
        )
        data = {"started": sorted(now - held), "ended": sorted(held - now)}
        return missing, EventKind.CONDITION, f"{character.name} {' and '.join(parts)}.", data

    return _change(actor, character_id, Action.TEND, expect, apply)


def parse_conditions(wanted) -> dict[str, bool]:
    """{name: true|false} with known, settable names; raises InvalidInput naming each problem."""
    if not isinstance(wanted, dict) or not wanted:
        raise InvalidInput([Violation("conditions", "Name at least one condition, each true or false.")])
    problems = []
    for name, value in wanted.items():
        if name == "down":
            problems.append(Violation(name, "Down follows health: damage or heal instead."))
        elif name not in condition_rules.SETTABLE:
            known = rules.wording.join_or(list(condition_rules.SETTABLE))
            problems.append(Violation("conditions", f"{str(name)[:40]!r} is not a condition; use {known}."))
        elif not isinstance(value, bool):
            problems.append(Violation(name, "Use true or false."))
    if problems:
        raise InvalidInput(problems)
    return dict(wanted)


def _hurt(loaded, maxima, missing, hit: Hit):
    name = loaded.character.name
    after = pools.damage(maxima, missing, hit.amount)
    left = pools.current(maxima.health, after.health)
    fell = " and is down" if left == 0 and pools.current(maxima.health, missing.health) > 0 else ""
    return after, EventKind.DAMAGE, _noted(f"{name} took {hit.amount} damage{fell} ({left}/{maxima.health}).", hit), {}


def _mend(loaded, maxima, missing, hit: Hit):
    name = loaded.character.name
    after = pools.heal(maxima, missing, hit.amount)
    now = pools.current(maxima.health, after.health)
    rose = " and is up again" if now > 0 and pools.current(maxima.health, missing.health) == 0 else ""
    return after, EventKind.HEAL, _noted(f"{name} was healed by {hit.amount}{rose} ({now}/{maxima.health}).", hit), {}


def _noted(body: str, hit: Hit) -> str:
    return f"{body} {hit.note}" if hit.note else body


def _change(actor: Actor, character_id, action: Action, expect, apply) -> TableState:
    """Lock the character, check `action`, apply the change to its pools, log it, commit; the state after.

    The lock makes parallel changes add up: twenty hits of 1 take exactly 20 health.
    """
    loaded = load_locked(actor, character_id, Action.VIEW)
    character = loaded.character
    if not access.can(actor, action, character):
        if action == Action.TEND:
            raise Forbidden(f"Only {character.name}'s owner or game master does that.")
        raise Forbidden(f"Only {character.name}'s owner does that.")
    if expect is not None:
        expect(state_of(loaded))
    maxima = pools.Maxima.of(loaded.sheet)
    outcome = apply(loaded, maxima, missing_of(character))
    if outcome is None:
        return state_of(loaded)
    after, kind, body, data = outcome
    character.health_lost, character.mana_spent, character.stamina_spent = after.health, after.mana, after.stamina
    if loaded.in_campaign:
        campaign_events.record(loaded.campaign, kind, access.user_of(actor), body, character, data, Seen.PUBLIC)
    commit_keeping_objects()
    return table_state_after(loaded)


def table_state_after(loaded: LoadedSheet) -> TableState:
    """The state once the change is written: the sheet computed afresh from the character's new row."""
    return state_of(loaded.recomputed())
