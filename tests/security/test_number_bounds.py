"""Every number a person types or a script sends is bounded: huge and negative ones answer 400 or 422 naming the
field, on the API and on the page forms, and never reach the database (where a 32-bit column would overflow)."""

from dataclasses import dataclass

import pytest
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField
from wtforms.validators import NumberRange

from webapp.extensions import db
from webapp.models import Character, InventoryEntry
from webapp.models.compendium_kinds import INT, KINDS
from webapp.pages.compendium import form_class

HUGE_AND_NEGATIVE = [2**31, 2**63, 10**30, -(10**30)]


@dataclass
class World:
    """A signed-in player with a character carrying an item, their own homebrew, and a campaign they run."""

    player: object
    character: Character
    item: object
    race: object
    archetype: object
    skill: object
    campaign: object


@pytest.fixture
def world(make, auth) -> World:
    player = make.user()
    race, archetype = make.race(owner_id=player.id, name="Dwarf"), make.archetype(owner_id=player.id, name="Sellsword")
    character = make.character(owner=player, name="Brannoc", race=race, archetype=archetype)
    item = make.item(owner_id=player.id, name="Torch")
    make.give(character, item, 1)
    campaign, _party = make.party(1, gm=player)
    auth.login(player)
    return World(player, character, item, race, archetype, make.skill(owner_id=player.id), campaign)


def _character_body(w: World, **numbers) -> dict:
    scores = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
    return {"name": "Ysolde", "race_id": str(w.race.id), "archetype_id": str(w.archetype.id), **scores, **numbers}


