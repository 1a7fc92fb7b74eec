"""What the sheet shows, computed for the templates: portrait, attribute chart, paper doll, bars and panels."""

import math
from dataclasses import dataclass

from flask import url_for
from markupsafe import Markup

from webapp import rules
from webapp.pages.images import entity_portrait
from webapp.pages.play_view import play_context
from webapp.rules.wording import format_kg
from webapp.services import access
from webapp.services.access import Action
from webapp.services.sheets import LoadedSheet

# The paper doll in body order: head and face on top, hands and rings at the sides, feet at the bottom.
DOLL = (
    "amulet", "head", "face",
    "main_hand", "chest", "off_hand",
    "ring_left", "belt", "ring_right",
    "hands", "legs", "cloak",
    "backpack", "feet",
)  # fmt: skip
STAT_CARDS = (
    ("max_health", "Max health"),
    ("max_mana", "Max mana"),
    ("max_stamina", "Max stamina"),
    ("attack", "Attack"),
    ("defense", "Defense"),
)


def character_portrait(actor, loaded: LoadedSheet, size: int = 96) -> Markup:
    """The character's picture, or its generated placeholder (race and archetype as the actor may see them)."""
    character = loaded.character
    return entity_portrait(actor, character, size, f"Portrait of {character.name}", (loaded.race, loaded.archetype))


@dataclass(frozen=True)
class ChartAxis:
    label: str
    value: int
    x: float
    y: float
    label_x: float
    label_y: float


def attribute_chart(attributes: dict[str, rules.AttributeStat], size: int = 240) -> dict:
    """A hexagon (radar) chart of the six effective scores: coordinates for inline SVG, nothing else."""
    centre, radius = size / 2, size / 2 - 36
    top = max(20, *(stat.value for stat in attributes.values()))

    def point(index: int, fraction: float, extra: float = 0) -> tuple[float, float]:
        angle = math.radians(-90 + 60 * index)
        distance = radius * fraction + extra
        return round(centre + distance * math.cos(angle), 1), round(centre + distance * math.sin(angle), 1)

    def polygon(fractions: list[float]) -> str:
        return " ".join("{},{}".format(*point(i, fraction)) for i, fraction in enumerate(fractions))

    axes = []
    for index, name in enumerate(rules.ATTRIBUTES):
        x, y = point(index, 1)
        label_x, label_y = point(index, 1, 18)
        axes.append(ChartAxis(rules.SHORT_LABELS[name], attributes[name].value, x, y, label_x, label_y))
    return {
        "size": size,
        "centre": centre,
        "top": top,
        "grid": [polygon([step] * 6) for step in (0.25, 0.5, 0.75, 1)],
        "shape": polygon([attributes[name].value / top for name in rules.ATTRIBUTES]),
        "axes": axes,
        "summary": ", ".join(f"{rules.SHORT_LABELS[name]} {attributes[name].value}" for name in rules.ATTRIBUTES),
    }


def paper_doll(actor, loaded: LoadedSheet) -> list[dict]:
    worn = {row.slot: row.item for row in loaded.equipment}
    return [
        {
            "slot": slot,
            "label": rules.SLOT_LABELS[slot],
            "fits": rules.SLOT_FITS[slot],
            "item": worn.get(slot),
            "name": access.shown_name(actor, worn[slot]) if slot in worn else None,
        }
        for slot in DOLL
    ]


def experience_bar(loaded: LoadedSheet) -> dict:
    """Progress from the start of this level to the next; full at the cap."""
    start, following = rules.xp_progress(loaded.character.experience, loaded.data.level_cap)
    if following is None:
        return {"value": 1, "max": 1, "next": None, "to_go": 0}
    return {
        "value": loaded.character.experience - start,
        "max": following - start,
        "next": following,
        "to_go": following - loaded.character.experience,
    }


def learnable_skills(loaded: LoadedSheet) -> list[dict]:
    """Skills the race or archetype teach that are not learned yet, by level; higher ones say what they need."""
    taught = {skill.id: skill for skill in [*loaded.race.skills, *loaded.archetype.skills]}
    level = loaded.data.level
    return [
        {"skill": skill, "ready": skill.required_level <= level}
        for skill in sorted(taught.values(), key=lambda s: (s.required_level, s.name))
        if skill.id not in loaded.data.skill_ids
    ]


def sheet_context(actor, loaded: LoadedSheet) -> dict:
    """Everything templates/characters/sheet.html reads, for the whole page or any of its blocks."""
    character, sheet = loaded.character, loaded.sheet
    can_edit = access.can(actor, Action.EDIT, character)
    shows_campaign = loaded.campaign is not None and access.can(actor, Action.VIEW, loaded.campaign)
    return {
        "loaded": loaded,
        "character": character,
        "sheet": sheet,
        "race_name": access.shown_name(actor, loaded.race),
        "archetype_name": access.shown_name(actor, loaded.archetype),
        "portrait": character_portrait(actor, loaded, 112),
        "chart": attribute_chart(sheet.attributes),
        "doll": paper_doll(actor, loaded),
        "xp": experience_bar(loaded),
        "stat_cards": [(label, getattr(sheet, key)) for key, label in STAT_CARDS],
        "skills": loaded.skill_rows(access.namer(actor)),
        "perks": loaded.perk_rows(access.namer(actor)),
        "learnable": learnable_skills(loaded) if can_edit else [],
        "perk_choices": loaded.perk_choices or [],
        "max_perks": rules.max_perks(loaded.data.level),
        "next_perk_level": (loaded.data.level // 4 + 1) * 4,  # max_perks grows every four levels
        "inventory_count": sum(entry.quantity for entry in loaded.inventory),
        "inventory_url": url_for("pages.inventory_show", character_id=character.id),
        "campaign_url": url_for("pages.campaign_show", campaign_id=loaded.campaign.id) if shows_campaign else None,
        "campaign_name": loaded.campaign.name if shows_campaign else access.PRIVATE_CAMPAIGN,
        "can_edit": can_edit,
        "can_delete": access.can(actor, Action.DELETE, character),
        "is_owner": access.owns(actor, character),
        "can_choose_visibility": access.may_choose_visibility(actor, character),
        "format_kg": format_kg,
        **play_context(actor, loaded),
    }
