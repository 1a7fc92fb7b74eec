"""Reference items: an armoury generated from material tiers × base items, plus hand-made gear and goods."""

from dataclasses import dataclass

from webapp.models import ItemSlot, Rarity


@dataclass(frozen=True)
class Tier:
    """What one rarity step adds: level, price and power multipliers, bonus sizes, toughness, lightness."""

    rarity: Rarity
    level: int
    price: int
    power: float
    attribute: int
    pool: int
    toughness: float
    lightness: float


TIERS = (
    Tier(Rarity.COMMON, level=1, price=1, power=1.0, attribute=0, pool=0, toughness=1.0, lightness=1.0),
    Tier(Rarity.UNCOMMON, level=3, price=3, power=1.25, attribute=1, pool=3, toughness=1.2, lightness=1.0),
    Tier(Rarity.RARE, level=6, price=10, power=1.5, attribute=2, pool=6, toughness=1.5, lightness=0.9),
    Tier(Rarity.EPIC, level=10, price=30, power=1.9, attribute=3, pool=12, toughness=2.0, lightness=0.85),
    Tier(Rarity.LEGENDARY, level=14, price=100, power=2.4, attribute=4, pool=20, toughness=3.0, lightness=0.8),
)

# Each family names one material per tier (COMMON first) with a sentence about it, and how long it lasts.
MATERIALS = {
    "metal": (
        120,
        [
            ("Iron", "Forged of plain iron: heavy, honest and easy to mend."),
            ("Steel", "Good steel, folded and tempered by a guild smith."),
            ("Bluesteel", "Bluesteel holds a wicked edge and a cold blue sheen."),
            ("Emberforged", "Emberforged in a Cindrel furnace; the metal stays warm to the touch."),
            ("Starfall", "Hammered from the iron of a fallen star; it hums faintly at night."),
        ],
    ),
    "leather": (
        80,
        [
            ("Rawhide", "Rawhide, stiff and smelly until it is broken in."),
            ("Hardened Leather", "Leather boiled in wax until it is hard as bark."),
            ("Nightstitched", "Nightstitched with a black thread that seems to drink the light."),
            ("Stormhide", "Stormhide, cured over lightning-struck oak; rain never soaks it."),
            ("Sunscale", "Sunscale, shed once a century by a great golden serpent of the dunes."),
        ],
    ),
    "cloth": (
        50,
        [
            ("Linen", "Plain linen, cool and cheap."),
            ("Woolen", "Thick wool that stays warm even when wet."),
            ("Silkweave", "Silkweave, smooth to the touch and surprisingly tough."),
            ("Moonthread", "Moonthread, spun by moonlight; it shimmers when spells are near."),
            ("Dawnweave", "Dawnweave, the rarest cloth there is, loomed only in the hour of sunrise."),
        ],
    ),
    "wood": (
        90,
        [
            ("Ash", "Straight-grained ash, light and springy."),
            ("Yew", "Seasoned yew, supple and strong."),
            ("Ironbark", "Ironbark, hard enough to turn an axe."),
            ("Whisperwood", "Whisperwood, which murmurs to itself when the wind moves it."),
            ("Sunroot", "Sunroot heartwood, warm and golden, cut from a tree older than kingdoms."),
        ],
    ),
    "jewel": (
        200,
        [
            ("Copper", "Simple copper, gone green at the edges."),
            ("Silver", "Polished silver, bright and cool."),
            ("Gold", "Red gold set with a small clear stone."),
            ("Runegold", "Runegold, engraved with runes too fine to read without a glass."),
            ("Starglass", "Starglass, clear as water, with a point of light trapped inside."),
        ],
    ),
}


@dataclass(frozen=True)
class BaseItem:
    """A kind of item made in every tier; damage and defense grow with the tier's power."""

    noun: str
    slot: ItemSlot
    material: str
    weight: float
    value: int
    description: str
    damage: int = 0
    defense: int = 0
    attribute: str | None = None  # raised by the tier's attribute bonus
    pool: str | None = None  # "health", "mana" or "stamina": raised by the tier's pool bonus
    magic: int = 0  # extra attribute bonus for jewelry, which exists to carry enchantment
    level: int = 0  # added to the tier's required level (heavier gear asks for more experience)
    throwable: bool = False
    tags: tuple[str, ...] = ()


