"""Reference skills, from first-day knacks (level 1) to hard-won mastery (level 15)."""


def _skill(name: str, level: int, tags: list[str], description: str) -> dict:
    return {"name": name, "required_level": level, "tags": tags, "description": description}


SKILLS = [
    _skill("Steady Footing", 1, ["Martial", "Survival"], "Keep your balance on ice, scree and rolling decks."),
    _skill("Quiet Step", 1, ["Stealth"], "Walk so softly that a dozing guard keeps dozing."),
    _skill("Campfire Cooking", 1, ["Survival", "Crafting"], "Turn roots, a rabbit and a pinch of salt into supper."),
    _skill("Spark Kindling", 1, ["Arcane"], "Call a spark to your fingertip: lights a lamp, not a foe."),
    _skill("Haggling", 1, ["Social"], "Knock a coin or two off any price, and mean it."),
    _skill("Field Dressing", 2, ["Survival", "Faith"], "Bind a wound well enough to walk home on it."),
    _skill("Stone Reading", 1, ["Underground", "Crafting"], "Tell good rock from rotten, and old tunnels from new."),
    _skill("Tree Speech", 2, ["Nature"], "Ask an old tree what passed beneath it; it answers slowly."),
    _skill("Shield Wall", 3, ["Martial"], "Lock your shield with a friend's and hold the line together."),
    _skill("Lock Tickling", 3, ["Stealth", "Crafting"], "Coax a simple lock open with a bent pin and patience."),
    _skill("Tidewatching", 3, ["Seafaring", "Nature"], "Know when the tide turns and where the currents pull."),
    _skill("Rune Tracing", 4, ["Arcane", "Crafting"], "Scratch a small rune that holds a charm for a day."),
    _skill("Forge Work", 4, ["Crafting"], "Mend a blade, re-rivet a helm, shoe a horse."),
    _skill("Hymn of Resolve", 4, ["Faith", "Social"], "A steady song that keeps frightened friends from running."),
    _skill("Twin Strike", 5, ["Martial"], "Strike with the main hand and the off hand in one motion."),
    _skill("Beast Calling", 5, ["Nature"], "Whistle up a wary animal and earn a moment of its trust."),
    _skill("Silver Tongue", 5, ["Social"], "Talk your way past a gate, a debt or a bad first impression."),
    _skill("Deep Lantern", 6, ["Underground", "Arcane"], "Kindle a cold light that shows hidden seams and doors."),
    _skill("Shadow Fold", 6, ["Stealth", "Arcane"], "Pull the shadows around you like a cloak for a few breaths."),
    _skill("Mending Touch", 7, ["Faith"], "Close a wound with a warm hand and a quiet word."),
    _skill("Cleaving Arc", 7, ["Martial", "Heavy"], "One wide swing that catches every foe in front of you."),
    _skill("Windreader", 8, ["Seafaring", "Nature"], "Smell a storm a day before it arrives."),
    _skill("Frost Lance", 8, ["Arcane"], "Hurl a shard of winter that numbs what it strikes."),
    _skill("Warding Circle", 9, ["Arcane", "Faith"], "Draw a ring that spirits and vermin will not cross."),
    _skill("Tunnel Fighting", 9, ["Underground", "Martial"], "Fight well where there is no room to swing."),
    _skill("Eagle Eye", 10, ["Ranged"], "Pick out a target at twice the usual distance."),
    _skill("Thornwall", 11, ["Nature", "Arcane"], "Raise a hedge of thorns thick enough to stop a charge."),
    _skill("Iron Skin", 12, ["Martial", "Heavy"], "Shrug off blows that would fell a lesser fighter."),
    _skill("Chorus of Dawn", 13, ["Faith", "Social"], "A hymn that lifts the weary and shames the wicked."),
    _skill("Starfire Volley", 14, ["Ranged", "Arcane"], "Loose arrows that burn with pale light as they fly."),
    _skill("Mountain's Patience", 15, ["Underground", "Faith"], "Stand unmoved by fear, fatigue or flattery."),
    _skill("Thousand Cuts", 15, ["Martial", "Stealth"], "A flurry too fast to follow, aimed at every gap in armor."),
]
