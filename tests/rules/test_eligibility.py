"""Archetype race requirements, learning skills and taking perks."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from webapp.rules import (
    ArchetypeData,
    PerkData,
    RaceData,
    SkillData,
    Violation,
    check_archetype_race,
    check_learn_skill,
    check_still_taught,
    check_take_perk,
    max_perks,
)

HUMAN = RaceData("human", "Human", skill_ids=frozenset({"haggle"}))
ORC = RaceData("orc", "Orc")
DWARF = RaceData("dwarf", "Dwarf")
WARDEN = ArchetypeData(
    "warden",
    "Warden",
    required_race_ids=frozenset({"dwarf", "elf"}),
    required_race_names=("Dwarf", "Elf"),
    skill_ids=frozenset({"fireball"}),
)
FIGHTER = ArchetypeData("fighter", "Fighter", skill_ids=frozenset({"parry"}))
FIREBALL = SkillData("fireball", "Fireball", required_level=5)
HAGGLE = SkillData("haggle", "Haggle")
PARRY = SkillData("parry", "Parry")
IRON_WILL = PerkData("iron-will", "Iron Will", required_level=8)
LUCKY = PerkData("lucky", "Lucky")


def test_warden_requires_a_dwarf_or_elf() -> None:
    assert check_archetype_race("Brannoc", WARDEN, HUMAN) == [
        Violation("archetype_id", "Warden requires a Dwarf or Elf; Brannoc is a Human")
    ]


def test_race_named_with_a_vowel_takes_an() -> None:
    assert check_archetype_race("Brannoc", WARDEN, ORC)[0].message.endswith("Brannoc is an Orc")


def test_required_race_passes() -> None:
    assert check_archetype_race("Brannoc", WARDEN, DWARF) == []


def test_archetype_without_required_races_takes_any_race() -> None:
    assert check_archetype_race("Brannoc", FIGHTER, ORC) == []


def test_draft_missing_race_or_archetype_passes() -> None:
    assert check_archetype_race("Brannoc", WARDEN, None) == []
    assert check_archetype_race("Brannoc", None, HUMAN) == []


def test_required_races_without_names_still_explain() -> None:
    unnamed = ArchetypeData("warden", "Warden", required_race_ids=frozenset({"dwarf"}))
    assert check_archetype_race("Brannoc", unnamed, HUMAN)[0].message == (
        "Warden requires another race; Brannoc is a Human"
    )


def test_skill_taught_by_the_archetype_can_be_learned() -> None:
    assert check_learn_skill("Brannoc", 1, PARRY, HUMAN, FIGHTER, frozenset()) == []


def test_skill_taught_by_the_race_can_be_learned() -> None:
    assert check_learn_skill("Brannoc", 1, HAGGLE, HUMAN, FIGHTER, frozenset()) == []


def test_skill_above_the_characters_level_is_refused() -> None:
    assert check_learn_skill("Brannoc", 3, FIREBALL, HUMAN, WARDEN, frozenset()) == [
        Violation("skill_id", "Needs level 5; Brannoc is level 3")
    ]


def test_skill_at_the_required_level_can_be_learned() -> None:
    assert check_learn_skill("Brannoc", 5, FIREBALL, HUMAN, WARDEN, frozenset()) == []


def test_skill_neither_race_nor_archetype_teaches_is_refused() -> None:
    assert check_learn_skill("Brannoc", 1, PARRY, HUMAN, WARDEN, frozenset()) == [
        Violation("skill_id", "Neither Human nor Warden teaches Parry")
    ]


@pytest.mark.parametrize(
    ("race", "archetype", "message"),
    [
        (HUMAN, None, "Human doesn't teach Parry"),
        (None, WARDEN, "Warden doesn't teach Parry"),
        (None, None, "Brannoc needs a race or archetype that teaches Parry"),
    ],
)
def test_skill_not_taught_by_a_draft(race: RaceData | None, archetype: ArchetypeData | None, message: str) -> None:
    assert check_learn_skill("Brannoc", 1, PARRY, race, archetype, frozenset()) == [Violation("skill_id", message)]


def test_every_reason_a_skill_is_refused_is_given() -> None:
    violations = check_learn_skill("Brannoc", 1, FIREBALL, HUMAN, FIGHTER, frozenset())
    assert [v.message for v in violations] == [
        "Needs level 5; Brannoc is level 1",
        "Neither Human nor Fighter teaches Fireball",
    ]


def test_known_skill_cannot_be_learned_again() -> None:
    assert check_learn_skill("Brannoc", 1, PARRY, HUMAN, FIGHTER, frozenset({"parry"})) == [
        Violation("skill_id", "Brannoc already knows Parry")
    ]


@pytest.mark.parametrize(("level", "perks"), [(1, 1), (3, 1), (4, 2), (7, 2), (8, 3), (19, 5), (20, 6)])
def test_one_perk_plus_one_every_four_levels(level: int, perks: int) -> None:
    assert max_perks(level) == perks


def test_perk_can_be_taken_with_a_free_slot() -> None:
    assert check_take_perk("Brannoc", 1, LUCKY, 0, frozenset()) == []


def test_perk_above_the_characters_level_is_refused() -> None:
    assert check_take_perk("Brannoc", 4, IRON_WILL, 0, frozenset()) == [
        Violation("perk_id", "Needs level 8; Brannoc is level 4")
    ]


def test_perk_beyond_the_limit_is_refused() -> None:
    assert check_take_perk("Brannoc", 3, LUCKY, 1, frozenset({"iron-will"})) == [
        Violation("perk_id", "Brannoc already has the 1 perk allowed at level 3")
    ]
    assert check_take_perk("Brannoc", 8, LUCKY, 3, frozenset()) == [
        Violation("perk_id", "Brannoc already has the 3 perks allowed at level 8")
    ]


def test_level_four_opens_a_second_perk() -> None:
    assert check_take_perk("Brannoc", 4, LUCKY, 1, frozenset()) == []


def test_perk_already_taken_is_refused() -> None:
    assert check_take_perk("Brannoc", 8, LUCKY, 1, frozenset({"lucky"})) == [
        Violation("perk_id", "Brannoc already has Lucky")
    ]


def test_a_new_race_must_still_teach_what_was_learned_from_the_old() -> None:
    assert check_still_taught("Brannoc", [HAGGLE, PARRY], ORC, FIGHTER, "race_id") == [
        Violation("race_id", "Neither Orc nor Fighter teaches Haggle, which Brannoc knows; forget it first")
    ]


def test_every_untaught_skill_is_named_once() -> None:
    assert check_still_taught("Brannoc", [HAGGLE, PARRY, FIREBALL], HUMAN, None, "archetype_id") == [
        Violation("archetype_id", "Human doesn't teach Parry and Fireball, which Brannoc knows; forget them first")
    ]


def test_a_change_that_still_teaches_everything_passes() -> None:
    assert check_still_taught("Brannoc", [HAGGLE, FIREBALL], HUMAN, WARDEN, "race_id") == []
    assert check_still_taught("Brannoc", [], ORC, None, "race_id") == []


SKILLS = [HAGGLE, PARRY, FIREBALL, SkillData("stealth", "Stealth")]


@given(
    st.lists(st.sampled_from(SKILLS), unique=True),
    st.sets(st.sampled_from([s.id for s in SKILLS])),
    st.sets(st.sampled_from([s.id for s in SKILLS])),
)
def test_refused_exactly_when_some_learned_skill_is_taught_by_neither(learned, by_race, by_archetype) -> None:
    race = RaceData("r", "Rat-kin", skill_ids=frozenset(by_race))
    archetype = ArchetypeData("a", "Augur", skill_ids=frozenset(by_archetype))
    untaught = [skill.name for skill in learned if skill.id not in by_race | by_archetype]
    refused = check_still_taught("Brannoc", learned, race, archetype, "race_id")
    assert bool(refused) == bool(untaught)
    if untaught:
        assert all(name in refused[0].message for name in untaught)