ONE_HAND, TWO_HANDS = ItemSlot.ONE_HAND, ItemSlot.TWO_HANDS
MELEE, HEAVY_MELEE, LIGHT_MELEE = ("Weapon",), ("Weapon", "Heavy"), ("Weapon", "Light")

# fmt: off
BASE_ITEMS = (
    BaseItem("Dagger", ONE_HAND, "metal", 0.5, 4, "A short, double-edged blade, balanced for throwing.",
             damage=3, attribute="dexterity", throwable=True, tags=("Weapon", "Light", "Ranged")),
    BaseItem("Short Sword", ONE_HAND, "metal", 1.2, 10, "A stabbing sword for crowded alleys and ship decks.",
             damage=5, attribute="dexterity", tags=LIGHT_MELEE),
    BaseItem("Arming Sword", ONE_HAND, "metal", 1.4, 18, "A straight knightly sword, made for one hand.",
             damage=7, attribute="strength", tags=MELEE),
    BaseItem("Hand Axe", ONE_HAND, "metal", 1.3, 8, "A bearded axe that chops wood and can be thrown.",
             damage=6, attribute="strength", throwable=True, tags=("Weapon", "Ranged")),
    BaseItem("Flanged Mace", ONE_HAND, "metal", 2.2, 14, "A mace whose flanges bite through mail.",
             damage=7, attribute="strength", level=1, tags=HEAVY_MELEE),
    BaseItem("Rapier", ONE_HAND, "metal", 1.1, 22, "A slender duelling blade with a swept hilt.",
             damage=6, attribute="dexterity", tags=LIGHT_MELEE),
    BaseItem("Javelin", ONE_HAND, "wood", 1.0, 3, "A light spear meant to be thrown, then fetched.",
             damage=5, attribute="dexterity", throwable=True, tags=("Weapon", "Ranged")),
    BaseItem("Wand", ONE_HAND, "wood", 0.3, 15, "A finger-long rod that steadies a caster's aim.",
             damage=2, attribute="intelligence", pool="mana", tags=("Weapon", "Arcane", "Light")),
    BaseItem("Kite Shield", ONE_HAND, "metal", 5.0, 20, "A tall shield for the off hand that covers knee "
             "to chin.", defense=4, attribute="constitution", pool="health", level=1, tags=("Armor", "Heavy")),
    BaseItem("Buckler", ONE_HAND, "wood", 2.0, 8, "A small round shield for the off hand, rimmed with iron.",
             defense=2, attribute="dexterity", tags=("Armor", "Light")),
    BaseItem("Two-Handed Sword", TWO_HANDS, "metal", 3.2, 50, "A sword as long as a tall man is high.",
             damage=11, attribute="strength", level=1, tags=HEAVY_MELEE),
    BaseItem("Greataxe", TWO_HANDS, "metal", 3.8, 40, "A broad crescent blade on a long haft.",
             damage=12, attribute="strength", level=1, tags=HEAVY_MELEE),
    BaseItem("Maul", TWO_HANDS, "metal", 6.0, 30, "A sledgehammer for breaking doors and shields alike.",
             damage=13, attribute="strength", level=2, tags=HEAVY_MELEE),
    BaseItem("Halberd", TWO_HANDS, "metal", 3.5, 35, "An axe, a spike and a hook on a pole taller than you.",
             damage=10, defense=1, attribute="strength", tags=HEAVY_MELEE),
    BaseItem("Longbow", TWO_HANDS, "wood", 1.2, 45, "A bow as tall as its archer, with a long, smooth draw.",
             damage=8, attribute="dexterity", tags=("Weapon", "Ranged")),
    BaseItem("Staff", TWO_HANDS, "wood", 1.8, 12, "A walking staff shod in metal, a friend to casters.",
             damage=4, attribute="intelligence", pool="mana", tags=("Weapon", "Arcane")),
    BaseItem("Helm", ItemSlot.HEAD, "metal", 2.0, 15, "A round helm with a nasal guard.",
             defense=3, attribute="constitution", pool="health", tags=("Armor", "Heavy")),
    BaseItem("Cap", ItemSlot.HEAD, "leather", 0.6, 5, "A snug cap that turns a glancing blow.",
             defense=1, attribute="dexterity", tags=("Armor", "Light")),
    BaseItem("Hood", ItemSlot.HEAD, "cloth", 0.3, 3, "A deep hood that keeps off rain and prying eyes.",
             attribute="intelligence", pool="mana", tags=("Armor", "Light")),
    BaseItem("Faceguard", ItemSlot.FACE, "metal", 1.0, 12, "A hinged plate that shields the face.",
             defense=2, attribute="constitution", tags=("Armor", "Heavy")),
    BaseItem("Mask", ItemSlot.FACE, "leather", 0.3, 6, "A half-mask that hides a face and sharpens a stare.",
             defense=1, attribute="charisma", tags=("Armor", "Light")),
    BaseItem("Breastplate", ItemSlot.CHEST, "metal", 9.0, 80, "A shaped plate for chest and back.",
             defense=7, attribute="constitution", pool="health", level=2, tags=("Armor", "Heavy")),
    BaseItem("Mail Hauberk", ItemSlot.CHEST, "metal", 11.0, 60, "A knee-length shirt of riveted rings.",
             defense=6, attribute="constitution", pool="health", level=1, tags=("Armor", "Heavy")),
    BaseItem("Jerkin", ItemSlot.CHEST, "leather", 4.0, 25, "A close-fitting coat, quilted underneath.",
             defense=4, attribute="dexterity", pool="stamina", tags=("Armor", "Light")),
    BaseItem("Robe", ItemSlot.CHEST, "cloth", 1.5, 12, "A long robe with many hidden pockets.",
             defense=1, attribute="intelligence", pool="mana", tags=("Armor", "Arcane")),
    BaseItem("Greaves", ItemSlot.LEGS, "metal", 4.0, 35, "Plates strapped over the shins and thighs.",
             defense=4, attribute="constitution", level=1, tags=("Armor", "Heavy")),
    BaseItem("Leggings", ItemSlot.LEGS, "leather", 2.0, 15, "Reinforced leggings that still let you run.",
             defense=2, attribute="dexterity", tags=("Armor", "Light")),
    BaseItem("Trousers", ItemSlot.LEGS, "cloth", 0.8, 4, "Sturdy trousers with patched knees.",
             defense=1, attribute="wisdom", pool="stamina", tags=("Armor", "Light")),
    BaseItem("Sabatons", ItemSlot.FEET, "metal", 2.5, 25, "Jointed steel shoes that clank on stone.",
             defense=2, attribute="constitution", tags=("Armor", "Heavy")),
    BaseItem("Boots", ItemSlot.FEET, "leather", 1.2, 10, "Knee-high boots made for long roads.",
             defense=1, attribute="dexterity", pool="stamina", tags=("Armor", "Light")),
    BaseItem("Slippers", ItemSlot.FEET, "cloth", 0.4, 3, "Soft slippers for library floors and quiet halls.",
             attribute="wisdom", pool="mana", tags=("Armor", "Light", "Stealth")),
    BaseItem("Gauntlets", ItemSlot.HANDS, "metal", 1.5, 20, "Articulated gauntlets with knuckle plates.",
             defense=2, attribute="strength", tags=("Armor", "Heavy")),
    BaseItem("Gloves", ItemSlot.HANDS, "leather", 0.4, 6, "Fitted gloves that keep a firm grip.",
             defense=1, attribute="dexterity", tags=("Armor", "Light")),
    BaseItem("Handwraps", ItemSlot.HANDS, "cloth", 0.2, 2, "Long strips wound over the knuckles.",
             attribute="strength", pool="stamina", tags=("Armor", "Light")),
    BaseItem("Girdle", ItemSlot.BELT, "metal", 1.2, 15, "A belt of linked plates worn over armor.",
             defense=1, attribute="strength", tags=("Armor", "Heavy")),
    BaseItem("Belt", ItemSlot.BELT, "leather", 0.4, 5, "A wide belt with loops for pouches and tools.",
             attribute="constitution", pool="stamina", tags=("Light",)),
    BaseItem("Backpack", ItemSlot.BACKPACK, "leather", 1.5, 8, "A framed pack with straps that do not chafe.",
             attribute="strength", tags=("Survival",)),
    BaseItem("Satchel", ItemSlot.BACKPACK, "cloth", 0.6, 4, "A shoulder bag for books, herbs and letters.",
             attribute="intelligence", tags=("Light",)),
    BaseItem("Cloak", ItemSlot.CLOAK, "cloth", 1.2, 8, "A travelling cloak with a clasp at the throat.",
             defense=1, attribute="dexterity", tags=("Stealth",)),
    BaseItem("Mantle", ItemSlot.CLOAK, "leather", 2.5, 18, "A heavy shoulder mantle trimmed with fur.",
             defense=2, attribute="constitution", pool="health", tags=("Survival",)),
    *(
        BaseItem(f"Ring of {virtue}", ItemSlot.RING, "jewel", 0.05, 25, f"A band that lends its wearer {gift}.",
                 attribute=attribute, magic=1, tags=("Jewelry",))
        for virtue, attribute, gift in (
            ("Might", "strength", "a little more muscle"),
            ("Vigor", "constitution", "a hardier body"),
            ("Grace", "dexterity", "quicker hands"),
            ("Insight", "intelligence", "a sharper mind"),
            ("Clarity", "wisdom", "a calmer judgement"),
            ("Charm", "charisma", "a warmer smile"),
        )
    ),
    *(
        BaseItem(f"Amulet of {virtue}", ItemSlot.AMULET, "jewel", 0.15, 40, f"A pendant that {gift}.",
                 attribute=attribute, pool=pool, magic=1, tags=("Jewelry",))
        for virtue, attribute, pool, gift in (
            ("Vitality", "constitution", "health", "keeps the heart beating strong"),
            ("the Wellspring", "wisdom", "mana", "draws power up from deep places"),
            ("the Long Road", "dexterity", "stamina", "keeps tired legs moving"),
        )
    ),
)
# fmt: on

