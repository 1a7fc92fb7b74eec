"""A cursor is ours to give out: one made by hand (a wrong type, a number past 64 bits, a NUL, a list) answers 400
on every paged list, page or API, and never reaches the database."""

import base64
import json

import pytest

from webapp.models import Role

ZERO = "00000000-0000-0000-0000-000000000000"
HAND_MADE = {
    "an integer for an id": ["x", 5],
    "a list for a name": [[1], ZERO],
    "a boolean for a number": [True, ZERO],
    "past 64 bits": [2**63, ZERO],  # sorted by weight, a float, these three are places in the list like any other
    "below 64 bits": [-(2**63) - 1, ZERO],
    "a float for an integer": [1e308, ZERO],
    "a NUL in a name": ["a\x00b", ZERO],
    "a date for a name": ["2020-01-01T00:00:00+00:00", 5],
    "an id that is not one": ["Lantern", "not-an-id"],
    "an object": [{"a": 1}, ZERO],
    "three values": ["a", ZERO, ZERO],
}


def cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


@pytest.fixture
def world(make):
    player = make.user()
    admin = make.user(role=Role.ADMIN)
    campaign = make.campaign(owner=player)
    make.item(name="Lantern")
    return {"player": player, "admin": admin, "campaign": campaign}


def lists(world) -> list[tuple[str, str]]:
    """(who asks, the URL of a paged list) for each way a cursor comes in."""
    campaign = world["campaign"].id
    urls = [
        ("visitor", f"/compendium/items?sort={sort}&cursor={{}}") for sort in ("name", "value", "weight", "created_at")
    ]
    urls += [("visitor", "/compendium/tags?cursor={}"), ("admin", "/admin?cursor={}")]
    urls += [("player", f"/campaigns/{campaign}?before={{}}"), ("player", f"/campaigns/{campaign}/log?before={{}}")]
    urls += [("player", f"/api/v1/items?sort={sort}&cursor={{}}") for sort in ("name", "value", "weight", "created_at")]
    urls += [("player", f"/api/v1/characters?sort={sort}&cursor={{}}") for sort in ("name", "level", "created_at")]
    urls += [
        ("player", "/api/v1/campaigns?sort=name&cursor={}"),
        ("player", f"/api/v1/campaigns/{campaign}/events?cursor={{}}"),
    ]
    return urls


@pytest.mark.parametrize("made", HAND_MADE.values(), ids=HAND_MADE.keys())
def test_a_hand_made_cursor_answers_400_on_every_paged_list(client, auth, make, world, made):
    tokens = {who: make.personal_token(world[who], "read")[1] for who in ("player",)}
    numbers = isinstance(made[0], int | float) and not isinstance(made[0], bool)
    for who, url in lists(world):
        if numbers and "sort=weight" in url:
            continue
        client.post("/logout")
        headers = {}
        if url.startswith("/api/"):
            headers = {"Authorization": f"Bearer {tokens[who]}"}
        elif who != "visitor":
            auth.login(world[who])
        if url.split("?")[0].endswith("/log"):
            headers = {"HX-Request": "true"}  # the log's pages are htmx's; a browser is sent to the dashboard
        response = client.get(url.format(cursor(made)), headers=headers)
        assert response.status_code == 400, (url, response.status_code, response.get_data(as_text=True)[:300])
        assert "This cursor is not one we gave out." in response.get_data(as_text=True), url


def test_a_cursor_given_out_still_leads_to_the_next_page(client, make):
    for n in range(3):
        make.item(name=f"Cursor walk {n}", value=10 + n, weight=0.5 + n)
    for sort in ("name", "value", "weight", "created_at"):
        first = client.get(f"/api/v1/items?sort={sort}&limit=2").get_json()
        following = client.get(f"/api/v1/items?sort={sort}&limit=2&cursor={first['pagination']['next_cursor']}")
        assert following.status_code == 200, following.get_json()
        assert not {row["id"] for row in first["data"]} & {row["id"] for row in following.get_json()["data"]}
