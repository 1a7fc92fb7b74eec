"""Reference races: attribute bonuses, health / mana / stamina percentages, skills and tags."""

from webapp.models import ATTRIBUTE_NAMES


def _race(name: str, description: str, bonuses: dict, pcts: tuple, skills: list, tags: list) -> dict:
    health, mana, stamina = pcts
    return {
        "name": name,
        "description": description,
        **{f"{attribute}_bonus": bonuses.get(attribute, 0) for attribute in ATTRIBUTE_NAMES},
        "health_pct": health,
        "mana_pct": mana,
        "stamina_pct": stamina,
        "skills": skills,
        "tags": tags,
    }


RACES = [
    _race(
        "Human",
        "Restless, stubborn and everywhere: humans build roads, break treaties and learn anything twice as "
        "fast when money is involved.",
        {"strength": 1, "charisma": 1},
        (100, 100, 110),
        ["Haggling", "Field Dressing", "Shield Wall", "Silver Tongue"],
        ["Social", "Martial"],
    ),
    _race(
        "Dwarf",
        "Broad, patient folk of the hill-halls, who measure friendship in decades and grudges in centuries.",
        {"constitution": 2, "strength": 1, "dexterity": -1},
        (120, 80, 110),
        ["Stone Reading", "Forge Work", "Tunnel Fighting", "Deep Lantern", "Mountain's Patience"],
        ["Underground", "Crafting"],
    ),
    _race(
        "Elf",
        "Long-lived wanderers of the old forests, quick of hand and slow to trust anyone who cuts down trees.",
        {"dexterity": 2, "intelligence": 1, "constitution": -1},
        (90, 120, 100),
        ["Quiet Step", "Tree Speech", "Eagle Eye", "Beast Calling"],
        ["Nature", "Arcane"],
    ),
    _race(
        "Thornling",
        "Bark-skinned people who sprout from seed-pods in sacred groves and wake knowing the names of weeds.",
        {"wisdom": 2, "constitution": 1, "charisma": -1},
        (110, 100, 90),
        ["Tree Speech", "Campfire Cooking", "Thornwall", "Mending Touch"],
        ["Nature", "Faith"],
    ),
    _race(
        "Saltborn",
        "Grey-eyed coast dwellers with webbed fingers, born on boats and never quite at home on dry land.",
        {"dexterity": 1, "constitution": 1, "wisdom": 1, "intelligence": -1},
        (100, 90, 130),
        ["Steady Footing", "Tidewatching", "Windreader"],
        ["Seafaring", "Survival"],
    ),
    _race(
        "Cindrel",
        "Ember-veined folk whose skin glows faintly when they are angry, which is more often than they admit.",
        {"intelligence": 3, "charisma": 1, "constitution": -2},
        (80, 140, 90),
        ["Spark Kindling", "Rune Tracing", "Frost Lance", "Silver Tongue", "Shadow Fold"],
        ["Arcane", "Social"],
    ),
]
