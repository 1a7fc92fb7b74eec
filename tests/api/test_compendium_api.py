"""The compendium API: every kind listed, read, created, changed and deleted through one generic module."""

import pytest
from flask import g

from webapp.extensions import db
from webapp.models import Visibility

ITEM_FIELDS = {
    "name", "description", "rarity", "slot", "required_level", "weight", "value", "damage", "defense",
    "durability", "max_durability", "bonus_strength", "bonus_constitution", "bonus_dexterity",
    "bonus_intelligence", "bonus_wisdom", "bonus_charisma", "bonus_health", "bonus_mana", "bonus_stamina",
    "bonus_skill_ids", "bonus_perk_ids", "is_consumable", "is_quest_item", "is_tradeable", "is_throwable",
    "tag_ids", "visibility",
}  # fmt: skip
SHAPES = {
    "races": {
        "name", "description", "strength_bonus", "constitution_bonus", "dexterity_bonus", "intelligence_bonus",
        "wisdom_bonus", "charisma_bonus", "health_pct", "mana_pct", "stamina_pct", "skill_ids", "tag_ids",
        "visibility", "image_id",
    },
    "archetypes": {
        "name", "description", "health_per_level", "mana_per_level", "stamina_per_level", "primary_attribute",
        "required_race_ids", "skill_ids", "tag_ids", "visibility", "image_id",
    },
    "skills": {"name", "description", "required_level", "tag_ids", "visibility", "image_id"},
    "perks": {"name", "description", "required_level", "tag_ids", "visibility", "image_id"},
    "items": ITEM_FIELDS | {"image_id"},
    "tags": {"name", "description", "visibility"},
}  # fmt: skip
META = {"id", "owner_id", "created_at", "updated_at"}


@pytest.fixture
def player(make, auth):
    user = make.user(display_name="Ada")
    auth.login(user)
    return user


def sign_in_as(auth, user) -> None:
    """Switch users: the test's app context outlives requests, so the API's per-request caller is dropped too."""
    auth.logout()
    g.pop("api_caller", None)
    if user is not None:
        auth.login(user)


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


@pytest.mark.parametrize("kind", sorted(SHAPES))
def test_every_kind_is_created_read_changed_and_deleted_in_its_spec_shape(client, player, kind):
    created = client.post(f"/api/v1/{kind}", json={"name": "Homebrew thing", "description": "Mine."})
    assert created.status_code == 201, created.get_json()
    data = created.get_json()
    assert set(data) == SHAPES[kind] | META
    assert data["owner_id"] == str(player.id)
    assert created.headers["Location"] == f"/api/v1/{kind}/{data['id']}"

    read = client.get(f"/api/v1/{kind}/{data['id']}")
    assert read.status_code == 200 and read.get_json() == data
    assert read.headers["Cache-Control"].startswith("private")

    changed = client.patch(f"/api/v1/{kind}/{data['id']}", json={"description": "Still mine."})
    assert changed.status_code == 200
    assert changed.get_json()["description"] == "Still mine."
    assert changed.get_json()["name"] == "Homebrew thing"

    assert client.delete(f"/api/v1/{kind}/{data['id']}").status_code == 204
    assert client.get(f"/api/v1/{kind}/{data['id']}").status_code == 404


def test_every_item_field_is_settable_bonuses_and_links_included(client, player, make):
    skill, perk, tag = make.skill(name="Fencing"), make.perk(name="Riposte"), make.tag(name="Blade")
    body = {
        "name": "Duelist's Rapier", "description": "Thin and quick.", "rarity": "RARE", "slot": "ONE_HAND",
        "required_level": 4, "weight": 1.25, "value": 450, "damage": 7, "defense": 1, "durability": 80,
        "max_durability": 90, "bonus_strength": -1, "bonus_constitution": 0, "bonus_dexterity": 2,
        "bonus_intelligence": 0, "bonus_wisdom": 0, "bonus_charisma": 1, "bonus_health": 5, "bonus_mana": 0,
        "bonus_stamina": 10, "bonus_skill_ids": [str(skill.id)], "bonus_perk_ids": [str(perk.id)],
        "is_consumable": False, "is_quest_item": True, "is_tradeable": False, "is_throwable": True,
        "tag_ids": [str(tag.id)], "visibility": "PRIVATE",
    }  # fmt: skip
    response = client.post("/api/v1/items", json=body)
    assert response.status_code == 201, response.get_json()
    data = response.get_json()
    assert {key: data[key] for key in body} == body

    changed = client.patch(f"/api/v1/items/{data['id']}", json={"bonus_skill_ids": [], "bonus_dexterity": 3})
    assert changed.get_json()["bonus_skill_ids"] == []
    assert changed.get_json()["bonus_dexterity"] == 3
    assert changed.get_json()["bonus_perk_ids"] == [str(perk.id)]


