"""The second table: one URL asked again and again by one viewer (the bench user), for each page in turn."""

import urllib.parse
from dataclasses import dataclass

import sqlalchemy as sa

from bench import dataset
from bench.client import Client
from bench.wrk import Request

JSON = "application/json"


@dataclass(frozen=True)
class Target:
    """One repeated URL: who asks (anonymous, the signed-in browser, or a script with a token) and what it gets."""

    key: str
    label: str
    path: str
    who: str = "anonymous"  # "anonymous", "session" or "token"
    expect: str = "text/html"
    htmx: bool = False

    def request(self, headers: dict[str, dict[str, str]]) -> Request:
        sent = dict(headers[self.who]) | ({"HX-Request": "true"} if self.htmx else {})
        return Request("GET", self.path, sent, view=self.key)


def targets(character_id: str, deep_cursor: str | None) -> list[Target]:
    deep = f"/api/v1/characters?limit=20&cursor={urllib.parse.quote(deep_cursor)}" if deep_cursor else ""
    return [
        Target("home", "Home page", "/"),
        Target("sheet", "Character sheet (signed in)", f"/characters/{character_id}", who="session"),
        Target("inventory", "Inventory page (signed in)", f"/characters/{character_id}/inventory", who="session"),
        Target("compendium", "Compendium search fragment", "/compendium/items?search=steel", htmx=True),
        Target("api_character", "GET /api/v1/characters/<id>", f"/api/v1/characters/{character_id}", "token", JSON),
        Target("api_list_first", "GET /api/v1/characters (first page)", "/api/v1/characters?limit=20", "token", JSON),
        Target("api_list_deep", "GET /api/v1/characters (deep page)", deep, "token", JSON),
    ]


def viewers(base_url: str, context) -> dict[str, dict[str, str]]:
    """Headers of the three viewers: a visitor with a first page's cookies, the signed-in bench user, its token."""
    browser = Client(base_url, context)
    browser.sign_in(dataset.BENCH_EMAIL, dataset.BENCH_PASSWORD)
    token = browser.create_token()
    # A visitor who is not signed in still keeps the cookies of the first page, as a browser does.
    visitor = Client(base_url, context)
    visitor.get("/")
    headers = {
        "anonymous": {"Cookie": visitor.cookie_header()} if visitor.cookies else {},
        "session": {"Cookie": browser.cookie_header()},
        "token": {"Authorization": f"Bearer {token}"},
    }
    browser.close()
    visitor.close()
    return headers


def check_target(client: Client, target: Target, headers: dict) -> str | None:
    """Why the target cannot be measured (None when it answers 200 with the expected content type)."""
    if not target.path:
        return "no deep cursor (the list gave no next page)"
    request = target.request(headers)
    answer = client.get(request.path, headers=request.headers)
    kind = answer.headers.get("content-type", "")
    if answer.status != 200 or not kind.startswith(target.expect):
        return f"answered {answer.status} {kind or 'without a content type'}"
    return None


def bench_character(engine: sa.Engine) -> str:
    """The bench user's first character: it exists at every dataset size."""
    from webapp.models import Character, User

    with engine.connect() as connection:
        query = (
            sa.select(Character.id)
            .join(User, User.id == Character.owner_id)
            .where(User.email == dataset.BENCH_EMAIL)
            .order_by(Character.created_at, Character.id)
            .limit(1)
        )
        return str(connection.execute(query).scalar_one())


def walk_list(client: Client, token_headers: dict, limit: int = 100, page_size: int = 20) -> tuple[str | None, int]:
    """Follow GET /api/v1/characters to its end: the deepest cursor that still yields a full page, and the pages.

    The cursor is None when the list does not exist yet or has a single page.
    """
    cursor, best, pages = None, None, 0
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/api/v1/characters?" + urllib.parse.urlencode(query), headers=token_headers)
        if answer.status != 200:
            return best, pages
        body = answer.json()
        rows = _rows(body)
        pages += 1
        if cursor and len(rows) >= page_size:
            best = cursor
        cursor = _next_cursor(body)
        if not cursor:
            return best, pages


def _rows(body) -> list:
    if isinstance(body, list):
        return body
    for key in ("data", "items", "results", "characters"):
        if isinstance(body.get(key), list):
            return body[key]
    return []


def _next_cursor(body) -> str | None:
    if not isinstance(body, dict):
        return None
    for holder in (body, body.get("pagination") or {}, body.get("meta") or {}, body.get("links") or {}):
        if isinstance(holder, dict) and holder.get("next_cursor"):
            return holder["next_cursor"]
    return None
