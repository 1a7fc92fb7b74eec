"""Control characters and deep JSON, wherever input arrives: a clear 400 or 422 naming the field, never a 500, and
nothing stored; text with lines keeps its line breaks."""

import io
import json
import logging

import pytest

from webapp import text
from webapp.models import Character, User

NUL = "Bran\x00noc"


def _fields(response) -> list[str]:
    return [error["field"] for error in response.get_json()["errors"]]


@pytest.fixture
def player(client, auth, make):
    user = make.user(display_name="Maren")
    auth.login(user)
    return user


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_refused_in_any_text(char):
    assert text.refusal(f"a{char}b") is not None
    assert text.refusal(f"a{char}b", lines=True) is not None


@pytest.mark.parametrize("char", ["\t", "\n", "\r"])
def test_tabs_and_line_breaks_belong_to_text_with_lines_only(char):
    assert text.refusal(f"a{char}b") == "Keep this on one line."
    assert text.refusal(f"a{char}b", lines=True) is None


@pytest.mark.parametrize("value", ["Brannoc", "Ærwyn Þórsdóttir", "火の玉", "🐉 Drake", "‮evil", "", "a" * 10_000])
def test_ordinary_unicode_is_text(value):
    assert text.refusal(value) is None


def test_the_refusal_says_which_character_and_where():
    assert text.refusal("ab\x00") == "Remove the invisible control character U+0000 (at position 3)."


def test_every_string_of_a_document_is_checked_and_named_by_its_path():
    document = {"name": "ok", "rules": {"description": "two\nlines", "tags": ["fine", "t\x00g"]}, "k\x01": 1}
    assert [(v.field, v.message[:10]) for v in text.violations_in(document)] == [
        ("rules.tags.1", "Remove the"),
        ("k\x01", "Remove the"),
    ]


def test_a_character_name_or_description_with_nul_is_refused_naming_the_field(client, player, make):
    body = {"race_id": str(make.race().id), "archetype_id": str(make.archetype().id), **make.point_buy()}
    for field in ("name", "description"):
        response = client.post("/api/v1/characters", json={"name": "Brannoc", **body, field: NUL})
        assert response.status_code == 422
        assert _fields(response) == [field]
    assert client.get("/api/v1/characters?mine=true").get_json()["data"] == []


def test_a_description_keeps_its_line_breaks_and_a_name_has_none(client, player, make):
    body = {"race_id": str(make.race().id), "archetype_id": str(make.archetype().id), **make.point_buy()}
    one_line = client.post("/api/v1/characters", json={**body, "name": "Bran\nnoc"})
    assert one_line.status_code == 422 and _fields(one_line) == ["name"]
    created = client.post("/api/v1/characters", json={**body, "name": "Brannoc", "description": "Tall.\r\n\tScarred."})
    assert created.status_code == 201
    assert created.get_json()["description"] == "Tall.\r\n\tScarred."


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/api/v1/campaigns", {"name": NUL}, "name"),
        ("/api/v1/campaigns", {"name": "Crown", "rules": {"allowed_race_ids": ["\x00"]}}, "rules.allowed_race_ids.0"),
        ("/api/v1/tags", {"name": NUL}, "name"),
        ("/api/v1/items", {"name": NUL}, "name"),
        ("/api/v1/races", {"name": "Elf", "description": "x\x00"}, "description"),
        ("/api/v1/tokens", {"name": NUL, "scope": "read"}, "name"),
    ],
)
def test_every_json_body_refuses_nul_anywhere(client, player, path, body, field):
    response = client.post(path, json=body)
    assert response.status_code == 422, response.get_json()
    assert field in _fields(response)


def test_registration_with_nul_in_the_name_is_refused_and_logs_no_hash(client, caplog):
    body = {"email": "ada@example.com", "password": "a lantern in the deep mine", "display_name": NUL}
    with caplog.at_level(logging.DEBUG):
        response = client.post("/api/v1/auth/register", json=body)
    assert response.status_code == 422 and _fields(response) == ["display_name"]
    assert "$argon2" not in caplog.text and body["password"] not in caplog.text