def test_unknown_fields_and_out_of_range_values_are_refused_by_field(client, player):
    unknown = client.post("/api/v1/items", json={"name": "Odd", "sparkle": 3})
    assert unknown.status_code == 422
    assert errors_of(unknown) == {"sparkle": "Unknown field."}
    bad = client.post("/api/v1/races", json={"name": "Giants", "strength_bonus": 5, "health_pct": 20})
    assert bad.status_code == 422
    assert set(errors_of(bad)) == {"strength_bonus", "health_pct"}


def test_durability_cannot_exceed_max_durability_even_across_a_patch(client, player):
    item = client.post("/api/v1/items", json={"name": "Glass Knife", "max_durability": 10}).get_json()
    assert item["durability"] == 10  # follows the max when not given
    response = client.patch(f"/api/v1/items/{item['id']}", json={"durability": 11})
    assert response.status_code == 422
    assert "durability" in errors_of(response)


def test_a_name_is_unique_per_owner_but_never_across_users(client, player, make):
    other = make.user()
    make.item(name="Moonblade", owner_id=other.id, visibility=Visibility.PRIVATE)
    make.item(name="Sunblade")  # system content
    assert client.post("/api/v1/items", json={"name": "Moonblade"}).status_code == 201
    assert client.post("/api/v1/items", json={"name": "Sunblade"}).status_code == 201
    clash = client.post("/api/v1/items", json={"name": "moonblade"})
    assert clash.status_code == 409 and clash.get_json()["code"] == "name_taken"
    assert errors_of(clash) == {"name": "You already have an item called “moonblade”. Choose another name."}


def test_links_to_entries_the_caller_cannot_see_are_refused(client, player, make):
    secret = make.skill(name="Secret Art", owner_id=make.user().id, visibility=Visibility.PRIVATE)
    response = client.post("/api/v1/races", json={"name": "Sneaks", "skill_ids": [str(secret.id)]})
    assert response.status_code == 422
    assert errors_of(response) == {"skill_ids": "There is no such skill"}


def test_an_entry_lists_only_the_linked_ids_its_reader_may_see(client, auth, make):
    owner, author, reader = make.user(), make.user(), make.user()
    secret = make.skill(name="Secret Art", owner_id=author.id)
    shown = make.skill(name="Open Art")
    item = make.item(name="Teaching Blade", owner_id=owner.id, bonus_skills=[secret, shown])
    secret.visibility = Visibility.PRIVATE  # made private after the item linked it
    db.session.commit()
    for who in (reader, owner, None):
        sign_in_as(auth, who)
        assert client.get(f"/api/v1/items/{item.id}").get_json()["bonus_skill_ids"] == [str(shown.id)]
        listed = client.get("/api/v1/items", query_string={"search": "Teaching"}).get_json()["data"]
        assert [entry["bonus_skill_ids"] for entry in listed] == [[str(shown.id)]]
    sign_in_as(auth, author)
    assert sorted(client.get(f"/api/v1/items/{item.id}").get_json()["bonus_skill_ids"]) == sorted(
        [str(secret.id), str(shown.id)]
    )


