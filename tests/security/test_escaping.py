"""Markup and template syntax typed into names and descriptions are shown as text, on every page that shows them."""

import pytest

from webapp.models import Role

PAYLOAD = '<script>alert(1)</script>"><img src=x onerror=alert(2)>{{7*7}}'
RAW = ("<script>alert(1)", "<img src=x onerror", "onerror=alert(2)>")
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def tainted(make):
    """Everything a player names, named with the payload; an admin to look at all of it."""
    player = make.user(display_name=PAYLOAD[:100], bio=PAYLOAD)
    race = make.race(owner_id=player.id, name="R " + PAYLOAD, description=PAYLOAD)
    archetype = make.archetype(owner_id=player.id, name="A " + PAYLOAD, description=PAYLOAD)
    character = make.character(owner=player, race=race, archetype=archetype, name=PAYLOAD, description=PAYLOAD)
    item = make.item(owner_id=player.id, name="I " + PAYLOAD, description=PAYLOAD)
    make.give(character, item)
    hidden = make.character(owner=player, name="H " + PAYLOAD, visibility="HIDDEN")
    return {
        "player": player,
        "character": character,
        "item": item,
        "race": race,
        "hidden": hidden,
        "admin": make.user(role=Role.ADMIN),
    }


def urls(t) -> list[str]:
    c, i, r, p = t["character"], t["item"], t["race"], t["player"]
    return [
        "/",
        "/admin",
        f"/admin/users/{p.id}",
        "/admin/hidden",
        "/characters",
        f"/characters/{c.id}",
        f"/characters/{c.id}/inventory",
        "/compendium/items",
        f"/compendium/items/{i.id}",
        "/compendium/races",
        f"/compendium/races/{r.id}",
    ]


def assert_text_only(body: str, where: str) -> None:
    for raw in RAW:
        assert raw not in body, f"{raw!r} unescaped on {where}"


def test_payloads_are_text_on_every_page(client, auth, tainted):
    auth.login(tainted["admin"])
    shown = []
    for url in urls(tainted):
        response = client.get(url)
        if response.status_code == 404:
            continue  # a page another part of the product has not built yet
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert_text_only(body, url)
        if ESCAPED in body:
            shown.append(url)
        assert "{{7*7}}" in body or ESCAPED not in body, f"template syntax evaluated on {url}"
    assert {"/", "/admin", "/admin/hidden"} <= set(shown)


def test_the_players_own_pages_escape_their_name_and_bio(client, auth, tainted):
    auth.login(tainted["player"])
    body = client.get("/account").get_data(as_text=True)
    assert_text_only(body, "/account")
    assert ESCAPED in body
    assert "{{7*7}}" in body


def test_htmx_fragments_escape_too(client, auth, tainted, htmx):
    auth.login(tainted["admin"])
    for url in ("/", "/admin?q=script", "/admin/hidden"):
        body = client.get(url, headers=htmx).get_data(as_text=True)
        assert_text_only(body, url)


def test_the_api_returns_the_payload_as_data_in_json(client, make, tainted):
    token = make.access_token(tainted["admin"])
    response = client.get(f"/api/v1/users/{tainted['player'].id}", headers={"Authorization": f"Bearer {token}"})
    assert response.mimetype == "application/json"
    assert response.get_json()["bio"] == PAYLOAD
    assert response.headers["X-Content-Type-Options"] == "nosniff"