ITEM_DEFAULTS = {
    "description": "",
    "damage": 0,
    "defense": 0,
    "bonus_strength": 0,
    "bonus_constitution": 0,
    "bonus_dexterity": 0,
    "bonus_intelligence": 0,
    "bonus_wisdom": 0,
    "bonus_charisma": 0,
    "bonus_health": 0,
    "bonus_mana": 0,
    "bonus_stamina": 0,
    "is_consumable": False,
    "is_quest_item": False,
    "is_tradeable": True,
    "is_throwable": False,
    "tags": [],
    "bonus_skills": [],
    "bonus_perks": [],
}


def item(name: str, rarity: Rarity, slot: ItemSlot, level: int, weight: float, value: int, **fields) -> dict:
    """One item's row: every column spelled out, so a reload resets anything edited by hand."""
    durability = fields.pop("durability", 100)
    return {
        **ITEM_DEFAULTS,
        "name": name,
        "rarity": rarity,
        "slot": slot,
        "required_level": level,
        "weight": weight,
        "value": value,
        "durability": durability,
        "max_durability": durability,
        **fields,
    }


def tiered_item(base: BaseItem, tier: Tier, material: str, sentence: str, toughness: int) -> dict:
    """One base item made of one tier's material."""
    fields = {
        "description": f"{base.description} {sentence}",
        "damage": round(base.damage * tier.power),
        "defense": round(base.defense * tier.power),
        "durability": round(toughness * tier.toughness),
        "is_throwable": base.throwable,
        "tags": list(base.tags),
    }
    if base.attribute:
        fields[f"bonus_{base.attribute}"] = tier.attribute + base.magic
    if base.pool:
        fields[f"bonus_{base.pool}"] = tier.pool
    return item(
        f"{material} {base.noun}",
        tier.rarity,
        base.slot,
        level=min(20, tier.level + base.level),
        weight=round(base.weight * tier.lightness, 2),
        value=base.value * tier.price,
        **fields,
    )


