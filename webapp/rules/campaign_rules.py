"""A campaign's house rules and whether a character complies with them."""

from collections.abc import Hashable
from dataclasses import dataclass

from webapp.rules.attributes import DEFAULT_BUDGET, check_point_buy
from webapp.rules.eligibility import max_perks
from webapp.rules.model import CharacterData, ItemData
from webapp.rules.progression import MAX_LEVEL
from webapp.rules.violations import Violation
from webapp.rules.wording import count_of

RARITY_ORDER = ("COMMON", "UNCOMMON", "RARE", "EPIC", "LEGENDARY")


def rarity_allowed(rarity: str, max_rarity: str | None) -> bool:
    """Return whether rarity is at most max_rarity (None allows all); raises ValueError if unknown."""
    return max_rarity is None or RARITY_ORDER.index(rarity) <= RARITY_ORDER.index(max_rarity)


@dataclass(frozen=True)
class CampaignRules:
    """None (or an empty set) means the campaign doesn't restrict that aspect."""

    level_cap: int | None = None
    allowed_race_ids: frozenset[Hashable] | None = None
    allowed_archetype_ids: frozenset[Hashable] | None = None
    max_rarity: str | None = None
    point_budget: int | None = None

    @property
    def effective_level_cap(self) -> int:
        """The level characters stop at in this campaign."""
        return min(self.level_cap, MAX_LEVEL) if self.level_cap else MAX_LEVEL

    @property
    def effective_budget(self) -> int:
        """The point-buy budget for characters made for this campaign."""
        return DEFAULT_BUDGET if self.point_budget is None else self.point_budget

    def allows_race(self, race_id: Hashable | None) -> bool:
        return not self.allowed_race_ids or race_id in self.allowed_race_ids

    def allows_archetype(self, archetype_id: Hashable | None) -> bool:
        return not self.allowed_archetype_ids or archetype_id in self.allowed_archetype_ids


def check_compliance(rules: CampaignRules, character: CharacterData) -> list[Violation]:
    """Return every way the character breaks the campaign's rules; raises ValueError for an unknown rarity.

    The level is the capped one: a character above the cap plays at the cap, which is no breach in itself,
    but what needs the higher level is (equipped items, perks beyond the allowance). Items are the inventory
    (equipped items included).
    """
    name = character.name
    violations = []
    level = min(character.level, rules.effective_level_cap)
    race, archetype = character.race, character.archetype
    if not rules.allows_race(race.id if race else None):
        what = f"{race.name} is not a race" if race else f"{name} has no race; choose one"
        violations.append(Violation("race_id", f"{what} this campaign allows"))
    if not rules.allows_archetype(archetype.id if archetype else None):
        what = f"{archetype.name} is not an archetype" if archetype else f"{name} has no archetype; choose one"
        violations.append(Violation("archetype_id", f"{what} this campaign allows"))
    violations += [
        Violation(
            "inventory",
            f"{name} carries {item.name} ({item.rarity}); the highest rarity allowed is {rules.max_rarity}",
        )
        for item in _carried_items(character)
        if not rarity_allowed(item.rarity, rules.max_rarity)
    ]
    if rules.point_budget is not None:
        violations += check_point_buy(character.base, rules.point_budget)
    violations += [
        Violation(
            "equipment", f"{item.name} needs level {item.required_level}; {name} is level {level} in this campaign"
        )
        for item in _equipped_items(character)
        if item.required_level > level
    ]
    allowed = max_perks(level)
    if len(character.perk_ids) > allowed:
        message = f"{name} has {count_of(len(character.perk_ids), 'perk')}; {allowed} allowed at level {level}"
        violations.append(Violation("perks", message))
    return violations


def _equipped_items(character: CharacterData) -> list[ItemData]:
    """Each equipped item once."""
    return list({item.id: item for item in character.equipment.values()}.values())


def _carried_items(character: CharacterData) -> list[ItemData]:
    """Each item once, from the inventory and (should one be missing there) the equipment."""
    items = {item.id: item for item, _quantity in character.inventory}
    for item in character.equipment.values():
        items.setdefault(item.id, item)
    return list(items.values())
