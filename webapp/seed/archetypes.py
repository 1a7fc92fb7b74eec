"""Reference archetypes (classes): growth per level, primary attribute, required races and skills."""

from webapp.models import Attribute


def _archetype(
    name: str, description: str, per_level: tuple, primary: str, *, skills: list, tags: list, required_races=()
) -> dict:
    health, mana, stamina = per_level
    return {
        "name": name,
        "description": description,
        "health_per_level": health,
        "mana_per_level": mana,
        "stamina_per_level": stamina,
        "primary_attribute": Attribute(primary),
        "required_races": list(required_races),
        "skills": skills,
        "tags": tags,
    }


ARCHETYPES = [
    _archetype(
        "Sellsword",
        "A blade for hire who has fought in other people's wars and kept the scars as receipts.",
        (10, 0, 8),
        "strength",
        skills=["Steady Footing", "Shield Wall", "Twin Strike", "Cleaving Arc", "Iron Skin", "Haggling"],
        tags=["Martial"],
    ),
    _archetype(
        "Hearthguard",
        "A sworn protector who stands in the doorway so that everyone behind it can sleep.",
        (12, 0, 6),
        "constitution",
        skills=["Steady Footing", "Shield Wall", "Field Dressing", "Hymn of Resolve", "Iron Skin"],
        tags=["Martial", "Heavy"],
    ),
    _archetype(
        "Runesmith",
        "A hill-hall artisan who hammers runes into steel and stone; the craft is taught only to dwarves.",
        (9, 6, 6),
        "intelligence",
        required_races=["Dwarf"],
        skills=["Forge Work", "Rune Tracing", "Stone Reading", "Deep Lantern", "Warding Circle"],
        tags=["Crafting", "Arcane"],
    ),
    _archetype(
        "Gladewarden",
        "A ranger of the borderwoods, sworn by elves and the humans who live among them.",
        (8, 3, 10),
        "dexterity",
        required_races=["Elf", "Human"],
        skills=["Quiet Step", "Beast Calling", "Eagle Eye", "Campfire Cooking", "Thornwall", "Starfire Volley"],
        tags=["Nature", "Ranged"],
    ),
    _archetype(
        "Hexweaver",
        "A scholar of knots and sigils who binds small wonders into string and speaks them loose.",
        (4, 12, 3),
        "intelligence",
        skills=["Spark Kindling", "Rune Tracing", "Frost Lance", "Warding Circle", "Shadow Fold"],
        tags=["Arcane"],
    ),
    _archetype(
        "Lanternbearer",
        "A wandering priest who keeps a flame lit for the lost and the dead alike.",
        (7, 9, 4),
        "wisdom",
        skills=["Field Dressing", "Hymn of Resolve", "Mending Touch", "Warding Circle", "Chorus of Dawn"],
        tags=["Faith"],
    ),
    _archetype(
        "Nightrunner",
        "A courier, thief or spy: whoever pays, the message arrives and nobody saw the messenger.",
        (6, 2, 12),
        "dexterity",
        skills=["Quiet Step", "Lock Tickling", "Silver Tongue", "Shadow Fold", "Twin Strike", "Thousand Cuts"],
        tags=["Stealth"],
    ),
    _archetype(
        "Tidecaller",
        "A sea-singer of the Saltborn and Thornling shore-groves who bargains with currents and storms.",
        (6, 10, 5),
        "wisdom",
        required_races=["Saltborn", "Thornling"],
        skills=["Tidewatching", "Windreader", "Steady Footing", "Frost Lance", "Mending Touch"],
        tags=["Seafaring", "Nature"],
    ),
    _archetype(
        "Emberknight",
        "A Cindrel duellist whose sword runs hot with the fire in the wielder's own veins.",
        (9, 7, 7),
        "charisma",
        required_races=["Cindrel"],
        skills=["Spark Kindling", "Twin Strike", "Silver Tongue", "Cleaving Arc", "Iron Skin"],
        tags=["Martial", "Arcane"],
    ),
]
