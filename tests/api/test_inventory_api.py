"""Inventory and equipment over JSON: the rules of SPEC §3 in force, and the dry run's preview."""

import pytest
from flask import g

from tests.inventory import fixtures
from webapp.models import Visibility

player, hero, arms = fixtures.player, fixtures.hero, fixtures.arms


def url(character, rest: str = "") -> str:
    return f"/api/v1/characters/{character.id}/{rest}".rstrip("/")


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


def test_adding_stacks_onto_the_same_line_and_the_list_has_the_spec_shape(client, hero, make):
    rope = make.item(name="Rope", weight=1.0)
    first = client.post(url(hero, "inventory"), json={"item_id": str(rope.id), "quantity": 2})
    assert first.status_code == 201
    assert first.get_json()["quantity"] == 2
    client.post(url(hero, "inventory"), json={"item_id": str(rope.id)})
    listed = client.get(url(hero, "inventory")).get_json()
    assert [(line["item"]["name"], line["quantity"]) for line in listed["data"]] == [("Rope", 3)]
    assert set(listed["data"][0]) == {"item", "quantity"}
    assert listed["data"][0]["item"]["id"] == str(rope.id)


def test_changing_dropping_and_using_items(client, hero, make):
    potion = make.item(name="Potion", is_consumable=True, weight=0.5)
    rope = make.item(name="Rope")
    make.give(hero, potion, 2)
    make.give(hero, rope)
    assert client.patch(url(hero, f"inventory/{rope.id}"), json={"quantity": 5}).get_json()["quantity"] == 5
    assert client.post(url(hero, f"inventory/{potion.id}/use")).get_json()["quantity"] == 1
    assert client.post(url(hero, f"inventory/{potion.id}/use")).status_code == 204
    assert client.get(url(hero, f"inventory/{potion.id}")).status_code == 404
    refused = client.post(url(hero, f"inventory/{rope.id}/use"))
    assert refused.status_code == 422 and "item_id" in errors_of(refused)
    assert client.delete(url(hero, f"inventory/{rope.id}")).status_code == 204
    assert client.get(url(hero, "inventory")).get_json() == {"data": []}


def test_a_quantity_of_zero_is_refused(client, hero, make):
    rope = make.item(name="Rope")
    make.give(hero, rope)
    assert client.patch(url(hero, f"inventory/{rope.id}"), json={"quantity": 0}).status_code == 422


def test_an_addition_past_twice_the_capacity_is_refused_with_the_reason(client, hero, make):
    anvil = make.item(name="Anvil", weight=60.0)  # STR 10: capacity 50 kg, limit 100 kg
    assert client.post(url(hero, "inventory"), json={"item_id": str(anvil.id)}).status_code == 201
    refused = client.post(url(hero, "inventory"), json={"item_id": str(anvil.id)})
    assert refused.status_code == 422
    assert errors_of(refused) == {"quantity": "Too heavy: Brannoc would carry 120 kg; the limit is 100 kg"}
    more = client.patch(url(hero, f"inventory/{anvil.id}"), json={"quantity": 2})
    assert more.status_code == 422


def test_taking_off_a_strength_ring_that_would_leave_the_load_past_twice_capacity_is_refused(client, hero, make):
    ring = make.item(name="Ring of Might", slot="RING", bonus_strength=2)  # STR 12: limit 120 kg; STR 10: 100 kg
    sacks = make.item(name="Sack of Ore", weight=55.0)  # with the ring (1 kg): 111 kg
    make.give(hero, ring)
    make.equip(hero, ring, "ring_left")
    make.give(hero, sacks, 2)
    message = "Too heavy: Brannoc carries 111 kg; after this change the limit would be 100 kg"

    preview = client.put(url(hero, "equipment?dry_run=true"), json={"ring_left": None}).get_json()
    refused = client.put(url(hero, "equipment"), json={"ring_left": None})

    assert preview["allowed"] is False and preview["violations"] == [{"field": "ring_left", "message": message}]
    assert refused.status_code == 422 and errors_of(refused) == {"ring_left": message}
    dropped = client.delete(url(hero, f"inventory/{ring.id}"))  # dropping takes it off too
    assert dropped.status_code == 422
    assert errors_of(dropped) == {"item_id": message.replace("carries 111 kg", "carries 110 kg")}
    assert client.get(url(hero, "equipment")).get_json()["ring_left"]["id"] == str(ring.id)
    assert client.delete(url(hero, f"inventory/{sacks.id}")).status_code == 204
    assert client.delete(url(hero, f"inventory/{ring.id}")).status_code == 204


def test_putting_on_a_strength_sapping_belt_is_refused_only_when_it_would_overload(client, hero, make):
    girdle = make.item(name="Girdle of Frailty", slot="BELT", bonus_strength=-4)  # STR 6: limit 60 kg
    make.give(hero, girdle)
    pack = make.item(name="Pack", weight=50.0)
    make.give(hero, pack)
    assert client.put(url(hero, "equipment"), json={"belt": str(girdle.id)}).status_code == 200
    assert client.put(url(hero, "equipment"), json={"belt": None}).status_code == 200
    make.give(hero, make.item(name="Anvil", weight=20.0))
    refused = client.put(url(hero, "equipment"), json={"belt": str(girdle.id)})
    assert refused.status_code == 422
    assert errors_of(refused) == {
        "belt": "Too heavy: Brannoc carries 71 kg; after this change the limit would be 60 kg"
    }


