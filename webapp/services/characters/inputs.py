"""What players send about a character (who it is, its race, archetype and base scores, who may see it), checked
once for the API, the pages, the builder and import alike."""

from typing import Annotated, Literal

from pydantic import Field

from webapp import rules
from webapp.services.inputs import Id, Input, Patch, entry_id, name, reworded, trimmed, whole

MAX_NAME = 100
MAX_SEX = 30
MAX_DESCRIPTION = 5000
MAX_AGE = 100_000

CharacterName = name(MAX_NAME, "Give your character a name", f"A name has at most {MAX_NAME} characters")
Sex = trimmed(MAX_SEX)
Age = whole(0, MAX_AGE, f"An age is a whole number from 0 to {MAX_AGE}")
Description = trimmed(MAX_DESCRIPTION, lines=True, too_long=f"A description has at most {MAX_DESCRIPTION} characters")
# The point buy's range; its budget is a rule of the campaign, checked by the service.
Score = whole(rules.MIN_BASE, rules.MAX_BASE, f"{{field}} must be between {rules.MIN_BASE} and {rules.MAX_BASE}")
SCORE = f"Base score, {rules.MIN_BASE}–{rules.MAX_BASE} (point buy; the cost must fit the budget)."
NO_SUCH_IMAGE = "There is no such image, or it is another player's private picture"
ImageId = Annotated[Id, reworded(NO_SUCH_IMAGE)]
Choosable = Annotated[Literal["PUBLIC", "PRIVATE"], reworded("Choose PUBLIC or PRIVATE")]


class CharacterIdentity(Input):
    """Who a new character is and who may see it (the builder's first step)."""

    name: CharacterName
    sex: Sex = Field("", description="In the player's own words.")
    age: Age | None = Field(None, description="In years.")
    description: Description = ""
    visibility: Choosable = "PRIVATE"


class CharacterCreate(CharacterIdentity):
    """A new character at level 1."""

    race_id: entry_id("race")
    archetype_id: entry_id("archetype")
    strength: Score = Field(description=SCORE)
    constitution: Score = Field(description=SCORE)
    dexterity: Score = Field(description=SCORE)
    intelligence: Score = Field(description=SCORE)
    wisdom: Score = Field(description=SCORE)
    charisma: Score = Field(description=SCORE)
    image_id: ImageId | None = Field(None, description="Portrait: an image you may see (POST /images first).")

    def scores(self) -> dict[str, int]:
        return {attribute: getattr(self, attribute) for attribute in rules.ATTRIBUTES}


class CharacterPatch(Patch):
    """The fields to change: only those given; null only removes an age or a portrait. HIDDEN is for moderators."""

    name: CharacterName = None
    sex: Sex = None
    age: Age | None = None
    description: Description = None
    race_id: entry_id("race") = None
    archetype_id: entry_id("archetype") = None
    strength: Score = Field(None, description=SCORE)
    constitution: Score = Field(None, description=SCORE)
    dexterity: Score = Field(None, description=SCORE)
    intelligence: Score = Field(None, description=SCORE)
    wisdom: Score = Field(None, description=SCORE)
    charisma: Score = Field(None, description=SCORE)
    visibility: Annotated[Literal["PUBLIC", "PRIVATE", "HIDDEN"], reworded("Choose PUBLIC or PRIVATE")] = None
    image_id: ImageId | None = Field(None, description="Portrait: an image you may see; null removes it.")
