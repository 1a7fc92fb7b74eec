"""Smoke test of a deployed Tavern: `python deploy/smoke.py BASE_URL` checks health, sign-in, a personal API
token and creating a character through the API; exits 1 with a clear message at the first failure.

Standard library only, so it runs on any machine with Python 3.11. Options:
  SMOKE_EMAIL / SMOKE_PASSWORD   a verified account to use (production requires verified email to create
                                 content); without them a new account is registered for the run
  --insecure                     accept a self-signed certificate (a staging host)
  --ca-file PATH                 trust this certificate authority
"""

import argparse
import http.client
import json
import os
import re
import secrets
import ssl
import sys
import time
import urllib.parse


class SmokeFailure(Exception):
    """A step failed; the message says which and what came back."""


class Site:
    """A tiny HTTP client: one base URL, no redirects followed. Browser requests keep cookies; JSON API calls
    neither send nor keep any, as a script would not (and a cookie would make them subject to CSRF)."""

    def __init__(self, base: str, context: ssl.SSLContext | None) -> None:
        self.base = base.rstrip("/")
        self.parts = urllib.parse.urlsplit(self.base)
        if self.parts.scheme not in ("http", "https") or not self.parts.hostname:
            raise SmokeFailure(f"BASE_URL must look like https://host[:port], not {base!r}")
        self.context = context
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body=None, headers=None, cookies=True) -> tuple[int, dict, bytes]:
        if self.parts.scheme == "https":
            connection = http.client.HTTPSConnection(
                self.parts.hostname, self.parts.port, timeout=20, context=self.context
            )
        else:
            connection = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=20)
        sent = {"User-Agent": "tavern-smoke/1", **(headers or {})}
        if cookies and self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, self.parts.path + path, body, sent)
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            raise SmokeFailure(f"{method} {path}: no answer ({error})") from error
        finally:
            connection.close()
        for cookie in (response.headers.get_all("Set-Cookie") or []) if cookies else []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.headers.items()}, data

    def json(self, method: str, path: str, payload=None, token: str | None = None, expect=(200,)) -> dict:
        headers = {"Accept": "application/json"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = f"Bearer {token}"
        status, _, data = self.request(method, path, body, headers, cookies=False)
        if status not in expect:
            raise SmokeFailure(
                f"{method} {path} answered {status}, expected {expect}: {data[:500].decode(errors='replace')}"
            )
        if not data:
            return {}
        try:
            return json.loads(data)
        except ValueError as error:
            raise SmokeFailure(f"{method} {path} did not answer JSON: {data[:200]!r}") from error

    def form(self, path: str, fields: dict) -> tuple[int, dict, bytes]:
        # On HTTPS the app's CSRF check wants a same-origin Referer, as every browser sends.
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Referer": self.base + path}
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), headers)


def step(name: str):
    def decorate(function):
        def run(*args, **kwargs):
            started = time.monotonic()
            try:
                result = function(*args, **kwargs)
            except SmokeFailure as failure:
                raise SmokeFailure(f"{name}: {failure}") from None
            print(f"ok    {name} ({(time.monotonic() - started) * 1000:.0f} ms)")
            return result

        return run

    return decorate


@step("health")
def check_health(site: Site) -> None:
    body = site.json("GET", "/health")
    if body.get("status") != "healthy":
        raise SmokeFailure(f"/health says {body}")
    ready = site.json("GET", "/ready")
    if ready.get("status") != "ready":
        raise SmokeFailure(f"/ready says {ready}")


@step("account")
def account(site: Site) -> tuple[str, str]:
    email, password = os.environ.get("SMOKE_EMAIL"), os.environ.get("SMOKE_PASSWORD")
    if email and password:
        return email, password
    email = f"smoke-{secrets.token_hex(6)}@example.com"
    password = f"smoke test {secrets.token_hex(8)}"
    created = site.json(
        "POST", "/api/v1/auth/register", {"email": email, "password": password, "display_name": "Smoke Test"},
        expect=(201,),
    )  # fmt: skip
    if created.get("email", "").lower() != email:
        raise SmokeFailure(f"registration answered {created}")
    return email, password


