"""The character builder: one server-side draft per user, filled step by step, checked by the same rules as creation."""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp import rules
from webapp.extensions import db
from webapp.models import Archetype, BuilderDraft, Perk, Race, Skill
from webapp.services import access, characters
from webapp.services.access import Action
from webapp.services.errors import InvalidInput, RuleViolation, Violation
from webapp.services.ids import uuid_or_none
from webapp.services.sheets import Namer, archetype_data, race_data

STEPS = ("identity", "race", "archetype", "attributes", "skills", "review")
STEP_TITLES = {
    "identity": "Identity",
    "race": "Race",
    "archetype": "Archetype",
    "attributes": "Attributes",
    "skills": "Skills & perks",
    "review": "Review",
}
STARTING_SCORES = dict.fromkeys(rules.ATTRIBUTES, rules.MIN_BASE)
UNNAMED = "Your character"


@dataclass
class Draft:
    """A draft with its choices resolved to what the actor may still see (a choice since hidden reads as none)."""

    row: BuilderDraft
    race: Any = None
    archetype: Any = None
    skills: list[Skill] = field(default_factory=list)
    perks: list[Perk] = field(default_factory=list)

    @property
    def data(self) -> dict:
        return self.row.data or {}

    @property
    def name(self) -> str:
        return self.data.get("name") or UNNAMED

    @property
    def scores(self) -> dict[str, int]:
        return {**STARTING_SCORES, **(self.data.get("scores") or {})}

    def done(self, step: str) -> bool:
        """Whether a step holds a choice (identity: a name; attributes: scores within the budget)."""
        checks = {
            "identity": bool(self.data.get("name")),
            "race": self.race is not None,
            "archetype": self.archetype is not None,
            "attributes": "scores" in self.data and not rules.check_point_buy(self.scores),
            "skills": "skill_ids" in self.data,
        }
        return checks.get(step, False)

    def character_data(self, namer: Namer | None = None) -> rules.CharacterData:
        """The character as it would be created now: level 1, no equipment; `namer` names its entries."""
        return rules.CharacterData(
            name=self.name,
            base=self.scores,
            race=race_data(self.race, namer=namer),
            archetype=archetype_data(self.archetype, namer=namer),
        )

    def preview(self) -> rules.Sheet | None:
        """The derived stats of the draft, or None while a score is outside 8–15."""
        if any(score not in rules.POINT_COST for score in self.scores.values()):
            return None
        return rules.compute_sheet(self.character_data())


def open_draft(actor) -> Draft:
    """The actor's draft (an unsaved empty one if there is none), with its choices loaded. Raises Forbidden."""
    user = access.require_creator(actor)
    row = db.session.execute(sa.select(BuilderDraft).where(BuilderDraft.user_id == user.id)).scalar_one_or_none()
    if row is None:
        row = BuilderDraft(user_id=user.id, step=STEPS[0], data={})
    data = row.data or {}
    draft = Draft(row)
    draft.race = _still_visible(actor, lambda: characters.resolve_race(actor, data["race_id"]), "race_id" in data)
    draft.archetype = _still_visible(
        actor, lambda: characters.resolve_archetype(actor, data["archetype_id"]), "archetype_id" in data
    )
    draft.skills = _visible(actor, Skill, data.get("skill_ids", []))
    draft.perks = _visible(actor, Perk, data.get("perk_ids", []))
    return draft


def _still_visible(actor, load, wanted: bool):
    if not wanted:
        return None
    try:
        return load()
    except InvalidInput:
        return None


def _visible(actor, model, ids: list[str]) -> list:
    if not ids:
        return []
    keys = {key for key in map(uuid_or_none, ids) if key is not None}
    query = sa.select(model).where(model.id.in_(keys), access.visible(actor, model))
    found = {str(obj.id): obj for obj in db.session.execute(query).scalars()}
    return [found[key] for key in ids if key in found]


