"""Short ways to build the plain data the rules take."""

from webapp.rules import ATTRIBUTES, CharacterData, ItemData

LONGSWORD = ItemData("longsword", "Longsword", slot="ONE_HAND", damage=8, weight=1.5)
GREATSWORD = ItemData("greatsword", "Greatsword", slot="TWO_HANDS", damage=12, weight=3.0)
OAK_SHIELD = ItemData("oak-shield", "Oak Shield", slot="ONE_HAND", defense=2, weight=4.0)
IRON_HELM = ItemData("iron-helm", "Iron Helm", slot="HEAD", defense=1, weight=2.0)
LEATHER_CAP = ItemData("leather-cap", "Leather Cap", slot="HEAD", weight=0.5)
RING_OF_MIGHT = ItemData("ring-of-might", "Ring of Might", slot="RING", bonuses={"strength": 1})
ROPE = ItemData("rope", "Rope", slot="NONE", weight=1.0)


def scores(**overrides: int) -> dict[str, int]:
    """Six base scores of 10, with the ones named changed."""
    return {**dict.fromkeys(ATTRIBUTES, 10), **overrides}


def brannoc(**fields: object) -> CharacterData:
    """A character called Brannoc, level 1 and without race, archetype or belongings unless told."""
    return CharacterData("Brannoc", **fields)


def carrying(*items: ItemData) -> dict[object, int]:
    """Inventory quantities with one of each item."""
    return {item.id: 1 for item in items}