@step("sign-in (browser form)")
def sign_in(site: Site, email: str, password: str) -> None:
    status, _, page = site.request("GET", "/login")
    if status != 200:
        raise SmokeFailure(f"GET /login answered {status}")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if not match:
        raise SmokeFailure("the sign-in page has no CSRF token")
    status, headers, body = site.form(
        "/login", {"csrf_token": match.group(1).decode(), "email": email, "password": password}
    )
    if status not in (302, 303):
        raise SmokeFailure(f"POST /login answered {status} (wrong credentials?): {body[:300].decode(errors='replace')}")
    status, headers, _ = site.request("GET", "/account")
    if status != 200:
        raise SmokeFailure(f"signed in, but GET /account answered {status} {headers.get('location', '')}")


@step("API token")
def api_token(site: Site, email: str, password: str) -> tuple[str, str, str]:
    """(access token, personal token id, personal token)."""
    login = site.json("POST", "/api/v1/auth/login", {"email": email, "password": password})
    access = login.get("access_token")
    if not access:
        raise SmokeFailure(f"POST /api/v1/auth/login gave no access_token: {sorted(login)}")
    created = site.json(
        "POST", "/api/v1/tokens", {"name": f"smoke {time.strftime('%Y-%m-%d %H:%M')}", "scope": "write"},
        token=access, expect=(200, 201),
    )  # fmt: skip
    if not created.get("token") or not created.get("id"):
        raise SmokeFailure(f"POST /api/v1/tokens gave no token: {sorted(created)}")
    return access, created["id"], created["token"]


@step("create a character (API, personal token)")
def create_character(site: Site, token: str) -> str:
    races = site.json("GET", "/api/v1/races?limit=100", token=token).get("data") or []
    archetypes = site.json("GET", "/api/v1/archetypes?limit=100", token=token).get("data") or []
    if not races or not archetypes:
        raise SmokeFailure("no races or archetypes: load the reference content (flask seed)")
    race = races[0]
    archetype = next(
        (a for a in archetypes if not a.get("required_race_ids") or race["id"] in a["required_race_ids"]), None
    )
    if archetype is None:
        raise SmokeFailure(f"no archetype is open to the race {race.get('name')}")
    payload = {
        "name": f"Smoke {secrets.token_hex(3)}",
        "race_id": race["id"],
        "archetype_id": archetype["id"],
        "strength": 14,
        "constitution": 13,
        "dexterity": 12,
        "intelligence": 10,
        "wisdom": 10,
        "charisma": 8,
    }
    character = site.json("POST", "/api/v1/characters", payload, token=token, expect=(201,))
    fetched = site.json("GET", f"/api/v1/characters/{character['id']}", token=token)
    if fetched.get("name") != payload["name"]:
        raise SmokeFailure(f"the new character reads back as {fetched}")
    return character["id"]


@step("clean up")
def clean_up(site: Site, access: str, token: str, token_id: str, character_id: str) -> None:
    site.json("DELETE", f"/api/v1/characters/{character_id}", token=token, expect=(200, 204))
    # Personal tokens cannot manage tokens; the signed-in access token revokes it.
    site.json("DELETE", f"/api/v1/tokens/{token_id}", token=access, expect=(200, 204))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke test of a deployed Tavern.")
    parser.add_argument("base_url", metavar="BASE_URL")
    parser.add_argument("--insecure", action="store_true", help="accept any certificate")
    parser.add_argument("--ca-file", help="trust this certificate authority (PEM)")
    args = parser.parse_args(argv)
    context = ssl.create_default_context(cafile=args.ca_file)
    if args.insecure:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        site = Site(args.base_url, context)
        check_health(site)
        email, password = account(site)
        sign_in(site, email, password)
        access, token_id, token = api_token(site, email, password)
        character_id = create_character(site, token)
        clean_up(site, access, token, token_id, character_id)
    except SmokeFailure as failure:
        print(f"FAIL  {failure}", file=sys.stderr)
        return 1
    print(f"smoke test passed against {args.base_url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
