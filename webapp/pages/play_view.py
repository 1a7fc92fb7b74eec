"""What the sheet's play and dice blocks show: pools as bars, conditions, and the moves the viewer may make."""

import math

from webapp.pages.play_forms import ATTRIBUTE_CHOICES, VISIBILITY_CHOICES
from webapp.rules import conditions as condition_rules
from webapp.services import access, table
from webapp.services.access import Action, Actor
from webapp.services.sheets import LoadedSheet

POOL_LABELS = {"health": "Health", "mana": "Mana", "stamina": "Stamina"}


def pool_bars(state: table.TableState) -> list[dict]:
    """Each pool as its bar draws it: health turns amber at half and red at a quarter; mana and stamina keep one
    colour."""
    bars = []
    for name, pool in state.pools.items():
        bar = {"name": name, "label": POOL_LABELS[name], "current": pool.current, "max": pool.max}
        if name == "health":
            bar.update(low=math.ceil(pool.max * 0.25), high=math.ceil(pool.max * 0.5), optimum=pool.max)
        bars.append(bar)
    return bars


def play_context(actor: Actor, loaded: LoadedSheet) -> dict:
    """Everything the `play` and `dice` blocks of the sheet read, computed from the loaded sheet (no query for the
    owner or a visitor)."""
    state = table.state_of(loaded)
    plays = access.can(actor, Action.PLAY, loaded.character)
    held = set(state.conditions)
    sheet = loaded.sheet
    visibilities = VISIBILITY_CHOICES if loaded.in_campaign else {"private": VISIBILITY_CHOICES["private"]}
    return {
        "play": state,
        "pool_bars": pool_bars(state),
        "active_conditions": [
            {"name": name, "label": condition_rules.LABELS[name], "description": condition_rules.DESCRIPTIONS[name]}
            for name in state.conditions
        ],
        # What being down does; how it comes and goes the sheet says in its own words.
        "down_effects": condition_rules.DESCRIPTIONS["down"].removeprefix("Set and cleared by health alone. "),
        "condition_toggles": [
            {"name": name, "label": condition_rules.LABELS[name], "on": name in held}
            for name in condition_rules.SETTABLE
        ],
        "can_tend": access.tends(actor, loaded.character, loaded.campaign.owner_id if loaded.in_campaign else None),
        "can_play": plays,
        "short_rest_heals": max(1, sheet.level + sheet.attributes["constitution"].modifier),
        "roll_attributes": ATTRIBUTE_CHOICES,
        "roll_visibilities": visibilities,
        "roll_visibility_default": "public" if loaded.in_campaign else "private",
        # The owner sees every roll; others only those of a campaign they share (the history asks for them).
        "sees_rolls": plays or (access.user_of(actor) is not None and loaded.campaign is not None),
    }
