"""The real mix's request tables: every player's own four views, then the same with one write in five."""

import json
import random
import urllib.parse
from dataclasses import dataclass

from bench.players import MAX_WRITTEN_QUANTITY, PlayerCharacter, WritableRow
from bench.wrk import Request

VIEWS = ("sheet", "inventory", "api_character", "api_sheet")
WRITES = ("htmx_quantity", "api_quantity")
WRITE_EVERY = 5  # one request in five is a write
EXPECT = {
    "sheet": "text/html",
    "inventory": "text/html",
    "api_character": "application/json",
    "api_sheet": "application/json",
    "htmx_quantity": "text/html",
    "api_quantity": "application/json",
    "hello": "text/plain",
}
HELLO_PATH = "/bench/hello"


@dataclass(frozen=True)
class Credentials:
    """A signed-in player: the browser's cookies with the CSRF token its pages carry, and a write-scope token."""

    cookie: str
    csrf_token: str
    api_token: str


def views_of(character: PlayerCharacter, credentials: Credentials) -> list[Request]:
    """The four reads of one character, each with its owner's credentials: pages by cookie, the API by token."""
    page = {"Cookie": credentials.cookie}
    api = {"Authorization": f"Bearer {credentials.api_token}"}
    path, owner = f"/characters/{character.character_id}", character.email
    return [
        Request("GET", path, page, view="sheet", owner=owner),
        Request("GET", f"{path}/inventory", page, view="inventory", owner=owner),
        Request("GET", f"/api/v1{path}", api, view="api_character", owner=owner),
        Request("GET", f"/api/v1{path}/sheet", api, view="api_sheet", owner=owner),
    ]


def htmx_quantity(
    character: PlayerCharacter, row: WritableRow, quantity: int, credentials: Credentials, base_url: str
) -> Request:
    """The inventory page's quantity form as htmx posts it: its fields, the CSRF header, the page as referrer."""
    page = f"{base_url}/characters/{character.character_id}/inventory"
    headers = {
        "Cookie": credentials.cookie,
        "X-CSRFToken": credentials.csrf_token,
        "HX-Request": "true",
        "HX-Current-URL": page,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": page,
        "Origin": base_url,
    }
    body = urllib.parse.urlencode({"csrf_token": credentials.csrf_token, "quantity": quantity})
    path = f"/characters/{character.character_id}/inventory/{row.item_id}/quantity"
    return Request("POST", path, headers, body, view="htmx_quantity", owner=character.email)


def api_quantity(character: PlayerCharacter, row: WritableRow, quantity: int, credentials: Credentials) -> Request:
    headers = {"Authorization": f"Bearer {credentials.api_token}", "Content-Type": "application/json"}
    path = f"/api/v1/characters/{character.character_id}/inventory/{row.item_id}"
    return Request(
        "PATCH", path, headers, json.dumps({"quantity": quantity}), view="api_quantity", owner=character.email
    )


def reads(characters: list[PlayerCharacter], credentials: dict[str, Credentials], seed: int = 1) -> list[Request]:
    """Every character's four views once, in an order that spreads them over all players."""
    table = [request for c in characters for request in views_of(c, credentials[c.email])]
    random.Random(seed).shuffle(table)
    return table


def writes(
    characters: list[PlayerCharacter], credentials: dict[str, Credentials], base_url: str, seed: int = 1
) -> list[Request]:
    """Each writable row set twice, through the htmx form and the API, to two different quantities.

    Walking the table again and again therefore keeps changing the rows, and every quantity is valid: no lower
    than the slots the item fills, and every writable row at its highest still fits under the load limit.
    """
    rng = random.Random(seed)
    table = []
    for c in characters:
        owner = credentials[c.email]
        for row in c.writable:
            first = rng.randint(row.lowest, MAX_WRITTEN_QUANTITY)
            second = rng.choice([q for q in range(row.lowest, MAX_WRITTEN_QUANTITY + 1) if q != first])
            table.append(htmx_quantity(c, row, first, owner, base_url))
            table.append(api_quantity(c, row, second, owner))
    rng.shuffle(table)
    return table


def mixed(
    characters: list[PlayerCharacter], credentials: dict[str, Credentials], base_url: str, seed: int = 1
) -> list[Request]:
    """The reads, as many passes as the writes need, with a write after every four reads."""
    changes = writes(characters, credentials, base_url, seed)
    once = len(characters) * len(VIEWS)
    needed = len(changes) * (WRITE_EVERY - 1)
    passes = -(-needed // once)
    all_reads = [r for n in range(passes) for r in reads(characters, credentials, seed + n)][:needed]
    table = []
    for i, request in enumerate(all_reads, start=1):
        table.append(request)
        if i % (WRITE_EVERY - 1) == 0:
            table.append(changes[i // (WRITE_EVERY - 1) - 1])
    return table


def problem(request: Request, status: int, content_type: str, body: bytes) -> str | None:
    """Why an answer is not the one the mix expects for this request; None when it is."""
    if status != 200:
        return f"answered {status}"
    if not content_type.startswith(EXPECT[request.view]):
        return f"answered {content_type or 'without a content type'}"
    if request.view == "htmx_quantity" and (b"<html" in body or not body.lstrip().startswith(b"<tr data-item")):
        return "answered something else than the changed row of the pack"
    if request.view == "inventory" and b"/quantity" not in body:
        return "shows no quantity form: the cookie did not sign the owner in"
    return None


def single(path: str, headers: dict[str, str] | None = None, view: str = "hello") -> list[Request]:
    """A table of one request: the bare hello, or one URL asked again and again."""
    return [Request("GET", path, dict(headers or {}), view=view)]
