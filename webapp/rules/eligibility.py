"""Who may be what and learn what: archetype race requirements, skills and perks."""

from collections.abc import Hashable, Iterable, Set

from webapp.rules.model import ArchetypeData, PerkData, RaceData, SkillData
from webapp.rules.violations import Violation
from webapp.rules.wording import count_of, join_and, join_or, needs_level, with_article


def check_archetype_race(
    character_name: str, archetype: ArchetypeData | None, race: RaceData | None
) -> list[Violation]:
    """Return a violation (field archetype_id) when the archetype lists required races and the race isn't one.

    A draft missing either choice passes; the check runs again when the other is chosen.
    """
    if archetype is None or race is None or not archetype.required_race_ids:
        return []
    if race.id in archetype.required_race_ids:
        return []
    names = archetype.required_race_names
    required = with_article(join_or(names)) if names else "another race"
    message = f"{archetype.name} requires {required}; {character_name} is {with_article(race.name)}"
    return [Violation("archetype_id", message)]


def check_learn_skill(
    character_name: str,
    level: int,
    skill: SkillData,
    race: RaceData | None,
    archetype: ArchetypeData | None,
    known_ids: Set[Hashable],
) -> list[Violation]:
    """Return violations (field skill_id) unless the skill is new, the level suffices and race or archetype
    teaches it. known_ids are the learned skills: one an equipped item grants may still be learned for good.
    """
    if skill.id in known_ids:
        return [Violation("skill_id", f"{character_name} already knows {skill.name}")]
    violations = []
    if level < skill.required_level:
        violations.append(Violation("skill_id", needs_level(skill.required_level, character_name, level)))
    teachers = [choice for choice in (race, archetype) if choice is not None]
    if not any(skill.id in teacher.skill_ids for teacher in teachers):
        violations.append(Violation("skill_id", _not_taught(character_name, skill, [t.name for t in teachers])))
    return violations


def check_still_taught(
    character_name: str,
    learned: Iterable[SkillData],
    race: RaceData | None,
    archetype: ArchetypeData | None,
    field: str,
) -> list[Violation]:
    """Return a violation (on `field`) when a new race or archetype teaches none of some learned skills: a skill is
    learned from one's race or archetype (check_learn_skill), so the change waits until those are forgotten."""
    teachers = [choice for choice in (race, archetype) if choice is not None]
    untaught = [skill.name for skill in learned if not any(skill.id in t.skill_ids for t in teachers)]
    if not untaught:
        return []
    names = join_and(untaught)
    them = "it" if len(untaught) == 1 else "them"
    taught = _not_taught(character_name, SkillData(None, names), [t.name for t in teachers])
    return [Violation(field, f"{taught}, which {character_name} knows; forget {them} first")]


def _not_taught(character_name: str, skill: SkillData, teacher_names: list[str]) -> str:
    if not teacher_names:
        return f"{character_name} needs a race or archetype that teaches {skill.name}"
    if len(teacher_names) == 1:
        return f"{teacher_names[0]} doesn't teach {skill.name}"
    return f"Neither {teacher_names[0]} nor {teacher_names[1]} teaches {skill.name}"


def max_perks(level: int) -> int:
    """Return how many perks a character of this level may have: 1 + level // 4."""
    return 1 + level // 4


def check_take_perk(
    character_name: str, level: int, perk: PerkData, current_perk_count: int, known_ids: Set[Hashable]
) -> list[Violation]:
    """Return violations (field perk_id) unless the perk is new, the level suffices and a slot is free."""
    if perk.id in known_ids:
        return [Violation("perk_id", f"{character_name} already has {perk.name}")]
    violations = []
    if level < perk.required_level:
        violations.append(Violation("perk_id", needs_level(perk.required_level, character_name, level)))
    limit = max_perks(level)
    if current_perk_count >= limit:
        message = f"{character_name} already has the {count_of(limit, 'perk')} allowed at level {level}"
        violations.append(Violation("perk_id", message))
    return violations
