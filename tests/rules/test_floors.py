"""Maximums are floored after every bonus (health ≥ 1, mana ≥ 0, stamina ≥ 0), and the floor shows in the breakdown."""

from hypothesis import given
from hypothesis import strategies as st

from tests.rules.builders import brannoc, scores
from webapp.rules import ATTRIBUTES, EQUIP_SLOTS, ArchetypeData, CharacterData, ItemData, Part, RaceData, compute_sheet

FIGHTER = ArchetypeData("fighter", "Fighter", health_per_level=8, mana_per_level=2, stamina_per_level=6)
CURSED_AMULET = ItemData(
    "cursed-amulet", "Cursed Amulet", slot="AMULET", bonus_health=-1000, bonus_mana=-1000, bonus_stamina=-1000
)
FLOORS = {"max_health": 1, "max_mana": 0, "max_stamina": 0}


def test_a_minus_1000_health_item_leaves_one_health_and_the_breakdown_says_why() -> None:
    sheet = compute_sheet(brannoc(base=scores(constitution=12), archetype=FIGHTER, equipment={"amulet": CURSED_AMULET}))
    # (8 + 1) · 1 · 100 / 100 = 9, then −1000
    assert sheet.max_health.value == 1
    assert sheet.max_health.breakdown[1:] == (Part("Cursed Amulet", -1000), Part("at least 1 after bonuses", 992))
    assert (sheet.max_mana.value, sheet.max_stamina.value) == (0, 0)
    assert sheet.max_mana.breakdown[-1] == Part("at least 0 after bonuses", 998)
    assert sheet.max_stamina.breakdown[-1] == Part("at least 0 after bonuses", 994)


def test_no_floor_part_where_the_bonuses_leave_enough() -> None:
    sheet = compute_sheet(brannoc(archetype=FIGHTER))
    for name in FLOORS:
        assert not any("after bonuses" in part.source for part in getattr(sheet, name).breakdown)


pool_bonus = st.integers(min_value=-1000, max_value=1000)
items = st.builds(
    ItemData,
    id=st.uuids(),
    name=st.text(min_size=1, max_size=10),
    bonuses=st.dictionaries(st.sampled_from(ATTRIBUTES), st.integers(min_value=-10, max_value=10)),
    bonus_health=pool_bonus,
    bonus_mana=pool_bonus,
    bonus_stamina=pool_bonus,
)
characters = st.builds(
    CharacterData,
    name=st.just("Brannoc"),
    base=st.fixed_dictionaries({a: st.integers(min_value=1, max_value=30) for a in ATTRIBUTES}),
    experience=st.integers(min_value=0, max_value=200_000),
    race=st.none()
    | st.builds(
        RaceData,
        id=st.just("race"),
        name=st.just("Race"),
        bonuses=st.dictionaries(st.sampled_from(ATTRIBUTES), st.integers(min_value=-3, max_value=3)),
        health_pct=st.integers(min_value=50, max_value=200),
        mana_pct=st.integers(min_value=50, max_value=200),
        stamina_pct=st.integers(min_value=50, max_value=200),
    ),
    archetype=st.none()
    | st.builds(
        ArchetypeData,
        id=st.just("archetype"),
        name=st.just("Archetype"),
        health_per_level=st.integers(min_value=4, max_value=12),
        mana_per_level=st.integers(min_value=0, max_value=12),
        stamina_per_level=st.integers(min_value=2, max_value=12),
    ),
    equipment=st.dictionaries(st.sampled_from(EQUIP_SLOTS), items),
)


@given(characters)
def test_maximums_never_fall_below_their_floors_and_their_breakdowns_still_add_up(character: CharacterData) -> None:
    sheet = compute_sheet(character)
    for name, floor in FLOORS.items():
        stat = getattr(sheet, name)
        assert stat.value >= floor
        assert sum(part.amount for part in stat.breakdown) == stat.value


@given(characters)
def test_the_floor_only_lifts_what_the_bonuses_took_below_it(character: CharacterData) -> None:
    sheet = compute_sheet(character)
    for name, floor in FLOORS.items():
        stat = getattr(sheet, name)
        lifts = [part for part in stat.breakdown if part.source == f"at least {floor} after bonuses"]
        before_floor = sum(part.amount for part in stat.breakdown if part not in lifts)
        assert stat.value == max(floor, before_floor)
        assert bool(lifts) == (before_floor < floor)