def armoury() -> list[dict]:
    """Every base item in every tier."""
    rows = []
    for base in BASE_ITEMS:
        toughness, materials = MATERIALS[base.material]
        for tier, (material, sentence) in zip(TIERS, materials, strict=True):
            rows.append(tiered_item(base, tier, material, sentence, toughness))
    return rows


C, U, R, E, L = Rarity.COMMON, Rarity.UNCOMMON, Rarity.RARE, Rarity.EPIC, Rarity.LEGENDARY
NONE = ItemSlot.NONE
POTION = {"is_consumable": True, "durability": 1, "tags": ["Consumable"]}
QUEST = {"is_quest_item": True, "is_tradeable": False, "tags": ["Quest"]}

# fmt: off
GOODS = [
    item("Minor Healing Draught", C, NONE, 1, 0.3, 15, bonus_health=20, **POTION,
         description="A red, bitter draught that closes small cuts. Restores 20 health."),
    item("Healing Draught", U, NONE, 4, 0.3, 60, bonus_health=45, **POTION,
         description="A thick crimson draught that knits torn flesh. Restores 45 health."),
    item("Greater Healing Draught", R, NONE, 8, 0.3, 220, bonus_health=90, **POTION,
         description="Shining ruby liquid that mends even broken bones. Restores 90 health."),
    item("Sunrise Elixir", E, NONE, 12, 0.3, 900, bonus_health=160, bonus_stamina=40, **POTION,
         description="Tastes of honey and morning light. Restores 160 health and 40 stamina."),
    item("Tears of the First Dawn", L, NONE, 16, 0.2, 4000, bonus_health=300, bonus_mana=150, **POTION,
         description="A single vial of golden tears, said to wake the nearly dead."),
    item("Minor Focus Tonic", C, NONE, 1, 0.3, 20, bonus_mana=15, **POTION,
         description="A blue tonic that clears a foggy head. Restores 15 mana."),
    item("Focus Tonic", U, NONE, 4, 0.3, 75, bonus_mana=35, **POTION,
         description="Cold and fizzing; the mind feels swept clean. Restores 35 mana."),
    item("Starwell Tincture", R, NONE, 9, 0.2, 260, bonus_mana=80, **POTION,
         description="Dark as the night sky, with drifting motes of light. Restores 80 mana."),
    item("Hardtack Ration", C, NONE, 1, 0.5, 2, bonus_stamina=10, **POTION,
         description="A biscuit that could stop an arrow. Restores 10 stamina."),
    item("Honeyed Oatcake", C, NONE, 1, 0.2, 3, bonus_stamina=8, **POTION,
         description="Sticky, sweet and beloved by every child on the road. Restores 8 stamina."),
    item("Mountain Tea", U, NONE, 3, 0.3, 25, bonus_stamina=25, **POTION,
         description="Pine-needle tea brewed strong by dwarven shepherds. Restores 25 stamina."),
    item("Stormbrew Ale", U, NONE, 2, 1.0, 12, bonus_stamina=20, bonus_charisma=1, **POTION,
         description="A dark Saltborn ale. Restores 20 stamina and loosens tongues."),
    item("Bitterroot Antidote", U, NONE, 3, 0.2, 40, **POTION,
         description="Grey paste in a tin; it cures most poisons and tastes worse than all of them."),
    item("Clay Firepot", U, NONE, 4, 1.0, 35, damage=9, is_throwable=True,
         **{**POTION, "tags": ["Consumable", "Ranged"]},
         description="A sealed pot of sticky oil with a fuse. Throw it and step back."),
    item("Smoke Egg", C, NONE, 2, 0.2, 10, is_throwable=True, **{**POTION, "tags": ["Consumable", "Stealth"]},
         description="A hollow egg full of grey powder that bursts into a thick cloud."),
    item("Bundle of Arrows", C, NONE, 1, 0.8, 2, **POTION, description="Twenty goose-fletched arrows."),
    item("Bedroll", C, NONE, 1, 2.0, 3, durability=60, tags=["Survival"],
         description="A rolled blanket and a waxed groundsheet."),
    item("Hempen Rope", C, NONE, 1, 3.0, 2, durability=40, tags=["Survival"],
         description="Fifteen metres of rope that has held worse than you."),
    item("Tinderbox", C, NONE, 1, 0.3, 1, durability=80, tags=["Survival"],
         description="Flint, steel and dry tinder in a tin box."),
    item("Hooded Lantern", C, NONE, 1, 1.0, 8, durability=60, tags=["Underground"],
         description="A lantern with shutters to hide its light."),
    item("Climbing Pitons", C, NONE, 2, 1.5, 6, durability=50, tags=["Survival", "Underground"],
         description="A dozen iron spikes and a small hammer."),
    item("Lockpick Roll", U, NONE, 3, 0.2, 30, durability=40, tags=["Stealth", "Crafting"],
         description="Picks, tension bars and a tiny mirror in a soft roll."),
    item("Brass Spyglass", U, NONE, 3, 0.6, 90, durability=70, tags=["Seafaring"],
         description="A folding glass that brings a sail on the horizon close."),
    item("Cartographer's Kit", R, NONE, 5, 1.2, 150, durability=60, tags=["Crafting"],
         description="Inks, compass, rule and a roll of vellum for mapping the unmapped."),
    item("Cracked Seal of House Varrow", U, NONE, 1, 0.1, 0, **QUEST,
         description="Half of a wax seal; someone is looking for the other half."),
    item("Letter from the Ferryman", C, NONE, 1, 0.05, 0, **QUEST,
         description="A damp letter, addressed to nobody, that asks to be delivered anyway."),
    item("Map Fragment of the Sunken Stair", R, NONE, 4, 0.05, 0, **QUEST,
         description="A torn corner of a sea chart marking stairs that lead under the waves."),
    item("Tidebell Shard", R, NONE, 6, 0.4, 0, **QUEST,
         description="A shard of a bronze bell that still rings when the tide comes in."),
    item("Oathstone of the Hill-Kings", E, NONE, 10, 4.0, 0, **QUEST,
         description="A stone on which the old hill-kings swore; it grows heavy in a liar's hands."),
    item("Ember Heart of Mount Kessil", L, NONE, 15, 1.5, 0, **QUEST,
         description="A stone heart that beats with slow fire, taken from a mountain that sleeps."),
]

