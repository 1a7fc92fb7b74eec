"""The mix's request tables: every player's own views with their own credentials, one write in five, all valid."""

import json
import urllib.parse
import uuid
from collections import Counter

import pytest

from bench import build_times, mix, players
from bench.players import MAX_WRITTEN_QUANTITY, PlayerCharacter, WritableRow
from webapp.seed import load_reference

BASE_URL = "https://127.0.0.1:8443"


@pytest.fixture
def thirty_players() -> tuple[list[PlayerCharacter], dict[str, mix.Credentials]]:
    characters = [
        PlayerCharacter(n, players.email(n), str(uuid.uuid4()), 30, (WritableRow(str(uuid.uuid4()), 1),
                                                                      WritableRow(str(uuid.uuid4()), 2)))
        for n in range(30)
        for _ in range(3)
    ]  # fmt: skip
    credentials = {players.email(n): mix.Credentials(f"session=s{n}", f"csrf-{n}", f"token-{n}") for n in range(30)}
    return characters, credentials


def _character_in(path: str) -> str:
    return path.split("/characters/")[1].split("/")[0]


def _owns(request, characters: list[PlayerCharacter]) -> bool:
    return any(c.character_id == _character_in(request.path) and c.email == request.owner for c in characters)


def test_reads_are_every_players_own_four_views_once_with_the_owners_credentials(thirty_players):
    characters, credentials = thirty_players

    table = mix.reads(characters, credentials)

    assert len(table) == len({r.path for r in table}) == 360
    assert Counter(r.view for r in table) == dict.fromkeys(mix.VIEWS, 90)
    assert all(r.method == "GET" and _owns(r, characters) for r in table)
    for r in table:
        owner = credentials[r.owner]
        if r.view.startswith("api"):
            assert r.headers == {"Authorization": f"Bearer {owner.api_token}"} and r.path.startswith("/api/v1/")
        else:
            assert r.headers == {"Cookie": owner.cookie}
    assert len({r.owner for r in table[:30]}) > 10  # spread over the players, not one player after another


def test_the_mixed_table_has_a_write_after_every_four_reads_and_every_read_four_times(thirty_players):
    characters, credentials = thirty_players

    table = mix.mixed(characters, credentials, BASE_URL)

    assert len(table) == 1800
    assert all(r.is_write for r in table[4::5])
    reads = [r for i, r in enumerate(table) if i % 5 != 4]
    assert not any(r.is_write for r in reads)
    assert set(Counter(r.path for r in reads).values()) == {4}
    assert {r.path for r in reads} == {r.path for r in mix.reads(characters, credentials)}


def test_writes_set_writable_rows_to_valid_changing_quantities_with_the_owners_credentials(thirty_players):
    characters, credentials = thirty_players
    writable = {(c.character_id, row.item_id): row for c in characters for row in c.writable}

    writes = [r for r in mix.mixed(characters, credentials, BASE_URL) if r.is_write]

    by_row: dict = {}
    for w in writes:
        owner = credentials[w.owner]
        assert _owns(w, characters)
        if w.view == "htmx_quantity":
            character, item = w.path.removeprefix("/characters/").removesuffix("/quantity").split("/inventory/")
            form = dict(urllib.parse.parse_qsl(w.body))
            quantity = int(form["quantity"])
            assert w.method == "POST" and form["csrf_token"] == owner.csrf_token
            assert w.headers["Cookie"] == owner.cookie and w.headers["X-CSRFToken"] == owner.csrf_token
            assert w.headers["HX-Request"] == "true" and w.headers["Referer"].startswith(BASE_URL + "/characters/")
            assert w.headers["Content-Type"] == "application/x-www-form-urlencoded"
        else:
            assert w.view == "api_quantity" and w.method == "PATCH"
            character, item = w.path.removeprefix("/api/v1/characters/").split("/inventory/")
            quantity = json.loads(w.body)["quantity"]
            assert w.headers == {"Authorization": f"Bearer {owner.api_token}", "Content-Type": "application/json"}
        row = writable[(character, item)]
        assert row.lowest <= quantity <= MAX_WRITTEN_QUANTITY
        by_row.setdefault((character, item), []).append((w.view, quantity))
    assert len(by_row) == len(writable) == 180  # every writable row of every character
    for changes in by_row.values():
        assert sorted(view for view, _ in changes) == ["api_quantity", "htmx_quantity"]
        assert len({quantity for _, quantity in changes}) == 2  # walking the table again changes the row again


def test_the_mix_finds_a_signed_out_inventory_page_or_a_whole_page_for_htmx_wrong():
    read = mix.Request("GET", "/characters/x/inventory", view="inventory")
    write = mix.Request("POST", "/characters/x/inventory/y/quantity", view="htmx_quantity")

    assert mix.problem(read, 200, "text/html; charset=utf-8", b"<h1>Inventory</h1>") == (
        "shows no quantity form: the cookie did not sign the owner in"
    )
    assert "changed row" in mix.problem(write, 200, "text/html", b"<!doctype html><html>")
    assert "changed row" in mix.problem(write, 200, "text/html", b'<div id="inventory">')
    assert mix.problem(write, 200, "text/html", b'\n<tr data-item="1">') is None
    assert mix.problem(write, 400, "text/html", b"") == "answered 400"


@pytest.mark.committing  # the bench builds its data through the engine, on a connection of its own
def test_a_players_part_of_the_mix_answers_as_the_app_expects(app, db, csrf_enabled):
    load_reference()
    players.build(db.engine, players=2)
    characters = [c for c in players.read(db.engine, players=2) if c.player == 0]
    owner = build_times.SignedIn(app, players.email(0), scope="write")
    csrf = owner.csrf_token(f"/characters/{characters[0].character_id}/inventory")
    table = mix.mixed(characters, {owner_email: mix.Credentials(owner.cookie(), csrf, owner.api_token)
                                   for owner_email in [players.email(0)]}, build_times.BASE_URL)  # fmt: skip
    browser = app.test_client(use_cookies=False)  # only the credentials each request carries

    answered = Counter()
    for request in {(r.method, r.path, r.body): r for r in table}.values():
        answer = browser.open(request.path, method=request.method, headers=request.headers, data=request.body,
                              base_url=build_times.BASE_URL)  # fmt: skip
        assert mix.problem(request, answer.status_code, answer.content_type, answer.data) is None, request.view
        answered[request.view] += 1
    assert answered == dict.fromkeys(mix.VIEWS, 3) | dict.fromkeys(mix.WRITES, 6)