def test_signing_in_with_nul_in_the_email_is_refused(client):
    response = client.post("/api/v1/auth/login", json={"email": "a\x00@example.com", "password": "whatever it is"})
    assert response.status_code == 422 and _fields(response) == ["email"]


def test_a_key_with_a_control_character_is_named(client, player):
    response = client.post("/api/v1/tags", json={"na\x00me": "x"})
    assert response.status_code == 422 and _fields(response) == ["na\x00me"]


@pytest.mark.parametrize("path", ["/api/v1/auth/login", "/api/v1/auth/register", "/api/v1/characters"])
def test_deeply_nested_json_is_a_clear_400_even_signed_out(client, path):
    for body in ("[" * 100_000, '{"a":' * 50_000, "[" * 33 + "]" * 33):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400
        assert response.get_json()["code"] == "nested_too_deep"
        assert "nested deeper than 32" in response.get_json()["detail"]


def test_json_nested_as_deep_as_any_operation_needs_still_parses(client, player):
    body = {"name": "The Crown", "rules": {"allowed_race_ids": []}}
    assert client.post("/api/v1/campaigns", json=body).status_code == 201


def test_nan_is_not_json(client, player):
    response = client.post("/api/v1/items", data='{"name": "Lantern", "weight": NaN}', content_type="application/json")
    assert response.status_code == 422


def _routes_without_arguments(app) -> list[str]:
    return sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_a_control_character_in_any_query_is_a_400_naming_the_parameter(app, client, auth, make, signed_in):
    if signed_in:
        auth.login(make.user())
    for path in _routes_without_arguments(app):
        for query in ("search=%00", "q=a%01b", "sort=%0a", "%00=x"):
            response = client.get(f"{path}?{query}")
            assert response.status_code == 400, f"{path}?{query} answered {response.status_code}"
            if path.startswith("/api/"):
                assert response.get_json()["errors"][0]["field"] in {"search", "q", "sort", "\x00"}


def test_a_path_value_with_a_control_character_names_nothing(client, player):
    assert client.get("/join/abc%00def").status_code == 404
    assert client.get("/compendium/items/%00").status_code == 404


def test_the_identity_form_refuses_nul_and_changes_nothing(client, player, make, htmx, db):
    hero = make.character(owner=player, name="Brannoc")
    response = client.post(f"/characters/{hero.id}/identity", data={"name": NUL, "description": ""}, headers=htmx)
    assert response.status_code == 422
    assert "U+0000" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Character, hero.id).name == "Brannoc"


def test_the_profile_form_refuses_nul_and_keeps_line_breaks_in_the_bio(client, player, htmx, db):
    refused = client.post("/account/profile", data={"display_name": NUL, "bio": ""}, headers=htmx)
    assert refused.status_code == 422 and "Display name:" in refused.get_data(as_text=True)
    saved = client.post("/account/profile", data={"display_name": "Maren", "bio": "Line one.\r\nLine two."})
    assert saved.status_code in {200, 303}
    db.session.expire_all()
    assert db.session.get(User, player.id).bio.splitlines() == ["Line one.", "Line two."]


def test_the_sign_in_and_register_forms_refuse_nul(client):
    assert client.post("/login", data={"email": "a\x00@example.com", "password": "x" * 14}).status_code == 422
    registered = client.post("/register", data={"display_name": NUL, "email": "b@example.com", "password": "x" * 20})
    assert registered.status_code == 422


def test_compendium_search_with_nul_is_a_400_for_htmx_too(client, htmx):
    response = client.get("/compendium/items?search=%00", headers=htmx)
    assert response.status_code == 400
    assert "Search:</strong> Remove the invisible control character U+0000" in response.get_data(as_text=True)


def test_an_imported_file_with_nul_text_or_deep_nesting_is_refused_beside_the_document(client, player):
    for raw in (json.dumps({"name": NUL}), "[" * 5000):
        upload = {"file": (io.BytesIO(raw.encode()), "brannoc.json")}
        response = client.post("/characters/import", data=upload, content_type="multipart/form-data")
        assert response.status_code == 422
        assert "U+0000" in response.get_data(as_text=True) or "nested deeper" in response.get_data(as_text=True)
