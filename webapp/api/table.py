"""Play over JSON (SPEC §9): a character's pools and conditions, damage, healing, rests, and dice."""

import uuid
from typing import Any, Literal

from pydantic import Field, create_model

from webapp.api.responses import json_response, require_fresh
from webapp.api.spec import endpoint
from webapp.api.wire import Moment, Out, iso, page_json, page_of
from webapp.list_queries import Query
from webapp.models import Roll
from webapp.rules import conditions as condition_rules
from webapp.services import dice_rolls, table
from webapp.services.dice_rolls import RollRequest, TableRoll
from webapp.services.inputs import Input
from webapp.services.table import Hit, PoolChange, Rest, TableState

TAG = "Play"
Condition = Literal[condition_rules.CONDITIONS]  # type: ignore[valid-type]


class PoolOut(Out):
    current: int = Field(description="max(0, max − what is missing).")
    max: int


class StateOut(Out):
    health: PoolOut
    mana: PoolOut
    stamina: PoolOut
    conditions: list[Condition] = Field(description="The conditions set on the character (down is not among them).")
    down: bool = Field(description="Current health is 0: no attack rolls, no checks, defense −4.")


ConditionsChange = create_model(
    "ConditionsChange",
    __base__=Input,
    __doc__="Conditions to set (true) or clear (false), by name; the others stay as they are.",
    **{
        name: (bool | None, Field(None, description=condition_rules.DESCRIPTIONS[name]))
        for name in condition_rules.SETTABLE
    },
)


class DieOut(Out):
    value: int
    kept: bool


class DiceOut(Out):
    notation: str = Field(description="Like 2d20kh1.")
    sign: int = Field(description="+1 or −1: whether the group adds or takes away.")
    dice: list[DieOut] = Field(description="Every die, kept or dropped.")
    subtotal: int


class ConstantOut(Out):
    source: str = Field(description="Where the number comes from (“DEX modifier”, “Poisoned”); a typed number says so.")
    amount: int


class RollOut(Out):
    id: uuid.UUID
    kind: Literal["check", "skill", "attack", "initiative", "free"]
    label: str
    expression: str = Field(description="What was rolled, written out.")
    dice: list[DiceOut]
    constants: list[ConstantOut]
    total: int
    damage: int | None = Field(description="An attack's damage (the sheet's Attack, doubled on a natural 20).")
    critical: bool | None = Field(description="An attack's natural 20.")
    visibility: Literal["public", "gm", "private"]
    character_id: uuid.UUID | None = Field(description="Null for a GM's own roll.")
    campaign_id: uuid.UUID | None
    created_at: Moment


class RollListQuery(Query):
    limit: int = Field(20, ge=1, le=100, description="Rolls per page (1–100).")
    cursor: str | None = Field(None, max_length=500, description="`next_cursor` of the previous page.")


def roll_json(row: Roll) -> dict[str, Any]:
    result = row.result
    return {
        "id": str(row.id),
        "kind": row.kind,
        "label": row.label,
        "expression": result["expression"],
        "dice": result["dice"],
        "constants": result["constants"],
        "total": row.total,
        "damage": result.get("damage"),
        "critical": result.get("critical"),
        "visibility": str(row.seen_by),
        "character_id": None if row.character_id is None else str(row.character_id),
        "campaign_id": None if row.campaign_id is None else str(row.campaign_id),
        "created_at": iso(row.created_at),
    }


def _state(state: TableState):
    return json_response(state.to_dict())


def _fresh(state: TableState) -> None:
    require_fresh(state.to_dict(), StateOut)


@endpoint("GET", "/characters/<uuid:character_id>/state", "A character's pools and conditions", TAG, response=StateOut)
def character_state(caller, character_id):
    return _state(table.table_state(caller.user, character_id))


def _change(path: str, summary: str, body, change):
    """A POST that changes the pools: If-Match against the state, the state after as the answer."""

    def view(caller, character_id, body):
        return _state(change(caller.user, character_id, body, expect=_fresh))

    view.__name__ = f"character_{path}"
    return endpoint(
        "POST", f"/characters/<uuid:character_id>/{path}", summary, TAG, body=body, response=StateOut,
        auth="write", if_match=True,
    )(view)  # fmt: skip


_change("damage", "Damage a character", Hit, table.damage)
_change("heal", "Heal a character", Hit, table.heal)
_change("spend", "Spend mana or stamina", PoolChange, table.spend)
_change("restore", "Restore mana or stamina", PoolChange, table.restore)
_change("rest", "Take a short or long rest", Rest, table.rest)


@endpoint(
    "PUT",
    "/characters/<uuid:character_id>/conditions",
    "Set or clear conditions",
    TAG,
    body=ConditionsChange,
    response=StateOut,
    auth="write",
    if_match=True,
)
def character_conditions(caller, character_id, body):
    wanted = {name: value for name, value in body.model_dump().items() if value is not None}
    return _state(table.set_conditions(caller.user, character_id, wanted, expect=_fresh))


@endpoint(
    "POST", "/characters/<uuid:character_id>/rolls", "Roll dice for a character", TAG, body=RollRequest,
    response=RollOut, status=201, auth="write",
)  # fmt: skip
def character_roll(caller, character_id, body):
    return json_response(roll_json(dice_rolls.roll_for(caller.user, character_id, body)), status=201)


@endpoint(
    "GET", "/characters/<uuid:character_id>/rolls", "A character's rolls", TAG, query=RollListQuery,
    response=page_of(RollOut),
)  # fmt: skip
def character_rolls(caller, character_id, query):
    rows, pagination = dice_rolls.rolls_of(caller.user, character_id, query.cursor, query.limit)
    return json_response(page_json([roll_json(row) for row in rows], pagination))


@endpoint(
    "POST", "/campaigns/<uuid:campaign_id>/rolls", "Roll dice as the game master", TAG, body=TableRoll,
    response=RollOut, status=201, auth="write",
)  # fmt: skip
def campaign_roll(caller, campaign_id, body):
    return json_response(roll_json(dice_rolls.table_roll(caller.user, campaign_id, body)), status=201)
