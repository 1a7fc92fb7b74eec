"""SPEC §4 through the HTTP front ends: characters and items, every role × visibility × view / edit / delete.

The API answers 401 to anonymous changes (it asks for credentials first); pages send anonymous visitors to the
sign-in page. Every other cell is the access module's verdict: 200/204, 404 (may not see) or 403.
"""

import pytest

from tests.access.conftest import ACTIONS, ACTORS, VISIBILITIES, expected

API = {
    "character": ("/api/v1/characters/{id}", {"description": "Edited by the matrix"}, "api.character_"),
    "item": ("/api/v1/items/{id}", {"description": "Edited by the matrix"}, "api.item_"),
}
STATUS = {"view": 200, "edit": 200, "delete": 204}


def api_status(actor: str, visibility: str, action: str) -> int:
    if actor == "anonymous" and action != "view":
        return 401
    verdict = expected(actor, visibility, action)
    return STATUS[action] if verdict == "ok" else int(verdict)


def make_content(make, kind, owner, visibility):
    if kind == "character":
        return make.character(owner=owner, visibility=visibility)
    return make.item(owner_id=owner.id, visibility=visibility)


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("visibility", VISIBILITIES)
@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("kind", sorted(API))
def test_api_matrix(app, client, make, people, kind, actor, visibility, action):
    url, patch, prefix = API[kind]
    endpoints = [prefix + verb for verb in ("get", "update", "delete")]
    missing = [name for name in endpoints if name not in app.view_functions]
    assert not missing, f"the {kind} API lost endpoints the matrix checks: {missing}"
    obj = make_content(make, kind, people["owner"], visibility)
    url = url.format(id=obj.id)
    headers = {} if people[actor] is None else {"Authorization": f"Bearer {make.access_token(people[actor])}"}
    if action == "view":
        response = client.get(url, headers=headers)
    elif action == "edit":
        response = client.patch(url, json=patch, headers=headers)
    else:
        response = client.delete(url, headers=headers)
    assert response.status_code == api_status(actor, visibility, action), response.get_data(as_text=True)
