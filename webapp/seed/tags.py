"""Reference tags: the labels that group skills, perks, races, archetypes and items."""

TAGS = [
    {"name": "Martial", "description": "Steel, sweat and drill: the arts of fighting up close."},
    {"name": "Arcane", "description": "Power drawn from runes, sigils and the hum under the world."},
    {"name": "Faith", "description": "Gifts of devotion, hymns and quiet vows."},
    {"name": "Stealth", "description": "Moving unseen, opening what is shut, leaving no trace."},
    {"name": "Nature", "description": "Roots, beasts, weather and the green places between towns."},
    {"name": "Social", "description": "Words, bargains and the reading of faces."},
    {"name": "Crafting", "description": "Making and mending with hammer, needle or chisel."},
    {"name": "Survival", "description": "Staying fed, warm and alive far from any inn."},
    {"name": "Underground", "description": "Tunnels, caverns and the deep halls beneath the hills."},
    {"name": "Seafaring", "description": "Tides, hulls, ropes and the long grey roads of the sea."},
    {"name": "Ranged", "description": "Striking from afar with bow, sling or thrown blade."},
    {"name": "Weapon", "description": "Something made to be swung, thrust, loosed or thrown."},
    {"name": "Armor", "description": "Something worn to turn a blow aside."},
    {"name": "Heavy", "description": "Worn or wielded with strength; slows the careless."},
    {"name": "Light", "description": "Easy to carry and quick in the hand."},
    {"name": "Jewelry", "description": "Rings and amulets that carry a little enchantment close to the skin."},
    {"name": "Consumable", "description": "Used up once it has done its work."},
    {"name": "Quest", "description": "Tied to a story; not for sale at any market stall."},
]