def test_private_entries_are_404_to_others_and_only_staff_hide(client, auth, make):
    owner, stranger, moderator = make.user(), make.user(), make.user(role="MODERATOR")
    private = make.item(name="Diary", owner_id=owner.id, visibility=Visibility.PRIVATE)
    public = make.item(name="Banner", owner_id=owner.id)
    sign_in_as(auth, stranger)
    assert client.get(f"/api/v1/items/{private.id}").status_code == 404
    assert client.patch(f"/api/v1/items/{public.id}", json={"name": "Mine now"}).status_code == 403
    sign_in_as(auth, owner)
    refused = client.patch(f"/api/v1/items/{public.id}", json={"visibility": "HIDDEN"})
    assert refused.status_code == 422 and "visibility" in errors_of(refused)
    sign_in_as(auth, moderator)
    privatised = client.patch(f"/api/v1/items/{public.id}", json={"visibility": "PRIVATE"})
    assert privatised.status_code == 422
    assert errors_of(privatised) == {"visibility": "Only its owner makes it public or private."}
    hidden = client.patch(f"/api/v1/items/{public.id}", json={"visibility": "HIDDEN"})
    assert hidden.status_code == 200 and hidden.get_json()["visibility"] == "HIDDEN"
    sign_in_as(auth, None)
    assert client.get(f"/api/v1/items/{public.id}").status_code == 404


def test_deleting_an_entry_in_use_answers_409_with_what_uses_it(client, player, make):
    sword = make.item(name="Family Sword", owner_id=player.id)
    mine = make.character(owner=player, name="Brannoc")
    theirs = make.character(name="Secretive", visibility=Visibility.PRIVATE)
    make.give(mine, sword)
    make.give(theirs, sword)
    response = client.delete(f"/api/v1/items/{sword.id}")
    assert response.status_code == 409
    problem = response.get_json()
    assert "Family Sword" in problem["detail"] and "2 characters" in problem["detail"]
    assert {(ref["kind"], ref["name"]) for ref in problem["references"]} == {
        ("character", "Brannoc"),
        ("character", "[hidden]"),
    }
    assert {ref["id"] for ref in problem["references"]} == {str(mine.id), None}


def test_a_tag_in_use_cannot_be_deleted_either(client, player, make):
    tag = make.tag(name="Cursed", owner_id=player.id)
    make.item(name="Cursed Ring", owner_id=player.id, tags=[tag])
    response = client.delete(f"/api/v1/tags/{tag.id}")
    assert response.status_code == 409
    assert response.get_json()["references"][0]["name"] == "Cursed Ring"


@pytest.fixture
def armoury(make):
    tag = make.tag(name="Weapon")
    items = {
        "dagger": make.item(name="Dagger", rarity="COMMON", slot="ONE_HAND", required_level=1, tags=[tag]),
        "sword": make.item(name="Sword", rarity="RARE", slot="ONE_HAND", required_level=5, tags=[tag]),
        "helm": make.item(name="Helm", rarity="RARE", slot="HEAD", required_level=8),
        "crown": make.item(name="Crown", rarity="LEGENDARY", slot="HEAD", required_level=15),
    }
    return tag, items


def names(response) -> list[str]:
    return [row["name"] for row in response.get_json()["data"]]


def test_items_filter_by_rarity_slot_level_range_tag_and_search(client, armoury):
    tag, _items = armoury
    assert names(client.get("/api/v1/items?rarity=RARE")) == ["Helm", "Sword"]
    assert names(client.get("/api/v1/items?slot=HEAD")) == ["Crown", "Helm"]
    assert names(client.get("/api/v1/items?min_level=5&max_level=10")) == ["Helm", "Sword"]
    assert names(client.get(f"/api/v1/items?tag={tag.id}")) == ["Dagger", "Sword"]
    assert names(client.get("/api/v1/items?search=ROW")) == ["Crown"]
    assert names(client.get("/api/v1/items?sort=required_level&order=desc")) == ["Crown", "Helm", "Sword", "Dagger"]


def test_a_level_range_upside_down_is_400(client):
    response = client.get("/api/v1/items?min_level=9&max_level=3")
    assert response.status_code == 400
    assert "max_level" in errors_of(response)


def test_unknown_filter_values_are_400(client):
    assert client.get("/api/v1/items?rarity=MYTHIC").status_code == 400
    assert client.get("/api/v1/items?sort=colour").status_code == 400


