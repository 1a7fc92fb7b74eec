"""Every answer that returns a resource carries its ETag, creates and changes too, so a script's next If-Match needs
no read first; If-Match uses the strong comparison, If-None-Match the weak one."""

import pytest

from webapp.models import Visibility


@pytest.fixture
def ref(make):
    return make.reference()


@pytest.fixture
def writer(make):
    user = make.user()
    return user, {"Authorization": f"Bearer {make.personal_token(user, 'write')[1]}"}


def new_character(ref) -> dict:
    return {
        "name": "Ysolde",
        "race_id": str(ref["race"]["Dwarf"].id),
        "archetype_id": str(ref["archetype"]["Sellsword"].id),
        **{"strength": 15, "constitution": 14, "dexterity": 13, "intelligence": 8, "wisdom": 12, "charisma": 10},
    }


def test_a_creates_etag_is_the_one_a_read_gives_and_serves_the_next_if_match(client, ref, writer):
    _, headers = writer
    created = client.post("/api/v1/characters", json=new_character(ref), headers=headers)
    assert created.status_code == 201
    url = created.headers["Location"]
    assert created.headers["ETag"] == client.get(url, headers=headers).headers["ETag"]
    changed = client.patch(url, json={"sex": "female"}, headers={**headers, "If-Match": created.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != created.headers["ETag"]
    assert changed.headers["ETag"] == client.get(url, headers=headers).headers["ETag"]
    again = client.patch(url, json={"age": 120}, headers={**headers, "If-Match": changed.headers["ETag"]})
    assert again.status_code == 200, "the PATCH answer's own ETag is current: no GET in between"
    stale = client.patch(url, json={"age": 7}, headers={**headers, "If-Match": changed.headers["ETag"]})
    assert stale.status_code == 412


@pytest.mark.parametrize(
    ("collection", "body", "change"),
    [
        ("/api/v1/items", {"name": "Lantern"}, {"value": 3}),
        ("/api/v1/tags", {"name": "Cursed"}, {"description": "Bound to its bearer."}),
        ("/api/v1/campaigns", {"name": "The Sunken Keep"}, {"description": "Below the lake."}),
    ],
)
def test_creates_and_changes_of_other_resources_carry_the_etag_a_read_gives(client, writer, collection, body, change):
    _, headers = writer
    created = client.post(collection, json=body, headers=headers)
    assert created.status_code == 201, created.get_json()
    url = f"{collection}/{created.get_json()['id']}"
    assert created.headers["ETag"] == client.get(url, headers=headers).headers["ETag"]
    changed = client.patch(url, json=change, headers={**headers, "If-Match": created.headers["ETag"]})
    assert changed.status_code == 200, changed.get_json()
    assert changed.headers["ETag"] == client.get(url, headers=headers).headers["ETag"]


def test_an_equipment_put_and_a_quantity_change_answer_with_the_etag_a_read_gives(client, make, writer):
    user, headers = writer
    hero = make.character(owner=user)
    helm = make.item(name="Iron helm", slot="HEAD")
    make.give(hero, helm, 2)
    equipment = f"/api/v1/characters/{hero.id}/equipment"
    first = client.get(equipment, headers=headers)
    put = client.put(equipment, json={"head": str(helm.id)}, headers={**headers, "If-Match": first.headers["ETag"]})
    assert put.status_code == 200
    assert put.headers["ETag"] == client.get(equipment, headers=headers).headers["ETag"]
    line = f"/api/v1/characters/{hero.id}/inventory/{helm.id}"
    patched = client.patch(line, json={"quantity": 3}, headers=headers)
    assert patched.headers["ETag"] == client.get(line, headers=headers).headers["ETag"]
    again = client.patch(line, json={"quantity": 4}, headers={**headers, "If-Match": patched.headers["ETag"]})
    assert again.status_code == 200


def test_a_weak_etag_in_if_match_never_matches(client, make, writer):
    user, headers = writer
    hero = make.character(owner=user, visibility=Visibility.PRIVATE)
    url = f"/api/v1/characters/{hero.id}"
    tag = client.get(url, headers=headers).headers["ETag"]
    weak = client.patch(url, json={"sex": "male"}, headers={**headers, "If-Match": f"W/{tag}"})
    assert weak.status_code == 412
    listed = client.patch(url, json={"sex": "male"}, headers={**headers, "If-Match": f'"elsewhere", {tag}'})
    assert listed.status_code == 200, "a list passes when one of its strong tags is current"
    anything = client.patch(url, json={"sex": "female"}, headers={**headers, "If-Match": "*"})
    assert anything.status_code == 200


def test_if_none_match_compares_weakly(client, make):
    rope = make.item(name="Rope")
    tag = client.get(f"/api/v1/items/{rope.id}").headers["ETag"]
    assert client.get(f"/api/v1/items/{rope.id}", headers={"If-None-Match": f"W/{tag}"}).status_code == 304
    assert client.get(f"/api/v1/items/{rope.id}", headers={"If-None-Match": '"other", ' + tag}).status_code == 304
    assert client.get(f"/api/v1/items/{rope.id}", headers={"If-None-Match": '"other"'}).status_code == 200
