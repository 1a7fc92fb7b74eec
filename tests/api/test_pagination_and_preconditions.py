"""Cursor pagination is stable while rows are added, and a stale If-Match changes nothing."""

import sqlalchemy as sa

from webapp.models import Item


def test_paging_through_250_items_by_seven_returns_each_once_while_items_are_created(client, make, db):
    existing = {str(make.item(name=f"Walk item {n:03d}").id) for n in range(250)}
    writer = make.user()
    headers = {"Authorization": f"Bearer {make.personal_token(writer, 'write')[1]}"}
    seen: list[str] = []
    url = "/api/v1/items?limit=7&sort=created_at&order=asc"
    cursor, pages = None, 0
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""), headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert len(body["data"]) <= 7
        seen += [row["id"] for row in body["data"]]
        pages += 1
        created = client.post("/api/v1/items", json={"name": f"Arrived on page {pages}"}, headers=headers)
        assert created.status_code == 201, created.get_json()
        if not body["pagination"]["has_next"]:
            break
        cursor = body["pagination"]["next_cursor"]
    assert len(seen) == len(set(seen)), "an item came twice"
    assert existing <= set(seen), "an item present from the start was skipped"
    assert pages >= 250 // 7


def test_a_stale_if_match_answers_412_and_changes_nothing(client, make, db):
    owner = make.user()
    item = make.item(name="Lantern", owner_id=owner.id)
    headers = {"Authorization": f"Bearer {make.personal_token(owner, 'write')[1]}"}
    first = client.get(f"/api/v1/items/{item.id}", headers=headers)
    stale = first.headers["ETag"]
    assert (
        client.patch(f"/api/v1/items/{item.id}", json={"value": 5}, headers={**headers, "If-Match": stale}).status_code
        == 200
    )
    refused = client.patch(
        f"/api/v1/items/{item.id}", json={"value": 99, "name": "Stolen"}, headers={**headers, "If-Match": stale}
    )
    assert refused.status_code == 412
    assert refused.mimetype == "application/problem+json"
    db.session.expire_all()
    row = db.session.execute(sa.select(Item).where(Item.id == item.id)).scalar_one()
    assert (row.name, row.value) == ("Lantern", 5)


def test_unchanged_resource_answers_304_to_if_none_match(client, make):
    item = make.item(name="Rope")
    first = client.get(f"/api/v1/items/{item.id}")
    again = client.get(f"/api/v1/items/{item.id}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert first.headers["Cache-Control"].startswith("public")


def test_a_body_that_is_not_json_answers_415(client, make):
    user = make.user()
    headers = {"Authorization": f"Bearer {make.personal_token(user, 'write')[1]}"}
    response = client.post("/api/v1/items", data="name=Rope", headers=headers)
    assert response.status_code == 415
    assert response.get_json()["code"] == "unsupported_media_type"
