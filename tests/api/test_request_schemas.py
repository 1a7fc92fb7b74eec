"""The OpenAPI document's request bodies say what the server enforces: the bounds, where null is refused (every PATCH
tried field by field against the live API), that nothing is created hidden, names counted once trimmed, the
password policy, and whole numbers written as 612.0."""

import re
import uuid
from dataclasses import dataclass

import pytest

from tests.images.samples import picture
from webapp.extensions import db
from webapp.models import Character, InventoryEntry
from webapp.services.images import create_image
from webapp.services.inputs import MAX_IDS


@dataclass
class World:
    """A signed-in player with a character carrying an item, homebrew of every kind, a campaign they run, an
    image."""

    player: object
    character: Character
    item: object
    entries: dict
    campaign: object
    image: object


@pytest.fixture
def world(make, auth) -> World:
    player = make.user()
    race, archetype = make.race(owner_id=player.id), make.archetype(owner_id=player.id)
    character = make.character(owner=player, race=race, archetype=archetype)
    item = make.item(owner_id=player.id, weight=0.1)
    make.give(character, item, 1)
    entries = {
        "races": race,
        "archetypes": archetype,
        "skills": make.skill(owner_id=player.id),
        "perks": make.perk(owner_id=player.id),
        "items": item,
        "tags": make.tag(owner_id=player.id),
    }
    campaign, _party = make.party(1, gm=player)
    image = create_image(player, picture(40, 40))
    auth.login(player)
    return World(player, character, item, entries, campaign, image)


@pytest.fixture
def doc(client) -> dict:
    return client.get("/api/v1/openapi.json").get_json()


def body_schema(doc: dict, operation: dict) -> dict:
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]


def admits_null(schema: dict) -> bool:
    return schema.get("type") == "null" or any(option.get("type") == "null" for option in schema.get("anyOf", ()))


def fields(response) -> list[str]:
    return [error["field"] for error in response.get_json().get("errors", [])]


def operations(doc: dict, method: str):
    for path, item in doc["paths"].items():
        operation = item.get(method)
        if operation and "application/json" in operation.get("requestBody", {}).get("content", {}):
            yield path, operation


def url_of(path: str, w: World) -> str:
    ids = {
        "character_id": w.character.id,
        "item_id": w.item.id,
        "campaign_id": w.campaign.id,
        "image_id": w.image.id,
        "user_id": w.player.id,
    }
    if "{entry_id}" in path:
        ids["entry_id"] = w.entries[path.split("/")[3]].id
    return re.sub(r"\{(\w+)\}", lambda match: str(ids[match[1]]), path)


def test_every_patch_refuses_null_exactly_where_its_schema_does(client, world, doc):
    patches = list(operations(doc, "patch"))
    assert len(patches) >= 11  # characters, inventory, campaigns, images, users and the six compendium kinds
    disagreements = []
    for path, operation in patches:
        for name, schema in body_schema(doc, operation)["properties"].items():
            response = client.patch(url_of(path, world), json={name: None})
            refused = response.status_code == 422 and name in fields(response)
            if refused is admits_null(schema) or (not refused and response.status_code != 200):
                disagreements.append((path, name, response.status_code, response.get_data(as_text=True)[:200]))
    assert disagreements == []


def test_nothing_is_created_hidden_or_with_no_visibility(doc):
    # A roll's visibility says who sees the roll (SPEC §9: public, gm, private), not whether content is listed.
    creates = [(path, body_schema(doc, op)) for path, op in operations(doc, "post") if not path.endswith("/rolls")]
    visible = {
        path: schema["properties"]["visibility"] for path, schema in creates if "visibility" in schema["properties"]
    }
    assert len(visible) >= 9  # characters, campaigns and the six compendium kinds, and the import
    assert {path: (schema["enum"], admits_null(schema)) for path, schema in visible.items()} == {
        path: (["PUBLIC", "PRIVATE"], False) for path in visible
    }


@pytest.mark.parametrize("visibility", ["HIDDEN", None])
@pytest.mark.parametrize("path", ["/api/v1/tags", "/api/v1/campaigns"])
def test_a_create_with_a_hidden_or_null_visibility_is_refused_beside_it(client, world, path, visibility):
    response = client.post(path, json={"name": "Forbidden Lore", "visibility": visibility})
    assert response.status_code == 422 and fields(response) == ["visibility"]


@pytest.mark.parametrize(
    ("schema", "name", "low", "high"),
    [
        ("CharacterCreate", "strength", 8, 15),
        ("CharacterPatch", "charisma", 8, 15),
        ("CharacterCreate", "age", 0, 100_000),
        ("ExperienceAward", "amount", 1, 1_000_000),
        ("InventoryAdd", "quantity", 1, 9999),
        ("InventoryPatch", "quantity", 1, 9999),
        ("AwardBody", "quantity", 1, 9999),
        ("RulesBody", "level_cap", 1, 20),
        ("ItemCreate", "value", 0, 1_000_000),
        ("ItemPatch", "required_level", 1, 20),
    ],
)
def test_the_document_states_the_bounds_the_server_keeps(doc, schema, name, low, high):
    prop = doc["components"]["schemas"][schema]["properties"][name]
    number = next(option for option in prop.get("anyOf", [prop]) if option.get("type") == "integer")
    assert (number["minimum"], number["maximum"]) == (low, high)


