"""One input model per use case, read the way the API reads a body: bounds, null, whole numbers written as 612.0
and NUL bytes are refused or taken beside their field exactly as the model's own JSON schema says."""

import itertools
import json
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from webapp.api.compendium import body_model
from webapp.models.compendium_kinds import KINDS
from webapp.services import accounts, campaigns, character_growth, characters, images, inventory, moderation
from webapp.services.campaigns import awards
from webapp.services.errors import InvalidInput
from webapp.services.inputs import TRIMMED, trimmed, trimmed_pattern
from webapp.services.password_changes import PasswordBody, PasswordReset
from webapp.services.personal_tokens import TokenCreate
from webapp.services.registration import RegisterBody
from webapp.services.sign_in import LoginBody, RefreshBody

ID = str(uuid.UUID(int=7))
SCORES = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
LATER = (datetime.now(UTC) + timedelta(days=30)).isoformat()
PASSWORD = "a lantern in the deep mine"
REGISTER = {"email": "bob@example.com", "password": PASSWORD, "display_name": "Bob"}

# Each use case's input with a body it takes: every check below changes one field of it.
INPUTS: list[tuple[type[BaseModel], dict]] = [
    (characters.CharacterCreate, {"name": "Brannoc", "race_id": ID, "archetype_id": ID, **SCORES}),
    (characters.CharacterPatch, {"name": "Brannoc"}),
    (characters.CharacterIdentity, {"name": "Brannoc"}),
    (character_growth.ExperienceAward, {"amount": 300}),
    (character_growth.SkillPick, {"skill_id": ID}),
    (character_growth.PerkPick, {"perk_id": ID}),
    (inventory.InventoryAdd, {"item_id": ID}),
    (inventory.InventoryPatch, {"quantity": 2}),
    (images.ImageUpload, {}),
    (images.ImagePatch, {}),
    (accounts.UserPatch, {}),
    (moderation.RoleBody, {"role": "MODERATOR"}),
    (moderation.BanBody, {"reason": "Spam in every campaign", "until": LATER}),
    (TokenCreate, {"name": "backup script", "expires_at": LATER}),
    (RegisterBody, REGISTER),
    (LoginBody, {"email": "bob@example.com", "password": PASSWORD}),
    (RefreshBody, {"refresh_token": "tvr_refresh"}),
    (PasswordBody, {"current_password": PASSWORD, "new_password": "a lamp in the high tower"}),
    (PasswordReset, {"password": PASSWORD}),
    (campaigns.CampaignCreate, {"name": "Deep Roads", "rules": {"level_cap": 10}}),
    (campaigns.CampaignPatch, {"name": "Deep Roads"}),
    (campaigns.RulesBody, {}),
    (campaigns.JoinRequest, {"invite_code": "abc123", "character_id": ID}),
    (campaigns.NoteBody, {"body": "The party rests."}),
    (awards.AwardBody, {"experience": 50, "item_id": ID, "all": True}),
    *((body_model(kind, False), {"name": "Homebrew"}) for kind in KINDS.values()),
    *((body_model(kind, True), {}) for kind in KINDS.values()),
]
IDS = [model.__name__ for model, _ in INPUTS]


def read_json(model: type[BaseModel], body: dict) -> BaseModel:
    """The input as the API reads it: strictly, from the JSON text."""
    return model.model_validate_json(json.dumps(body))


def refused_fields(model: type[BaseModel], body: dict) -> set[str]:
    try:
        read_json(model, body)
    except ValidationError as error:
        return {str(item["loc"][0]) if item["loc"] else "body" for item in error.errors()}
    except InvalidInput as error:
        return {violation.field for violation in error.violations}
    return set()


def properties(model: type[BaseModel]) -> dict[str, dict]:
    return model.model_json_schema()["properties"]


def admits_null(schema: dict) -> bool:
    return schema.get("type") == "null" or any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def options(schema: dict) -> list[dict]:
    return schema.get("anyOf", [schema])


def by_kind(model, wanted: str):
    """(field, its schema) for every field whose type, or one of its types, is `wanted`."""
    for field, schema in properties(model).items():
        for option in options(schema):
            if option.get("type") == wanted:
                yield field, option


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_each_input_takes_its_example_body(model, body):
    assert refused_fields(model, body) == set()


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_a_whole_number_written_with_a_point_is_taken_as_that_number(model, body):
    for field, schema in by_kind(model, "integer"):
        value = schema.get("minimum", 1)
        read = read_json(model, {**body, field: float(value)})
        assert getattr(read, field) == value and type(getattr(read, field)) is int, field


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_a_fraction_true_or_text_is_no_whole_number(model, body):
    fields = list(by_kind(model, "integer"))
    for field, schema in fields:
        for wrong in (schema.get("minimum", 1) + 0.5, True, str(schema.get("minimum", 1))):
            assert refused_fields(model, {**body, field: wrong}) == {field}, (field, wrong)


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_a_number_is_refused_one_past_either_bound_the_schema_states(model, body):
    for field, schema in [*by_kind(model, "integer"), *by_kind(model, "number")]:
        low, high = schema["minimum"], schema["maximum"]
        assert refused_fields(model, {**body, field: low}) == set(), field
        assert refused_fields(model, {**body, field: high}) == set(), field
        assert refused_fields(model, {**body, field: low - 1}) == {field}, field
        assert refused_fields(model, {**body, field: high + 1}) == {field}, field


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_null_is_refused_exactly_where_the_schema_refuses_it(model, body):
    for field, schema in properties(model).items():
        refused = field in refused_fields(model, {**body, field: None})
        assert refused is not admits_null(schema), field