RELICS = [
    item("Debtcutter, Axe of the Hill-Kings", L, TWO_HANDS, 16, 7.5, 12000, damage=30, durability=400,
         bonus_strength=3, bonus_constitution=2, bonus_health=25, bonus_skills=["Tunnel Fighting"],
         bonus_perks=["Stonehide"], tags=["Weapon", "Heavy", "Underground"],
         description="Every notch on its haft is a wrong that was repaid. It remembers them all."),
    item("The Sighing Bough", L, TWO_HANDS, 15, 1.0, 11000, damage=20, durability=300, bonus_dexterity=3,
         bonus_wisdom=1, bonus_skills=["Starfire Volley"], bonus_perks=["Dead Aim"], tags=["Weapon", "Ranged"],
         description="A longbow grown, not carved, from a living branch that sighs at every loosed arrow."),
    item("Tidesong Sword", E, ONE_HAND, 11, 1.3, 3200, damage=14, durability=260, bonus_dexterity=2,
         bonus_stamina=10, bonus_skills=["Tidewatching"], tags=["Weapon", "Seafaring"],
         description="A sea-green sword that hums like surf; it never rusts."),
    item("Lantern of the Last Vigil", E, ONE_HAND, 11, 1.2, 2800, damage=1, durability=200, bonus_wisdom=2,
         bonus_mana=15, bonus_skills=["Warding Circle"], tags=["Faith"],
         description="Carried in the off hand, its flame burns blue near restless spirits."),
    item("Crown of Quiet Embers", L, ItemSlot.HEAD, 16, 1.0, 15000, defense=3, durability=300,
         bonus_intelligence=3, bonus_mana=30, bonus_perks=["Undying Ember"], tags=["Arcane"],
         description="A circlet of dark metal with coals that never cool and never burn."),
    item("Mask of a Hundred Smiles", E, ItemSlot.FACE, 10, 0.3, 2600, defense=1, durability=160,
         bonus_charisma=3, bonus_skills=["Silver Tongue"], bonus_perks=["Tavern Legend"], tags=["Social"],
         description="A porcelain mask whose painted smile is somehow always the right one."),
    item("Gauntlets of the Patient Mountain", E, ItemSlot.HANDS, 12, 2.0, 3500, defense=4, durability=280,
         bonus_strength=2, bonus_constitution=1, bonus_skills=["Iron Skin"], tags=["Armor", "Heavy"],
         description="Stone-grey gauntlets that make the wearer's blows slow, heavy and certain."),
    item("Stair-Runner Boots", E, ItemSlot.FEET, 12, 0.9, 3000, defense=2, durability=180, bonus_dexterity=2,
         bonus_stamina=15, bonus_perks=["Lightfoot"], tags=["Armor", "Light", "Stealth"],
         description="Soft boots worn by the couriers of the Thousand Stairs; they never slip."),
    item("Saltwind Mantle", L, ItemSlot.CLOAK, 15, 1.5, 9000, defense=3, durability=300, bonus_wisdom=2,
         bonus_dexterity=2, bonus_skills=["Windreader"], bonus_perks=["Unshakable"], tags=["Seafaring"],
         description="A sea-grey cloak that always billows the way the weather is about to turn."),
    item("Ring of Second Chances", L, ItemSlot.RING, 14, 0.05, 10000, durability=500, bonus_charisma=1,
         bonus_constitution=1, bonus_perks=["Fatebreaker"], tags=["Jewelry"],
         description="A plain ring with a hairline crack; it has saved its wearer before and will again."),
    item("Hearthstone Amulet", E, ItemSlot.AMULET, 10, 0.2, 2400, durability=400, bonus_constitution=2,
         bonus_health=20, bonus_perks=["Second Wind"], tags=["Jewelry", "Faith"],
         description="A warm river stone on a leather cord that smells faintly of home cooking."),
    item("Pathfinder's Girdle", R, ItemSlot.BELT, 7, 0.6, 700, durability=150, bonus_wisdom=1,
         bonus_stamina=10, tags=["Survival"],
         description="A belt with a compass set into its buckle that points toward shelter."),
    item("Bottomless Haversack", E, ItemSlot.BACKPACK, 10, 1.0, 4000, durability=250, bonus_strength=2,
         bonus_perks=["Pack Mule"], tags=["Survival"],
         description="A patched old pack that is somehow never quite full."),
    item("Wardstone Shield", R, ONE_HAND, 7, 4.5, 900, defense=7, durability=260, bonus_constitution=1,
         bonus_health=10, tags=["Armor", "Heavy"],
         description="A round off-hand shield with a runed stone boss that shrugs off curses."),
    item("Thornling Bark Vest", R, ItemSlot.CHEST, 6, 3.0, 650, defense=5, durability=200, bonus_wisdom=1,
         bonus_health=8, tags=["Armor", "Nature"],
         description="A vest of living bark that slowly regrows where it is cut."),
    item("Emberknight's Oathblade", L, ONE_HAND, 15, 1.4, 12500, damage=19, durability=350, bonus_charisma=3,
         bonus_strength=1, bonus_skills=["Cleaving Arc"], bonus_perks=["Last Stand"], tags=["Weapon", "Arcane"],
         description="A sword whose blade glows brighter the longer the odds against its wielder."),
]
# fmt: on

ITEMS = [*armoury(), *GOODS, *RELICS]