def test_the_register_body_states_the_password_policy(doc):
    password = doc["components"]["schemas"]["RegisterBody"]["properties"]["password"]
    assert (password["minLength"], password["maxLength"]) == (12, 128)
    assert "common" in password["description"]


def texts(schema: dict, doc: dict, seen: set):
    """Every string schema a body holds, through references, unions, arrays and maps."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        if name not in seen:
            seen.add(name)
            yield from texts(doc["components"]["schemas"][name], doc, seen)
        return
    if "string" in (schema.get("type") if isinstance(schema.get("type"), list) else [schema.get("type")]):
        yield schema
    for part in [*schema.get("anyOf", ()), *schema.get("properties", {}).values()]:
        yield from texts(part, doc, seen)
    for inner in (schema.get("items"), schema.get("additionalProperties")):
        if isinstance(inner, dict):
            yield from texts(inner, doc, seen)


def test_every_text_of_every_body_says_it_holds_no_control_character(doc):
    checked = 0
    for method in ("post", "patch", "put"):
        for _, operation in operations(doc, method):
            body = operation["requestBody"]["content"]["application/json"]
            for text in texts(body["schema"], doc, set()):
                if "enum" in text or "format" in text:
                    continue
                assert not re.fullmatch(text["pattern"], "a\x00b") and not re.fullmatch(text["pattern"], "a\x1bb")
                checked += 1
    assert checked > 50


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/auth/login", {"email": "bob@example.com", "password": "a lamp\x0cin the tower"}, "password"),
        ("/api/v1/auth/refresh", {"refresh_token": "tvr_\x1b"}, "refresh_token"),
        ("/api/v1/auth/logout", {"refresh_token": "tvr_\x12"}, "refresh_token"),
    ],
)
def test_a_control_character_the_document_forbids_is_refused_beside_its_field(client, doc, path, body, field):
    schema = body_schema(doc, doc["paths"][path]["post"])
    assert not re.fullmatch(schema["properties"][field]["pattern"], body[field])
    response = client.post(path, json=body)
    assert response.status_code == 422 and fields(response) == [field]


def test_a_common_password_that_fits_the_lengths_is_refused_beside_it(client):
    body = {"email": "bob@example.com", "password": "password1234", "display_name": "Bob"}
    response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422 and fields(response) == ["password"]


def test_a_name_is_counted_once_trimmed_by_the_document_and_by_the_server(client, world, doc):
    pattern = doc["components"]["schemas"]["CharacterPatch"]["properties"]["name"]["pattern"]
    url = f"/api/v1/characters/{world.character.id}"
    padded, long, blank = "  " + "B" * 100 + "\u00a0", "B" * 101, "\u00a0 \u3000"
    assert re.fullmatch(pattern, padded)
    renamed = client.patch(url, json={"name": padded})
    assert renamed.status_code == 200 and renamed.get_json()["name"] == "B" * 100
    for refused in (long, blank):
        assert not re.fullmatch(pattern, refused)
        response = client.patch(url, json={"name": refused})
        assert response.status_code == 422 and fields(response) == ["name"]


def test_whole_numbers_written_with_a_point_are_taken_as_whole_numbers(client, world):
    character = f"/api/v1/characters/{world.character.id}"
    gained = client.post(f"{character}/experience", json={"amount": 612.0})
    assert gained.status_code == 200 and gained.get_json()["experience"] == 612
    more = client.patch(f"{character}/inventory/{world.item.id}", json={"quantity": 3.0})
    assert more.status_code == 200 and more.get_json()["quantity"] == 3
    lantern = client.post("/api/v1/items", json={"name": "Lantern", "value": 5.0, "required_level": 2.0})
    assert lantern.status_code == 201 and (lantern.get_json()["value"], lantern.get_json()["required_level"]) == (5, 2)
    capped = client.post("/api/v1/campaigns", json={"name": "Deep Roads", "rules": {"level_cap": 10.0}})
    assert capped.status_code == 201 and capped.get_json()["rules"]["level_cap"] == 10


@pytest.mark.parametrize("amount", [612.5, True, "612", 1e30])
def test_a_fraction_true_text_or_a_huge_float_is_no_amount(client, world, amount):
    response = client.post(f"/api/v1/characters/{world.character.id}/experience", json={"amount": amount})
    assert response.status_code == 422 and fields(response) == ["amount"]
    db.session.expire_all()
    assert db.session.get(Character, world.character.id).experience == 0
    assert db.session.get(InventoryEntry, (world.character.id, world.item.id)).quantity == 1


def _is_uuid(schema: dict) -> bool:
    """Whether the schema is a uuid, a list of them, or either or null."""
    options = schema.get("anyOf", [schema])
    return any(o.get("format") == "uuid" or ("items" in o and _is_uuid(o["items"])) for o in options)


def _is_list(schema: dict) -> bool:
    return any(o.get("type") == "array" for o in schema.get("anyOf", [schema]))


@pytest.mark.parametrize(
    "spell",
    [lambda i: i.hex, lambda i: f"{{{i}}}", lambda i: f"urn:uuid:{i}", lambda i: f" {i}"],
    ids=["no hyphens", "braces", "urn", "leading space"],
)
def test_an_id_is_taken_only_as_the_document_writes_a_uuid(client, world, doc, spell):
    # Python reads a UUID without hyphens, in braces or after urn:uuid:, but the document's `uuid` format is the
    # 8-4-4-4-12 form alone: every id a body or a query string holds is refused in any other spelling.
    odd = spell(world.item.id)
    accepted, tried = [], 0
    for path, item in doc["paths"].items():
        if re.search(r"\{(?!character_id|item_id|campaign_id|image_id|user_id|entry_id)\w+\}", path):
            continue  # ids of things the world does not hold: their bodies and queries have no ids
        url = url_of(path, world)
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query" and _is_uuid(parameter["schema"]):
                    tried += 1
                    response = client.open(url, method=method.upper(), query_string={parameter["name"]: odd})
                    if response.status_code != 400 or fields(response) != [parameter["name"]]:
                        accepted.append((method, path, parameter["name"], response.status_code))
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            for name, schema in body_schema(doc, operation)["properties"].items() if body else ():
                if _is_uuid(schema):
                    tried += 1
                    value = [odd] if _is_list(schema) else odd
                    response = client.open(url, method=method.upper(), json={name: value})
                    if response.status_code != 422 or not any(f.startswith(name) for f in fields(response)):
                        accepted.append((method, path, name, response.status_code))
    assert tried >= 20 and accepted == []


def test_an_id_written_out_in_capitals_is_still_that_id(client, world):
    found = client.get("/api/v1/characters", query_string={"race_id": str(world.character.race_id).upper()})
    assert found.status_code == 200 and [c["id"] for c in found.get_json()["data"]] == [str(world.character.id)]


def _blank_is_valid(schema: dict) -> str | None:
    """Spaces as long as the schema's minimum when the schema admits them (no format, enum or pattern refuses
    them), else None."""
    if schema.get("type") != "string" or "format" in schema or "enum" in schema or not schema.get("minLength"):
        return None
    blank = " " * schema["minLength"]
    if "pattern" in schema and not re.search(schema["pattern"], blank):
        return None
    if any(re.search(option["pattern"], blank) for option in schema.get("not", {}).get("anyOf", [])):
        return None
    return blank


def _json_bodies_of_the_world(doc: dict):
    """(method, path, operation) of every operation with a JSON body whose path `url_of` can fill from the world."""
    for path, item in doc["paths"].items():
        if re.search(r"\{(?!character_id|item_id|campaign_id|image_id|user_id|entry_id)\w+\}", path):
            continue  # ids of things the world does not hold
        for method, operation in item.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                yield method, path, operation


def test_text_the_document_admits_as_spaces_is_not_refused_as_too_short(client, world, doc):
    # A text the server trims says so in its pattern; where the document admits a text of spaces (a secret, kept as
    # sent), the server must not trim it to nothing and answer that it is too short.
    refused, tried = [], 0
    for method, path, operation in _json_bodies_of_the_world(doc):
        for name, schema in body_schema(doc, operation)["properties"].items():
            blank = _blank_is_valid(schema)
            if blank is None:
                continue
            tried += 1
            response = client.open(url_of(path, world), method=method.upper(), json={name: blank})
            if response.status_code == 422 and name in fields(response):
                refused.append((method, path, name, response.get_json()["errors"]))
    assert tried >= 5 and refused == []  # login (email, password), refresh, logout, the current password


def _id_lists(doc: dict, schema: dict, path: tuple = ()):
    """(where in the body, its schema) of every list of ids in a request body, nested objects included."""
    schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]] if "$ref" in schema else schema
    for name, prop in schema.get("properties", {}).items():
        for option in prop.get("anyOf", [prop]):
            if option.get("type") == "array" and _is_uuid(option["items"]):
                yield (*path, name), option
            elif "$ref" in option or option.get("type") == "object":
                yield from _id_lists(doc, option, (*path, name))


def test_a_list_of_ids_past_what_the_document_states_is_refused_beside_the_field(client, world, doc):
    # A list longer than the database takes parameters in one statement answered 503, as if it were down.
    too_many = [str(uuid.uuid4()) for _ in range(MAX_IDS + 1)]
    refused, tried = [], 0
    for method, path, operation in _json_bodies_of_the_world(doc):
        for where, schema in _id_lists(doc, operation["requestBody"]["content"]["application/json"]["schema"]):
            tried += 1
            assert schema.get("maxItems") == MAX_IDS, (method, path, where)
            value: object = too_many
            for name in reversed(where[1:]):
                value = {name: value}
            response = client.open(url_of(path, world), method=method.upper(), json={where[0]: value})
            if response.status_code != 422 or not {".".join(where), where[-1]} & set(fields(response)):
                refused.append((method, path, where, response.status_code))
    assert tried >= 12 and refused == []