def test_nobody_adds_or_equips_an_item_they_cannot_see(client, hero, make):
    secret = make.item(
        name="Secret Blade",
        slot="ONE_HAND",
        owner_id=make.user().id,
        visibility=Visibility.PRIVATE,
        bonus_skills=[make.skill(name="Secret Art")],
    )
    refused = client.post(url(hero, "inventory"), json={"item_id": str(secret.id)})
    assert refused.status_code == 422 and errors_of(refused) == {"item_id": "There is no such item"}
    make.give(hero, secret)  # it got there somehow (a grant, or it was hidden later)
    equip = client.put(url(hero, "equipment"), json={"main_hand": str(secret.id)})
    assert equip.status_code == 422 and errors_of(equip) == {"main_hand": "There is no such item."}
    line = client.get(url(hero, "inventory")).get_json()["data"][0]
    assert line["item"]["name"] == "[hidden]"
    # Nothing else of it either: not who made it, its picture, its tags or what it grants.
    assert line["item"]["owner_id"] is None and line["item"]["image_id"] is None
    assert all(line["item"][field] == [] for field in ("tag_ids", "bonus_skill_ids", "bonus_perk_ids"))


def test_someone_elses_character_is_404_or_403(client, auth, make):
    stranger_hero = make.character(name="Theirs")
    private_hero = make.character(name="Hidden", visibility=Visibility.PRIVATE)
    rope = make.item(name="Rope")
    auth.login(make.user())
    assert client.get(url(private_hero, "inventory")).status_code == 404
    assert client.post(url(stranger_hero, "inventory"), json={"item_id": str(rope.id)}).status_code == 403
    assert client.put(url(stranger_hero, "equipment"), json={"head": None}).status_code == 403


def test_equipping_a_two_handed_sword_over_sword_and_shield_empties_the_off_hand(client, hero, arms):
    sword, shield, greatsword = arms
    before = client.get(f"/api/v1/characters/{hero.id}/sheet").get_json()
    assert (before["attack"]["value"], before["defense"]["value"]) == (5, 13)

    response = client.put(url(hero, "equipment"), json={"main_hand": str(greatsword.id)})
    assert response.status_code == 200
    worn = response.get_json()
    assert worn["main_hand"]["id"] == str(greatsword.id)
    assert worn["off_hand"] is None
    assert set(worn) == {
        "head", "face", "chest", "legs", "feet", "hands", "main_hand", "off_hand", "ring_left", "ring_right",
        "amulet", "belt", "backpack", "cloak",
    }  # fmt: skip
    carried = {line["item"]["name"]: line["quantity"] for line in client.get(url(hero, "inventory")).get_json()["data"]}
    assert carried == {"Arming Sword": 1, "Kite Shield": 1, "Two-Handed Sword": 1}
    after = client.get(f"/api/v1/characters/{hero.id}/sheet").get_json()
    assert after["attack"]["value"] == 12  # 12 damage + STR modifier 0
    assert after["defense"]["value"] == 10  # 10 + no defense + DEX modifier 0


def test_a_dry_run_previews_before_after_and_displaced_and_saves_nothing(client, hero, arms):
    sword, shield, greatsword = arms
    response = client.put(url(hero, "equipment?dry_run=true"), json={"main_hand": str(greatsword.id)})
    assert response.status_code == 200
    preview = response.get_json()
    assert preview["allowed"] is True and preview["violations"] == []
    assert set(preview["displaced"]) == {str(sword.id), str(shield.id)}
    assert (preview["before"]["attack"]["value"], preview["after"]["attack"]["value"]) == (5, 12)
    assert (preview["before"]["defense"]["value"], preview["after"]["defense"]["value"]) == (13, 10)
    assert preview["after"]["equipment"]["off_hand"] is None
    assert client.get(url(hero, "equipment")).get_json()["main_hand"]["id"] == str(sword.id)


def test_a_dry_run_that_is_refused_says_why(client, hero, make):
    crown = make.item(name="Crown", slot="HEAD", required_level=5)
    boots = make.item(name="Boots", slot="FEET")
    make.give(hero, crown)
    preview = client.put(url(hero, "equipment?dry_run=true"), json={"head": str(crown.id), "feet": str(boots.id)})
    data = preview.get_json()
    assert data["allowed"] is False
    assert {v["field"]: v["message"] for v in data["violations"]} == {
        "head": "Needs level 5; Brannoc is level 1",
        "feet": "Boots isn't in Brannoc's inventory",
    }
    assert data["after"] == data["before"]


