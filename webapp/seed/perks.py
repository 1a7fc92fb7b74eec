"""Reference perks: small lasting advantages, from level 1 to level 16."""


def _perk(name: str, level: int, tags: list[str], description: str) -> dict:
    return {"name": name, "required_level": level, "tags": tags, "description": description}


PERKS = [
    _perk("Thick Skull", 1, ["Martial"], "Blows to the head only make you angrier."),
    _perk("Light Sleeper", 1, ["Survival"], "You wake at the first creak of a floorboard."),
    _perk("Lucky Coin", 2, ["Social"], "Once a day, flip a coin and let fortune choose for you."),
    _perk("Pack Mule", 2, ["Survival"], "You carry heavy loads without complaint."),
    _perk("Keen Nose", 3, ["Nature"], "You smell smoke, rot and bread long before others do."),
    _perk("Night Eyes", 3, ["Underground", "Stealth"], "Starlight is as good as a lantern to you."),
    _perk("Quick Draw", 4, ["Martial", "Ranged"], "Your weapon is in your hand before the insult ends."),
    _perk("Iron Stomach", 4, ["Survival"], "Bad water, strange mushrooms, tavern stew: nothing upsets you."),
    _perk("Second Wind", 5, ["Martial"], "When exhausted, you find one more burst of strength."),
    _perk("Unshakable", 6, ["Faith"], "Threats and terrors slide off your calm."),
    _perk("Tavern Legend", 6, ["Social"], "Every innkeeper on the road has heard of you, mostly kindly."),
    _perk("Bloodhound", 7, ["Nature", "Survival"], "Once you have a trail, you do not lose it."),
    _perk("Spellsponge", 8, ["Arcane"], "Hostile magic fizzles a little when it reaches you."),
    _perk("Stonehide", 9, ["Underground", "Heavy"], "Your skin toughens like weathered granite."),
    _perk("Dead Aim", 10, ["Ranged"], "Your first shot in any fight rarely misses."),
    _perk("Lightfoot", 11, ["Stealth", "Light"], "Traps and loose stones never seem to trigger under you."),
    _perk("Warlord's Bearing", 12, ["Martial", "Social"], "Soldiers who are not yours still straighten when you pass."),
    _perk("Last Stand", 13, ["Martial"], "When the fight is lost, you fight on twice as hard."),
    _perk("Fatebreaker", 14, ["Arcane", "Faith"], "Prophecies about you have a habit of coming out wrong."),
    _perk("Undying Ember", 16, ["Faith", "Arcane"], "Once in a long while, death simply declines to take you."),
]
