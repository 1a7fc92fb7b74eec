"""A Tavern script: sign in, make a personal token, page through my characters, equip an item, survive a 412.

Standard library only. Usage: python tavern_script.py BASE_URL EMAIL PASSWORD
"""

import json
import sys
import urllib.error
import urllib.request


class Tavern:
    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base = base_url.rstrip("/") + "/api/v1"
        self.token = token

    def call(self, method: str, path: str, body=None, headers=None):
        """Returns (status, json body, response headers); errors come back as problem+json, not exceptions."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, response.headers
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None, error.headers

    def pages(self, path: str, limit: int = 20):
        """Every row of a list, following `next_cursor` until `has_next` is false."""
        cursor = None
        while True:
            separator = "&" if "?" in path else "?"
            query = f"{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
            status, body, _ = self.call("GET", path + query)
            if status != 200:
                raise RuntimeError(f"{status}: {body['detail']}")
            yield from body["data"]
            if not body["pagination"]["has_next"]:
                return
            cursor = body["pagination"]["next_cursor"]


def main(base_url: str, email: str, password: str) -> None:
    tavern = Tavern(base_url)
    # 1. Sign in once, then create a personal token for the script (the secret is shown only now).
    status, login, _ = tavern.call("POST", "/auth/login", {"email": email, "password": password})
    assert status == 200, login
    tavern.token = login["access_token"]
    status, created, _ = tavern.call("POST", "/tokens", {"name": "nightly script", "scope": "write"})
    assert status == 201, created
    tavern = Tavern(base_url, created["token"])

    # 2. List my characters page by page.
    mine = list(tavern.pages("/characters?mine=true", limit=2))
    print(f"{len(mine)} characters:", ", ".join(c["name"] for c in mine))
    hero = mine[0]

    # 3. Equip the first item of the inventory that fits a slot; ask for the preview first.
    _, inventory, _ = tavern.call("GET", f"/characters/{hero['id']}/inventory")
    slots = {"ONE_HAND": "main_hand", "TWO_HANDS": "main_hand", "HEAD": "head", "CHEST": "chest", "RING": "ring_left"}
    line = next(row for row in inventory["data"] if row["item"]["slot"] in slots)
    change = {slots[line["item"]["slot"]]: line["item"]["id"]}
    _, preview, _ = tavern.call("PUT", f"/characters/{hero['id']}/equipment?dry_run=true", change)
    print(
        "allowed:",
        preview["allowed"],
        "attack",
        preview["before"]["attack"]["value"],
        "->",
        preview["after"]["attack"]["value"],
    )
    if preview["allowed"]:
        status, _, _ = tavern.call("PUT", f"/characters/{hero['id']}/equipment", change)
        assert status == 200

    # 4. Change the description with If-Match; on 412 someone else changed it first: read again and retry once.
    _, _, headers = tavern.call("GET", f"/characters/{hero['id']}")
    etag = headers["ETag"]
    tavern.call("PATCH", f"/characters/{hero['id']}", {"description": "Changed elsewhere."})  # a GM, say
    status, body, _ = tavern.call(
        "PATCH", f"/characters/{hero['id']}", {"description": "Seen by the script."}, {"If-Match": etag}
    )
    if status == 412:
        print("412:", body["detail"])
        _, _, headers = tavern.call("GET", f"/characters/{hero['id']}")
        status, body, _ = tavern.call(
            "PATCH", f"/characters/{hero['id']}", {"description": "Seen by the script."}, {"If-Match": headers["ETag"]}
        )
    assert status == 200, body
    print("description:", body["description"])


if __name__ == "__main__":
    main(*sys.argv[1:4])