def test_two_rings_of_a_kind_need_quantity_two(client, hero, make):
    ring = make.item(name="Ring of Vigour", slot="RING", bonus_constitution=1)
    make.give(hero, ring, 1)
    assert client.put(url(hero, "equipment"), json={"ring_left": str(ring.id)}).status_code == 200
    refused = client.put(url(hero, "equipment"), json={"ring_right": str(ring.id)})
    assert refused.status_code == 422
    assert errors_of(refused) == {"ring_right": "Ring of Vigour in 2 slots needs quantity 2; Brannoc has 1"}
    client.patch(url(hero, f"inventory/{ring.id}"), json={"quantity": 2})
    worn = client.put(url(hero, "equipment"), json={"ring_right": str(ring.id)}).get_json()
    assert worn["ring_left"]["id"] == worn["ring_right"]["id"] == str(ring.id)


def test_gloves_go_on_the_hands_and_nothing_fits_the_wrong_slot(client, hero, make):
    gloves = make.item(name="Gauntlets", slot="HANDS", defense=1)
    make.give(hero, gloves)
    wrong = client.put(url(hero, "equipment"), json={"head": str(gloves.id)})
    assert wrong.status_code == 422 and "head" in errors_of(wrong)
    assert client.put(url(hero, "equipment"), json={"hands": str(gloves.id)}).status_code == 200


def test_unequipping_with_null_and_unknown_slots_refused(client, hero, arms):
    worn = client.put(url(hero, "equipment"), json={"off_hand": None}).get_json()
    assert worn["off_hand"] is None and worn["main_hand"] is not None
    assert client.put(url(hero, "equipment"), json={"tail": None}).status_code == 422


def test_an_equipped_item_cannot_drop_below_the_slots_it_fills_but_dropping_unequips(client, hero, make):
    dagger = make.item(name="Dagger", slot="ONE_HAND")
    make.give(hero, dagger, 2)
    client.put(url(hero, "equipment"), json={"main_hand": str(dagger.id), "off_hand": str(dagger.id)})
    refused = client.patch(url(hero, f"inventory/{dagger.id}"), json={"quantity": 1})
    assert refused.status_code == 422
    assert errors_of(refused) == {"quantity": "Dagger is equipped in 2 slots; unequip it first or keep 2."}
    assert client.delete(url(hero, f"inventory/{dagger.id}")).status_code == 204
    worn = client.get(url(hero, "equipment")).get_json()
    assert worn["main_hand"] is None and worn["off_hand"] is None


def test_a_stale_if_match_on_equipment_is_412(client, hero, arms):
    etag = client.get(url(hero, "equipment")).headers["ETag"]
    assert client.put(url(hero, "equipment"), json={"off_hand": None}, headers={"If-Match": etag}).status_code == 200
    assert client.put(url(hero, "equipment"), json={"head": None}, headers={"If-Match": etag}).status_code == 412


def test_anonymous_reads_of_a_public_character_are_public(client, auth, hero, arms):
    auth.logout()
    g.pop("api_caller", None)
    response = client.get(url(hero, "equipment"))
    assert response.status_code == 200 and response.headers["Cache-Control"].startswith("public")


def test_the_inventory_is_read_in_a_constant_number_of_queries(client, hero, make, queries):
    make.give(hero, make.item())
    with queries:
        client.get(url(hero, "inventory"))
    few = queries.count
    for _ in range(12):
        make.give(hero, make.item(tags=[make.tag()]))
    with queries:
        client.get(url(hero, "inventory"))
    assert queries.count == few


def test_a_patched_quantity_answers_the_line_a_fresh_get_answers(client, hero, arms, make):
    rope = make.item(name="Rope", weight=2.0)
    make.give(hero, rope, 1)
    for quantity in (6, 2):
        patched = client.patch(url(hero, f"inventory/{rope.id}"), json={"quantity": quantity})
        fresh = client.get(url(hero, f"inventory/{rope.id}"))
        assert patched.status_code == 200 and patched.get_json() == fresh.get_json()
        assert patched.get_json()["quantity"] == quantity
        sheet = client.get(url(hero, "sheet")).get_json()
        assert sheet["load"]["value"] == pytest.approx(1.4 + 5.0 + 3.2 + 2.0 * quantity)


def test_a_stale_if_match_on_using_or_dropping_a_line_is_412(client, hero, make):
    potion = make.item(name="Potion", is_consumable=True, weight=0.5)
    make.give(hero, potion, 3)
    line = url(hero, f"inventory/{potion.id}")
    etag = client.get(line).headers["ETag"]
    assert client.patch(line, json={"quantity": 4}).status_code == 200  # changed since it was read
    assert client.post(f"{line}/use", headers={"If-Match": etag}).status_code == 412
    assert client.delete(line, headers={"If-Match": etag}).status_code == 412
    assert client.get(line).get_json()["quantity"] == 4  # neither went through
    fresh = client.get(line).headers["ETag"]
    used = client.post(f"{line}/use", headers={"If-Match": fresh})
    assert used.status_code == 200 and used.get_json()["quantity"] == 3
    assert client.delete(line, headers={"If-Match": used.headers["ETag"]}).status_code == 204