def _save(actor, draft: Draft, changes: dict, next_step: str | None) -> Draft:
    """Merge the changes into the draft, move it on to `next_step`, commit once; returns the draft reloaded.

    The changes go onto the draft as it is under a lock, not as this request first read it: two tabs saving
    different steps at once keep both. Two first saves at once make one draft (the second merges into it).
    Whatever the merge leaves is checked again when the character is made."""
    user_id = draft.row.user_id
    for last_try in (False, True):
        row = db.session.execute(
            sa.select(BuilderDraft)
            .where(BuilderDraft.user_id == user_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one_or_none()
        if row is None:
            row = BuilderDraft(user_id=user_id, step=STEPS[0], data={})
            db.session.add(row)
        row.data = {**(row.data or {}), **changes}
        if next_step is not None:
            row.step = next_step
        try:
            db.session.commit()
            break
        except sa.exc.IntegrityError:  # another tab's first save made the draft meanwhile: merge into that one
            db.session.rollback()
            if last_try:
                raise
    return open_draft(actor)


def next_step(step: str) -> str:
    return STEPS[min(STEPS.index(step) + 1, len(STEPS) - 1)]


def save_identity(actor, identity: characters.CharacterIdentity) -> Draft:
    """Name, sex, age, description and visibility. Raises InvalidInput (a name the actor already uses)."""
    draft = open_draft(actor)
    problems = characters.name_violations(draft.row.user_id, identity.name)
    if problems:
        raise InvalidInput(problems, problems[0].message)
    return _save(actor, draft, identity.model_dump(), "race")


def save_race(actor, race_id) -> Draft:
    """The race. Raises InvalidInput (no such race the actor may see)."""
    draft = open_draft(actor)
    race = characters.resolve_race(actor, race_id)
    return _save(actor, draft, {"race_id": str(race.id)}, "archetype")


def save_archetype(actor, archetype_id) -> Draft:
    """The archetype. Raises InvalidInput (no such archetype) or RuleViolation (it requires another race)."""
    draft = open_draft(actor)
    archetype = characters.resolve_archetype(actor, archetype_id)
    named = access.namer(actor)
    archetype_rules, race_rules = archetype_data(archetype, namer=named), race_data(draft.race, namer=named)
    RuleViolation.raise_if_any(rules.check_archetype_race(draft.name, archetype_rules, race_rules))
    return _save(actor, draft, {"archetype_id": str(archetype.id)}, "attributes")


def adjust_scores(scores: dict[str, Any], adjust: str | None) -> dict[str, Any]:
    """Apply a stepper press such as "strength:+1" (kept within 8–15); other input passes through unchanged."""
    attribute, _, step = (adjust or "").partition(":")
    if attribute not in rules.ATTRIBUTES or step not in {"+1", "-1"}:
        return scores
    current = scores.get(attribute)
    current = current if isinstance(current, int) else rules.MIN_BASE
    value = min(max(current + int(step), rules.MIN_BASE), rules.MAX_BASE)
    return {**scores, attribute: value}


def preview_scores(actor, scores: dict[str, Any], budget: int = rules.DEFAULT_BUDGET) -> tuple[Draft, list[Violation]]:
    """Keep the scores in the draft (whole numbers only) and say what the point buy thinks of them."""
    draft = open_draft(actor)
    kept = {name: value for name, value in scores.items() if name in rules.ATTRIBUTES and isinstance(value, int)}
    draft = _save(actor, draft, {"scores": {**draft.scores, **kept}}, None)
    return draft, rules.check_point_buy({**draft.scores, **scores}, budget)


def save_attributes(actor, scores: dict[str, Any], budget: int = rules.DEFAULT_BUDGET) -> Draft:
    """The six base scores. Raises RuleViolation (a score outside 8–15, or the cost over the budget)."""
    draft = open_draft(actor)
    RuleViolation.raise_if_any(rules.check_point_buy(scores, budget))
    return _save(actor, draft, {"scores": {name: scores[name] for name in rules.ATTRIBUTES}}, "skills")


def race_options(actor) -> list[Race]:
    """The races the actor may pick, by name, with the skills each grants."""
    return _all_visible(actor, Race, selectinload(Race.skills))


def archetype_options(actor) -> list[Archetype]:
    """The archetypes the actor may pick, by name, with their skills and the races they require."""
    return _all_visible(actor, Archetype, *characters.ARCHETYPE_OPTIONS)


def _all_visible(actor, model, *options) -> list:
    query = sa.select(model).where(access.visible(actor, model)).options(*options).order_by(model.name)
    return list(db.session.execute(query).scalars())


def skill_options(actor, draft: Draft) -> list[dict]:
    """Skills the draft's race and archetype teach that the actor may see, by level; `ready` ones may be learned
    at level 1."""
    taught = {
        skill.id: skill
        for owner in (draft.race, draft.archetype)
        if owner
        for skill in owner.skills
        if access.can(actor, Action.VIEW, skill)
    }
    ordered = sorted(taught.values(), key=lambda skill: (skill.required_level, skill.name))
    return [{"skill": skill, "ready": skill.required_level <= 1} for skill in ordered]


def perk_options(actor) -> list[Perk]:
    """Perks the actor may see, by level then name."""
    query = sa.select(Perk).where(access.visible(actor, Perk)).order_by(Perk.required_level, Perk.name)
    return list(db.session.execute(query).scalars())


def save_picks(actor, skill_ids: list, perk_ids: list) -> Draft:
    """Starting skills and perks. Raises InvalidInput (unknown) or RuleViolation (not taught, above level 1,
    more perks than level 1 allows)."""
    draft = open_draft(actor)
    skills = characters.visible_by_ids(actor, Skill, skill_ids, "skill_ids")
    perks = characters.visible_by_ids(actor, Perk, perk_ids, "perk_ids")
    problems = characters.starting_violations(
        draft.name, draft.race, draft.archetype, skills, perks, namer=access.namer(actor)
    )
    problems = [Violation(_picks_field(v.field), v.message) for v in problems]
    RuleViolation.raise_if_any(problems)
    ids = {"skill_ids": [str(s.id) for s in skills], "perk_ids": [str(p.id) for p in perks]}
    return _save(actor, draft, ids, "review")


def _picks_field(name: str) -> str:
    return {"skill_id": "skill_ids", "perk_id": "perk_ids"}.get(name, name)


def finish(actor, budget: int = rules.DEFAULT_BUDGET):
    """Create the character from the draft and drop the draft, in one commit; returns the character.

    Raises what create_character raises; the draft is kept then.
    """
    draft = open_draft(actor)
    data = draft.data
    fields = {
        "name": data.get("name") or "",
        "sex": data.get("sex") or "",
        "age": data.get("age"),
        "description": data.get("description") or "",
        "visibility": data.get("visibility") or "PRIVATE",
        "race_id": data.get("race_id"),
        "archetype_id": data.get("archetype_id"),
        **draft.scores,
    }
    if sa.inspect(draft.row).persistent:
        db.session.delete(draft.row)
    try:
        body = characters.CharacterCreate.read(fields)
        return characters.create_character(
            actor, body, skill_ids=data.get("skill_ids", []), perk_ids=data.get("perk_ids", []), budget=budget
        )
    except Exception:
        db.session.rollback()
        raise


def discard(actor) -> None:
    """Throw the draft away; commits."""
    user = access.require_creator(actor)
    db.session.execute(sa.delete(BuilderDraft).where(BuilderDraft.user_id == user.id))
    db.session.commit()