def test_cursor_pagination_walks_every_row_once(client, armoury):
    seen, cursor = [], None
    while True:
        url = "/api/v1/items?limit=3" + (f"&cursor={cursor}" if cursor else "")
        page = client.get(url).get_json()
        seen += [row["name"] for row in page["data"]]
        if not page["pagination"]["has_next"]:
            break
        cursor = page["pagination"]["next_cursor"]
    assert seen == ["Crown", "Dagger", "Helm", "Sword"]


def test_items_filtered_by_rarity_take_at_most_three_queries_a_page(client, armoury, queries, make):
    for n in range(30):
        make.item(name=f"Rare {n:02}", rarity="RARE", tags=[armoury[0]])
    with queries:
        response = client.get("/api/v1/items?rarity=RARE&limit=20")
    assert response.status_code == 200 and len(response.get_json()["data"]) == 20
    assert queries.count <= 3
    with queries:
        client.get(f"/api/v1/items?rarity=RARE&limit=20&cursor={response.get_json()['pagination']['next_cursor']}")
    assert queries.count <= 3


def test_lists_see_only_what_the_caller_may_see(client, auth, make):
    owner = make.user()
    make.item(name="Public", owner_id=owner.id)
    make.item(name="Private", owner_id=owner.id, visibility=Visibility.PRIVATE)
    make.item(name="Hidden", owner_id=owner.id, visibility=Visibility.HIDDEN)
    assert names(client.get("/api/v1/items")) == ["Public"]
    sign_in_as(auth, owner)
    assert names(client.get("/api/v1/items?owner=mine")) == ["Hidden", "Private", "Public"]
    assert names(client.get("/api/v1/items?owner=system")) == []


def test_anonymous_lists_are_public_and_cached_until_a_write(client, auth, make, queries):
    make.item(name="Lantern")
    first = client.get("/api/v1/items")
    assert first.headers["Cache-Control"].startswith("public")
    with queries.repeat:
        again = client.get("/api/v1/items")
    assert queries.count == 0 and again.get_json() == first.get_json()
    sign_in_as(auth, make.user())
    client.post("/api/v1/items", json={"name": "Rope"})
    sign_in_as(auth, None)
    assert names(client.get("/api/v1/items")) == ["Lantern", "Rope"]


def test_a_stale_if_match_is_412(client, player):
    item = client.post("/api/v1/items", json={"name": "Torch"})
    etag = client.get(f"/api/v1/items/{item.get_json()['id']}").headers["ETag"]
    url = f"/api/v1/items/{item.get_json()['id']}"
    assert client.patch(url, json={"value": 2}, headers={"If-Match": etag}).status_code == 200
    assert client.patch(url, json={"value": 3}, headers={"If-Match": etag}).status_code == 412


def test_stats_count_by_visibility_new_entries_and_most_used(client, auth, make):
    owner = make.user()
    popular = make.item(name="Popular")
    make.item(name="Unused")
    make.item(name="Private", owner_id=owner.id, visibility=Visibility.PRIVATE)
    for _ in range(2):
        make.give(make.character(), popular)
    anonymous = client.get("/api/v1/items/stats").get_json()
    assert anonymous["by_visibility"] == {"PUBLIC": 2, "PRIVATE": 0, "HIDDEN": 0}
    assert anonymous["new_last_30_days"] == 2
    assert anonymous["most_used"] == [{"id": str(popular.id), "name": "Popular", "uses": 2}]
    sign_in_as(auth, owner)
    mine = client.get("/api/v1/items/stats").get_json()
    assert (mine["total"], mine["homebrew"], mine["system"]) == (3, 1, 2)


def test_writing_needs_a_signed_in_caller(client):
    assert client.post("/api/v1/tags", json={"name": "Anon"}).status_code == 401


def test_the_openapi_document_describes_every_kind(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for kind in SHAPES:
        assert {"get", "post"} <= set(paths[f"/api/v1/{kind}"])
        assert {"get", "patch", "delete"} <= set(paths[f"/api/v1/{kind}/{{entry_id}}"])
        assert "get" in paths[f"/api/v1/{kind}/stats"]