@pytest.mark.parametrize(("model", "body"), INPUTS, ids=IDS)
def test_a_nul_byte_is_refused_in_any_text_the_schema_bounds(model, body):
    for field, schema in by_kind(model, "string"):
        if "pattern" in schema:
            assert refused_fields(model, {**body, field: "Bran\x00noc"}) == {field}, field
            assert not re.fullmatch(schema["pattern"], "Bran\x00noc")


def test_every_text_a_person_types_states_its_pattern_or_length():
    unbounded = [
        f"{model.__name__}.{field}"
        for model, _ in INPUTS
        for field, schema in by_kind(model, "string")
        if not {"pattern", "maxLength", "enum", "format"} & set(schema)
    ]
    assert unbounded == []


# Characters that show nothing: zero-width space, non-joiner and joiner, word joiner, byte order mark, Hangul filler.
SHOW_NOTHING = "\u200b\u200c\u200d\u2060\ufeff\u3164\u202e\u2066\u2069\u061c"


# The trimmed text's pattern, said independently: trimmed of Unicode's white space and of what shows nothing at
# either end, 1 (or 0) to `length` characters, no control character (line breaks only where the text has lines).
def _means(value: str, length: int, required: bool, lines: bool) -> bool:
    allowed = {"\t", "\n", "\r"} if lines else set()
    if any((char < " " or char == "\x7f") and char not in allowed for char in value):
        return False
    kept = value
    while kept and (kept[0].isspace() or kept[0] in SHOW_NOTHING):
        kept = kept[1:]
    while kept and (kept[-1].isspace() or kept[-1] in SHOW_NOTHING):
        kept = kept[:-1]
    return (1 if required else 0) <= len(kept) <= length


TEXT = st.text(
    alphabet=st.sampled_from(["a", "é", " ", "\u00a0", "\u3000", "\u2003", "\t", "\n", "\x00", "\x85", *SHOW_NOTHING])
)


@pytest.mark.parametrize("lines", [False, True])
@pytest.mark.parametrize("required", [False, True])
@pytest.mark.parametrize("length", [1, 2, 3])
def test_the_documented_pattern_means_trimmed_then_counted(length, required, lines):
    pattern = re.compile(trimmed_pattern(length, required=required, lines=lines))
    alphabet = ["a", " ", "\u00a0", "\u3000", "\n", "\x00", "\u200b"]
    for size in range(length + 3):
        for letters in itertools.product(alphabet, repeat=size):
            value = "".join(letters)
            assert bool(pattern.fullmatch(value)) is _means(value, length, required, lines), repr(value)


@given(value=TEXT, length=st.integers(1, 4))
def test_a_text_is_taken_exactly_when_its_pattern_matches_and_kept_trimmed(value, length):
    class Named(BaseModel):
        name: trimmed(length, required=True)

    matches = re.fullmatch(trimmed_pattern(length, required=True, lines=False), value)
    try:
        kept = Named.model_validate({"name": value}).name
    except ValidationError:
        assert not matches
    else:
        assert matches and kept == value.strip(TRIMMED)


def test_a_character_name_is_counted_once_trimmed_of_spaces_and_nbsp():
    padded = "  " + "B" * characters.MAX_NAME + "\u00a0"
    assert characters.CharacterPatch.read({"name": padded}).name == "B" * characters.MAX_NAME
    with pytest.raises(InvalidInput) as long:
        characters.CharacterPatch.read({"name": "B" * (characters.MAX_NAME + 1)})
    with pytest.raises(InvalidInput) as blank:
        characters.CharacterPatch.read({"name": "\u00a0 \u3000"})
    assert [(v.field, v.message) for v in long.value.violations] == [("name", "A name has at most 100 characters")]
    assert [(v.field, v.message) for v in blank.value.violations] == [("name", "Give your character a name")]


@pytest.mark.parametrize("blank", ["\u200b", "\u200b\u200d\ufeff", "\u3164\u3164", " \u2060\u00ad "])
def test_a_name_that_shows_nothing_is_blank(blank):
    with pytest.raises(InvalidInput) as error:
        characters.CharacterPatch.read({"name": blank})
    assert [(v.field, v.message) for v in error.value.violations] == [("name", "Give your character a name")]


def test_a_joiner_inside_a_name_stays_and_one_at_its_ends_goes():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert characters.CharacterPatch.read({"name": f"\u200b{family} Clan\u200d"}).name == f"{family} Clan"