def _document(w: World, **numbers) -> dict:
    scores = {"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10}
    inventory = [{"item": "Torch", "quantity": numbers.pop("quantity")}] if "quantity" in numbers else []
    return {"name": "Ysolde", "race": "Dwarf", "archetype": "Sellsword", "attributes": scores,
            "inventory": inventory, **numbers}  # fmt: skip


# (method, path, body or None, field): a path's {c} is the character, {i} the item, {r} the race, {a} the
# archetype, {s} the skill, {g} the campaign; a body is a function of the world and the number.
API_NUMBERS = [
    ("POST", "/characters/{c}/experience", lambda w, n: {"amount": n}, "amount"),
    ("POST", "/characters", lambda w, n: _character_body(w, age=n), "age"),
    ("POST", "/characters", lambda w, n: _character_body(w, strength=n), "strength"),
    ("PATCH", "/characters/{c}", lambda w, n: {"age": n}, "age"),
    ("PATCH", "/characters/{c}", lambda w, n: {"wisdom": n}, "wisdom"),
    ("POST", "/characters/{c}/inventory", lambda w, n: {"item_id": str(w.item.id), "quantity": n}, "quantity"),
    ("PATCH", "/characters/{c}/inventory/{i}", lambda w, n: {"quantity": n}, "quantity"),
    ("POST", "/characters/import", lambda w, n: _document(w, experience=n), "experience"),
    ("POST", "/characters/import", lambda w, n: _document(w, age=n), "age"),
    ("POST", "/characters/import", lambda w, n: _document(w, quantity=n), "quantity"),
    *(
        ("POST", "/items", lambda w, n, field=field: {"name": "Lantern", field: n}, field)
        for field in (
            "required_level",
            "weight",
            "value",
            "damage",
            "defense",
            "durability",
            "max_durability",
            "bonus_strength",
            "bonus_health",
            "bonus_mana",
            "bonus_stamina",
        )
    ),  # fmt: skip
    ("PATCH", "/items/{i}", lambda w, n: {"durability": n}, "durability"),
    ("PATCH", "/races/{r}", lambda w, n: {"strength_bonus": n}, "strength_bonus"),
    ("PATCH", "/races/{r}", lambda w, n: {"health_pct": n}, "health_pct"),
    ("PATCH", "/archetypes/{a}", lambda w, n: {"mana_per_level": n}, "mana_per_level"),
    ("POST", "/skills", lambda w, n: {"name": "Stonecunning", "required_level": n}, "required_level"),
    ("POST", "/perks", lambda w, n: {"name": "Tough", "required_level": n}, "required_level"),
    ("POST", "/campaigns", lambda w, n: {"name": "Deep Roads", "rules": {"level_cap": n}}, "level_cap"),
    ("POST", "/campaigns", lambda w, n: {"name": "Deep Roads", "rules": {"point_budget": n}}, "point_budget"),
    ("PATCH", "/campaigns/{g}", lambda w, n: {"rules": {"level_cap": n}}, "level_cap"),
    ("POST", "/campaigns/{g}/awards", lambda w, n: {"experience": n, "all": True}, "experience"),
    (
        "POST",
        "/campaigns/{g}/awards",
        lambda w, n: {"item_id": str(w.item.id), "quantity": n, "all": True},
        "quantity",
    ),  # fmt: skip
    ("GET", "/characters?level_min={n}", None, "level_min"),
    ("GET", "/characters?strength_max={n}", None, "strength_max"),
    ("GET", "/characters?limit={n}", None, "limit"),
    ("GET", "/items?min_level={n}", None, "min_level"),
    ("GET", "/perks?max_level={n}", None, "max_level"),
    ("GET", "/campaigns?limit={n}", None, "limit"),
    ("GET", "/campaigns/{g}/events?limit={n}", None, "limit"),
    ("GET", "/images?limit={n}", None, "limit"),
    ("GET", "/users?limit={n}", None, "limit"),
]


def _path(template: str, w: World, number: int) -> str:
    ids = {"c": w.character.id, "i": w.item.id, "r": w.race.id, "a": w.archetype.id, "s": w.skill.id}
    return "/api/v1" + template.format(**ids, g=w.campaign.id, n=number)


@pytest.mark.parametrize("number", HUGE_AND_NEGATIVE)
@pytest.mark.parametrize("method, path, body, field", API_NUMBERS, ids=[f"{m} {p} {f}" for m, p, _, f in API_NUMBERS])
def test_the_api_answers_a_huge_or_negative_number_with_the_field_it_belongs_to(
    client, world, method, path, body, field, number
):
    response = client.open(
        _path(path, world, number), method=method, json=body(world, number) if body is not None else None
    )
    assert response.status_code in (400, 422), response.get_data(as_text=True)
    fields = [error["field"].rsplit(".", 1)[-1] for error in response.get_json()["errors"]]
    assert field in fields
    db.session.expire_all()
    assert db.session.get(Character, world.character.id).experience == 0
    assert db.session.get(InventoryEntry, (world.character.id, world.item.id)).quantity == 1


@pytest.mark.parametrize("number", HUGE_AND_NEGATIVE)
@pytest.mark.parametrize(
    "url, form, field",
    [
        ("/characters/{c}/experience", {}, "amount"),
        ("/characters/{c}/identity", {"name": "Brannoc"}, "age"),
        ("/characters/new/identity", {"name": "Ysolde", "visibility": "PRIVATE"}, "age"),
        ("/compendium/items/new", {"name": "Lantern", "rarity": "COMMON", "slot": "NONE"}, "value"),
        ("/compendium/items/new", {"name": "Lantern", "rarity": "COMMON", "slot": "NONE"}, "bonus_health"),
        ("/compendium/items/new", {"name": "Lantern", "rarity": "COMMON", "slot": "NONE"}, "weight"),
        ("/compendium/races/new", {"name": "Gnome"}, "health_pct"),
        ("/compendium/skills/new", {"name": "Stonecunning"}, "required_level"),
        ("/campaigns/new", {"name": "Deep Roads", "visibility": "PRIVATE"}, "level_cap"),
        ("/campaigns/new", {"name": "Deep Roads", "visibility": "PRIVATE"}, "point_budget"),
        ("/campaigns/{g}/awards", {"target": "all"}, "experience"),
        ("/campaigns/{g}/awards", {"target": "all", "item_id": "{i}"}, "quantity"),
    ],
)
def test_a_page_form_answers_a_huge_or_negative_number_beside_its_field(client, world, url, form, field, number):
    ids = {"c": world.character.id, "i": world.item.id, "g": world.campaign.id}
    data = {**_defaults(url), **{key: value.format(**ids) for key, value in form.items()}, field: str(number)}
    response = client.post(url.format(**ids), data=data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Character, world.character.id).experience == 0


def _defaults(url: str) -> dict:
    """Every other number of a compendium form at its default, so only the field under test is wrong."""
    kind = url.split("/")[2] if url.startswith("/compendium/") else None
    if kind is None:
        return {}
    return {f.name: str(f.default) for f in KINDS[kind].fields if f.type == INT or f.name == "weight"}


@pytest.mark.parametrize("url", ["/characters/{c}/inventory", "/characters/{c}/inventory/{i}/quantity"])
@pytest.mark.parametrize("number", HUGE_AND_NEGATIVE)
def test_the_inventory_forms_refuse_a_huge_or_negative_quantity(client, world, htmx, url, number):
    ids = {"c": world.character.id, "i": world.item.id}
    response = client.post(url.format(**ids), data={"item_id": str(world.item.id), "quantity": str(number)},
                           headers=htmx)  # fmt: skip
    assert response.status_code == 422
    assert "9999" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(InventoryEntry, (world.character.id, world.item.id)).quantity == 1


@pytest.mark.parametrize("number", ["nan", "inf", "-inf", "1e400"])
def test_an_item_weight_that_is_not_a_finite_number_is_refused(client, world, number):
    data = {**_defaults("/compendium/items/new"), "name": "Lantern", "rarity": "COMMON", "slot": "NONE",
            "weight": number}  # fmt: skip
    response = client.post("/compendium/items/new", data=data)
    assert response.status_code == 422
    assert 'id="weight-error"' in response.get_data(as_text=True)


@pytest.mark.parametrize("number", HUGE_AND_NEGATIVE)
def test_the_compendium_list_page_drops_a_huge_level_filter_and_says_so(client, world, htmx, number):
    response = client.get(f"/compendium/items?min_level={number}", headers=htmx)
    assert response.status_code == 422
    assert "The lowest required level goes from 1 to 20, so" in response.get_data(as_text=True)


def _forms() -> list[type]:
    """Every page form class: the declared ones and the compendium's, built from each kind's description."""

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return sorted({*subclasses(FlaskForm), *(form_class(kind) for kind in KINDS.values())}, key=lambda c: c.__name__)


def test_every_number_a_page_form_asks_for_states_its_range():
    unbounded = []
    for form in _forms():
        for name, unbound in vars(form).items():
            if getattr(unbound, "field_class", None) not in (IntegerField, FloatField):
                continue
            validators = unbound.kwargs.get("validators") or (unbound.args[1] if len(unbound.args) > 1 else [])
            ranges = [v for v in validators if isinstance(v, NumberRange) and None not in (v.min, v.max)]
            if not ranges:
                unbounded.append(f"{form.__name__}.{name}")
    assert unbounded == []


def _integers(schema: dict, components: dict, path: str):
    """Every integer or number in a JSON schema, with where it is."""
    if "$ref" in schema:
        yield from _integers(components[schema["$ref"].rsplit("/", 1)[-1]], components, path)
        return
    if schema.get("type") in ("integer", "number"):
        yield path, schema
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _integers(part, components, path)
    for name, prop in schema.get("properties", {}).items():
        yield from _integers(prop, components, f"{path}.{name}")
    if isinstance(schema.get("items"), dict):
        yield from _integers(schema["items"], components, f"{path}[]")
    if isinstance(schema.get("additionalProperties"), dict):
        yield from _integers(schema["additionalProperties"], components, f"{path}{{}}")


def test_every_number_the_api_accepts_states_its_range_in_the_openapi_document(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    components = doc["components"]["schemas"]
    unbounded = []
    for route, operations in doc["paths"].items():
        for method, operation in operations.items():
            places = [(f"{method} {route} ?{p['name']}", p["schema"]) for p in operation.get("parameters", [])]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body:
                places.append((f"{method} {route} body", body["schema"]))
            for where, schema in places:
                for path, number in _integers(schema, components, where):
                    if "const" not in number and ("minimum" not in number or "maximum" not in number):
                        unbounded.append(path)
    assert unbounded == []
