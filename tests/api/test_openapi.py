"""The OpenAPI document is valid 3.1, lists every route the API serves, and is rendered at /api/docs."""

import re

from openapi_spec_validator import validate


def _served_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint in {"api.api_index", "api.openapi_document"}:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((method.lower(), path))
    return routes


def test_openapi_document_is_valid_openapi_31(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_openapi_document_lists_every_route_the_api_serves(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert _served_routes(app) == documented


def test_api_docs_page_renders_the_document_with_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "openapi.json" in page
    assert "/static/js/api-docs.js" in page
    assert "https://" not in page.replace("https://tavern.example", "")


# Generated clients name their functions after these: a change here breaks every script built on them.
OPERATION_IDS = [
    "archetype_create", "archetype_delete", "archetype_get", "archetype_list", "archetype_stats", "archetype_update",
    "auth_login", "auth_logout", "auth_logout_all", "auth_password", "auth_refresh", "auth_register",
    "auth_verify_confirm", "auth_verify_send", "campaign_archive", "campaign_award", "campaign_compliance",
    "campaign_create", "campaign_delete", "campaign_events", "campaign_get", "campaign_invite_rotate",
    "campaign_stream", "campaign_join", "campaign_list", "campaign_member_approve", "campaign_member_remove",
    "campaign_members", "campaign_note", "campaign_roll", "campaign_stats", "campaign_update", "character_create",
    "character_delete",
    "character_conditions", "character_damage", "character_experience", "character_export", "character_get",
    "character_heal", "character_import", "character_list", "character_perk_forget", "character_perk_take",
    "character_perks", "character_rest", "character_restore", "character_roll", "character_rolls", "character_sheet",
    "character_skill_forget", "character_skill_learn", "character_skills", "character_spend", "character_state",
    "character_stats", "character_update", "equipment_get",
    "equipment_put", "image_create", "image_delete", "image_file", "image_get", "image_list", "image_stats",
    "image_thumbnail", "image_update", "inventory_add", "inventory_drop", "inventory_get", "inventory_list",
    "inventory_update", "inventory_use", "item_create", "item_delete", "item_get", "item_list", "item_stats",
    "item_update", "perk_create", "perk_delete", "perk_get", "perk_list", "perk_stats", "perk_update", "race_create",
    "race_delete", "race_get", "race_list", "race_stats", "race_update", "skill_create", "skill_delete", "skill_get",
    "skill_list", "skill_stats", "skill_update", "tag_create", "tag_delete", "tag_get", "tag_list", "tag_stats",
    "tag_update", "token_create", "token_delete", "token_list", "user_ban", "user_delete", "user_get", "user_list",
    "user_me", "user_role", "user_stats", "user_unban", "user_update",
]


def _operations(doc):
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            yield path, method, operation


def test_operation_ids_are_the_views_names_and_never_change_by_accident(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert sorted(operation["operationId"] for *_, operation in _operations(doc)) == sorted(OPERATION_IDS)


def test_every_success_answer_has_a_schema_of_its_own(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    for path, method, operation in _operations(doc):
        for status, response in operation["responses"].items():
            if not status.startswith("2") or status == "204":
                continue
            content = response["content"]
            if "image/webp" in content:
                continue
            if "text/event-stream" in content:  # each event's data is a documented model, named in the answer
                assert "EventOut" in response["description"], (method, path, status)
                continue
            schema = content["application/json"]["schema"]
            refs = [schema["$ref"]] if "$ref" in schema else [part["$ref"] for part in schema["anyOf"]]
            for ref in refs:
                model = schemas[ref.rsplit("/", 1)[1]]
                assert model["type"] == "object" and model["properties"], (method, path, status)
                assert model.get("additionalProperties") is False, (method, path, status, "answers say all they hold")


def test_component_names_are_plain_words(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for name in doc["components"]["schemas"]:
        assert re.fullmatch(r"[A-Z][A-Za-z]+", name), name


def test_lists_carry_the_pagination_envelope(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    for path, method, operation in _operations(doc):
        if method != "get" or not any(p["name"] == "cursor" for p in operation["parameters"]):
            continue
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        page = schemas[ref.rsplit("/", 1)[1]]
        assert set(page["required"]) == {"data", "pagination"}, path
        assert page["properties"]["pagination"] == {"$ref": "#/components/schemas/Pagination"}, path


def test_import_answer_is_documented_as_character_unmatched_and_notes(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    answer = doc["paths"]["/api/v1/characters/import"]["post"]["responses"]["201"]["content"]["application/json"]
    imported = doc["components"]["schemas"][answer["schema"]["$ref"].rsplit("/", 1)[1]]
    assert set(imported["required"]) == {"character", "unmatched", "notes"}
    assert imported["properties"]["character"] == {"$ref": "#/components/schemas/Character"}


def test_each_create_links_to_what_it_made_and_every_link_names_a_real_operation(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    by_id = {operation["operationId"]: (path, operation) for path, _, operation in _operations(doc)}
    created = doc["paths"]["/api/v1/characters"]["post"]["responses"]["201"]["links"]
    assert {"character_get", "character_update", "character_delete", "character_sheet", "inventory_add",
            "equipment_put", "character_export"} <= set(created)  # fmt: skip
    assert created["character_get"]["parameters"] == {"character_id": "$response.body#/id"}
    joined = doc["paths"]["/api/v1/campaigns/join"]["post"]["responses"]["201"]["links"]
    assert set(joined) == {"campaign_member_approve", "campaign_member_remove"}
    linked = 0
    for _, _, operation in _operations(doc):
        for response in operation["responses"].values():
            for link in response.get("links", {}).values():
                _, target = by_id[link["operationId"]]
                needed = {p["name"] for p in target["parameters"] if p["in"] == "path"}
                assert set(link["parameters"]) == needed, (operation["operationId"], link["operationId"])
                linked += 1
    creates = [op for path, method, op in _operations(doc) if method == "post" and "201" in op["responses"]]
    assert linked > 60
    assert all("links" in op["responses"]["201"] for op in creates if op["operationId"] not in
               {"auth_register", "campaign_note", "character_roll", "campaign_roll"}), (
        "every create but these links to what it made (a note or a roll is no resource with operations of its own)"
    )  # fmt: skip


def test_operations_list_only_the_statuses_they_can_answer(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    races = doc["paths"]["/api/v1/races"]
    assert set(races["get"]["responses"]) == {"200", "304", "400", "401", "414", "429", "503"}
    assert set(races["post"]["responses"]) == {
        "201", "400", "401", "403", "409", "413", "414", "415", "422", "429", "503"
    }  # fmt: skip
    patch = doc["paths"]["/api/v1/characters/{character_id}"]["patch"]
    assert {"404", "409", "412"} <= set(patch["responses"])
    assert any(p["name"] == "If-Match" and p["in"] == "header" for p in patch["parameters"])
    sheet = doc["paths"]["/api/v1/characters/{character_id}/sheet"]["get"]["responses"]
    assert not {"409", "412", "413", "415", "422"} & set(sheet)
    picture = doc["paths"]["/api/v1/images/{image_id}/file"]["get"]["responses"]
    assert {"200", "302", "304"} <= set(picture) and "application/json" not in picture["200"]["content"]