def test_a_base_score_outside_the_point_buy_says_so_beside_its_attribute():
    body = {"name": "Brannoc", "race_id": ID, "archetype_id": ID, **SCORES, "wisdom": 16}
    with pytest.raises(InvalidInput) as error:
        characters.CharacterCreate.read(body)
    assert [(v.field, v.message) for v in error.value.violations] == [("wisdom", "Wisdom must be between 8 and 15")]


def test_a_patch_removes_an_age_or_a_portrait_with_null_but_never_a_name():
    assert characters.CharacterPatch.read({"age": None, "image_id": None}).changes() == {"age": None, "image_id": None}
    with pytest.raises(InvalidInput) as error:
        characters.CharacterPatch.read({"name": None})
    assert [(v.field, v.message) for v in error.value.violations] == [("name", "This can't be empty")]


@pytest.mark.parametrize(
    "model",
    [characters.CharacterCreate, characters.CharacterIdentity, images.ImageUpload, body_model(KINDS["items"], False)],
)
def test_nothing_is_created_hidden(model):
    body = dict(next(body for candidate, body in INPUTS if candidate is model))
    assert refused_fields(model, {**body, "visibility": "HIDDEN"}) == {"visibility"}
    assert properties(model)["visibility"]["enum"] == ["PUBLIC", "PRIVATE"]


def test_a_quantity_is_1_to_9999_and_says_so():
    assert inventory.InventoryAdd.read({"item_id": ID}).quantity == 1
    for wrong in (0, 10_000):
        with pytest.raises(InvalidInput) as error:
            inventory.InventoryPatch.read({"quantity": wrong})
        assert [(v.field, v.message) for v in error.value.violations] == [
            ("quantity", "Choose a quantity from 1 to 9999.")
        ]


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short one", "at least 12"),
        ("x" * 129, "at most 128"),
        ("password1234", "too common"),
        ("bobbobbob" * 2, "too common"),
    ],
)
def test_the_register_body_refuses_a_password_the_policy_refuses(password, fragment):
    body = {**REGISTER, "password": password}
    assert refused_fields(RegisterBody, body) == {"password"}
    with pytest.raises(InvalidInput) as error:
        RegisterBody.read(body)
    assert fragment in error.value.violations[0].message


def test_a_password_holding_ones_own_address_or_name_is_refused_beside_it():
    with pytest.raises(InvalidInput) as address:
        RegisterBody.read({"email": "adalovelace@example.com", "password": "adalovelace-forever", "display_name": "A"})
    with pytest.raises(InvalidInput) as named:
        RegisterBody.read(
            {"email": "ada@example.com", "password": "Countess of Lovelace", "display_name": "countess of lovelace"}
        )
    for error in (address, named):
        assert [v.field for v in error.value.violations] == ["password"]


def test_a_password_is_kept_as_typed_spaces_and_all():
    assert RegisterBody.read({**REGISTER, "password": "  " + PASSWORD + "  "}).password == "  " + PASSWORD + "  "
    assert LoginBody.read({"email": "bob@example.com", "password": " secret "}).password == " secret "


def test_the_register_body_states_the_password_policy():
    password = properties(RegisterBody)["password"]
    assert (password["minLength"], password["maxLength"]) == (12, 128)
    assert "common" in password["description"] and "email" in password["description"]


@pytest.mark.parametrize(
    ("model", "field", "body"),
    [(TokenCreate, "expires_at", {"name": "backup"}), (moderation.BanBody, "until", {"reason": "Spam"})],
)
def test_an_end_must_lie_ahead_and_name_its_zone(model, field, body):
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert refused_fields(model, {**body, field: past}) == {field}
    assert refused_fields(model, {**body, field: "2999-01-01T00:00:00"}) == {field}
    assert getattr(read_json(model, {**body, field: "2999-01-01T00:00:00+02:00"}), field).utcoffset() == timedelta(0)
    # Offsets that carry a moment past the calendar's ends, where Python's dates stop
    assert refused_fields(model, {**body, field: "9999-12-31T23:00:00-05:00"}) == {field}
    assert refused_fields(model, {**body, field: "0001-01-01T00:00:00+01:00"}) == {field}


def test_a_profile_patch_leaves_out_what_is_null_and_refuses_an_unknown_role():
    assert accounts.UserPatch.read({"display_name": None}).display_name is None
    assert refused_fields(accounts.UserPatch, {"role": "GOD"}) == {"role"}
    assert refused_fields(accounts.UserPatch, {"bio": "x" * (accounts.MAX_BIO + 1)}) == {"bio"}


def test_a_compendium_patch_refuses_null_for_a_field_the_entry_needs():
    with pytest.raises(ValidationError) as error:
        read_json(body_model(KINDS["items"], True), {"weight": None})
    assert [(item["loc"], item["msg"]) for item in error.value.errors()] == [(("weight",), "This field is required.")]
