"""The inventory page: add from a search, quantities, use, drop, and equip through a preview dialog."""

import json
import re

from tests.inventory import fixtures
from webapp.models import Visibility

player, hero, arms = fixtures.player, fixtures.hero, fixtures.arms


def page(hero, rest: str = "") -> str:
    return f"/characters/{hero.id}/{rest or 'inventory'}"


def events(response) -> dict:
    return json.loads(response.headers["HX-Trigger"])


def test_the_page_shows_load_equipment_pack_and_stats(client, hero, arms):
    body = client.get(page(hero)).get_data(as_text=True)
    assert 'id="load-meter"' in body and "9.6 kg</strong> of" in body
    assert "Arming Sword" in body and "Empty — fits a helmet, hat or hood" in body
    assert 'data-stat="attack">5<' in body and 'data-stat="defense">13<' in body
    assert 'hx-trigger="stats-changed from:body"' in body
    assert "<dialog" in body


def test_the_page_reads_in_a_constant_number_of_queries(client, hero, make, queries):
    make.give(hero, make.item())
    with queries:
        client.get(page(hero))
    few = queries.count
    for _ in range(10):
        make.give(hero, make.item(slot="RING", tags=[make.tag()]))
    with queries:
        client.get(page(hero))
    assert queries.count == few


def test_searching_offers_items_with_the_reason_one_is_too_heavy(client, hero, make, htmx):
    make.item(name="Iron Short Sword", slot="ONE_HAND", weight=1.2)
    make.item(name="Sword of Ages", slot="TWO_HANDS", weight=150.0, required_level=9)
    response = client.get(page(hero, "inventory?search=sword"), headers=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Iron Short Sword" in body
    assert "Too heavy: Brannoc would carry 150 kg; the limit is 100 kg" in body
    assert "To equip it: Needs level 9; Brannoc is level 1" in body


def test_adding_returns_the_inventory_and_tells_the_stats_panel(client, hero, make, htmx):
    rope = make.item(name="Rope", weight=2.0)
    response = client.post(page(hero), data={"item_id": str(rope.id), "quantity": "3"}, headers=htmx)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert 'id="inventory"' in body and "<html" not in body and "6 kg</strong> of" in body
    assert events(response) == {"toast": {"message": "Added 3 × Rope.", "level": "success"}, "stats-changed": None}


def test_a_refused_addition_is_an_error_toast_with_the_reason(client, hero, make, htmx):
    anvil = make.item(name="Anvil", weight=120.0)
    response = client.post(page(hero), data={"item_id": str(anvil.id), "quantity": "1"}, headers=htmx)
    assert response.status_code == 422
    assert "Too heavy" in response.get_data(as_text=True)
    assert response.headers["HX-Retarget"] == "#toasts"


def test_without_htmx_changes_redirect_back_with_a_message(client, hero, make):
    rope = make.item(name="Rope")
    response = client.post(page(hero), data={"item_id": str(rope.id), "quantity": "1"})
    assert response.status_code == 303 and response.headers["Location"].endswith(page(hero))
    hidden = make.item(name="Secret", owner_id=make.user().id, visibility=Visibility.PRIVATE)
    refused = client.post(page(hero), data={"item_id": str(hidden.id), "quantity": "1"}, follow_redirects=True)
    assert "There is no such item" in refused.get_data(as_text=True)


def test_the_preview_shows_before_after_and_what_is_displaced(client, hero, arms, htmx):
    _sword, _shield, greatsword = arms
    response = client.get(page(hero, f"equipment/preview?item_id={greatsword.id}"), headers=htmx)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in body
    assert "Takes off <strong>Arming Sword</strong> and <strong>Kite Shield</strong>" in body
    assert '<td>5</td>\n            <td data-after="attack"><strong>12</strong>' in body
    assert '<td>13</td>\n            <td data-after="defense"><strong>10</strong>' in body
    assert "Stays the same" in body and "<li>Strength: 10</li>" in body
    assert "Not allowed" not in body


def test_the_preview_says_why_not_and_disables_equip(client, hero, make, htmx):
    crown = make.item(name="Crown", slot="HEAD", required_level=5)
    make.give(hero, crown)
    body = client.get(page(hero, f"equipment/preview?item_id={crown.id}"), headers=htmx).get_data(as_text=True)
    assert "Needs level 5; Brannoc is level 1" in body
    assert "disabled>Equip" in body and "Before → after" not in body


def test_equip_is_offered_only_where_the_item_may_go_into_one_more_slot(client, hero, arms, make, htmx):
    sword, shield, greatsword = arms
    ring = make.item(name="Copper Ring", slot="RING")
    make.give(hero, ring, quantity=2)
    make.equip(hero, ring, "ring_left")
    body = client.get(page(hero, "")).get_data(as_text=True)
    for worn in (sword, shield):  # one each, worn: taken off from the paper doll, not equipped again
        assert page(hero, f"equipment/preview?item_id={worn.id}") not in body
    for spare in (greatsword, ring):  # not worn, or a second ring for the other hand
        assert page(hero, f"equipment/preview?item_id={spare.id}") in body
    other_hand = client.get(page(hero, f"equipment/preview?item_id={ring.id}"), headers=htmx).get_data(as_text=True)
    assert re.search(r'<option selected value="ring_right">|<option value="ring_right" selected>', other_hand)
    asked = client.get(page(hero, f"equipment/preview?item_id={sword.id}&slot=main_hand"), headers=htmx)
    text = asked.get_data(as_text=True)
    assert "Arming Sword is already worn there." in text and re.search(r"<button type=\"submit\"\s+disabled", text)


def test_the_preview_without_javascript_is_a_whole_page(client, hero, arms):
    body = client.get(page(hero, f"equipment/preview?item_id={arms[2].id}")).get_data(as_text=True)
    assert "<html" in body and "Before → after" in body


def test_equipping_and_unequipping(client, hero, arms, htmx):
    _sword, _shield, greatsword = arms
    response = client.post(
        page(hero, "equipment"), data={"slot": "main_hand", "item_id": str(greatsword.id)}, headers=htmx
    )
    assert response.status_code == 200
    assert set(events(response)) == {"toast", "stats-changed", "equip-done"}
    body = response.get_data(as_text=True)
    assert 'data-slot="off_hand">\n            <span class="slot-label">Off hand</span>' in body
    stats = client.get(page(hero, "inventory/stats"), headers=htmx).get_data(as_text=True)
    assert 'data-stat="attack">12<' in stats
    unequipped = client.post(page(hero, "equipment"), data={"slot": "main_hand", "item_id": ""}, headers=htmx)
    assert events(unequipped)["toast"]["message"] == "Main hand emptied."
    stats = client.get(page(hero, "inventory/stats"), headers=htmx).get_data(as_text=True)
    assert 'data-stat="attack">0<' in stats


def test_quantity_use_and_drop(client, hero, make, htmx):
    potion = make.item(name="Healing Potion", is_consumable=True, weight=0.5)
    make.give(hero, potion, 2)
    changed = client.post(page(hero, f"inventory/{potion.id}/quantity"), data={"quantity": "4"}, headers=htmx)
    assert events(changed)["toast"]["message"] == "Healing Potion: 4 now."
    used = client.post(page(hero, f"inventory/{potion.id}/use"), headers=htmx)
    assert events(used)["toast"]["message"] == "Used one."
    assert 'value="3"' in used.get_data(as_text=True)
    dropped = client.post(page(hero, f"inventory/{potion.id}/drop"), headers=htmx)
    assert "The pack is empty." in dropped.get_data(as_text=True)
    bad = client.post(page(hero, f"inventory/{potion.id}/quantity"), data={"quantity": "0"}, headers=htmx)
    assert bad.status_code in (404, 422)


def test_others_may_look_at_a_public_inventory_but_not_change_it(client, auth, make, htmx):
    theirs = make.character(name="Theirs")
    private = make.character(name="Hidden", visibility=Visibility.PRIVATE)
    rope = make.item(name="Rope")
    make.give(theirs, rope)
    auth.login(make.user())
    body = client.get(page(theirs)).get_data(as_text=True)
    assert "Rope" in body and "Drop" not in body and "Add items" not in body
    assert client.get(page(private)).status_code == 404
    assert client.post(page(theirs), data={"item_id": str(rope.id), "quantity": "1"}).status_code == 403
    assert client.post(page(theirs, "equipment"), data={"slot": "head", "item_id": ""}).status_code == 403


def test_a_changed_quantity_answers_its_row_and_the_load_and_stats_a_fresh_read_shows(client, hero, arms, make, htmx):
    """The write answers from the sheet it computed in memory: its row, and the load card and stats panel out of
    band; the page read afresh must say the same."""
    rope = make.item(name="Rope", weight=2.0)
    make.give(hero, rope, 1)
    for quantity in ("7", "2", "1"):
        changed = client.post(page(hero, f"inventory/{rope.id}/quantity"), data={"quantity": quantity}, headers=htmx)
        assert changed.status_code == 200 and "stats-changed" not in events(changed)
        answered = changed.get_data(as_text=True)
        assert answered.lstrip().startswith(f'<tr data-item="{rope.id}"') and answered.count("<tr") == 1
        assert f'value="{quantity}"' in answered
        assert '<section id="load-card"' in answered and '<section id="stats-panel"' in answered
        assert answered.count('hx-swap-oob="true"') == 2
        fresh = client.get(page(hero)).get_data(as_text=True)
        for start, end in (('id="load-text"', "</p>"), ('id="stats-panel"', "</section>")):
            assert _between(answered, start, end) == _between(fresh, start, end)


def _between(body: str, start: str, end: str) -> str:
    """The markup from `start` to `end`, whitespace folded."""
    first = body.index(start)
    return " ".join(body[first : body.index(end, first)].split()).replace(' hx-swap-oob="true"', "")


def test_each_row_has_one_form_that_steppers_use_and_drop_share(client, hero, make):
    potion = make.item(name="Healing Potion", is_consumable=True, weight=0.5)
    make.give(hero, potion, 3)
    body = client.get(page(hero)).get_data(as_text=True)
    row = body[body.index(f'<tr data-item="{potion.id}">') :]
    row = row[: row.index("</tr>")]
    assert row.count("<form") == 1 and f'id="row-{potion.id}"' in row
    assert row.count('name="csrf_token"') == 1
    assert 'data-step="-1"' in row and 'data-step="1"' in row and 'min="1"' in row
    for action in ("use", "drop"):
        assert f'form="row-{potion.id}" formaction="/characters/{hero.id}/inventory/{potion.id}/{action}"' in row
    plain = client.post(page(hero, f"inventory/{potion.id}/use"), data={"quantity": "3"})
    assert plain.status_code == 303 and plain.headers["Location"].endswith(f"/characters/{hero.id}/inventory")


def test_a_refused_quantity_is_shown_beside_its_row_with_the_value_typed(client, hero, make, htmx):
    rope = make.item(name="Rope", weight=1.0)
    anvil = make.item(name="Anvil", weight=40.0)
    make.give(hero, rope, 2)
    make.give(hero, anvil, 1)
    zero = client.post(page(hero, f"inventory/{rope.id}/quantity"), data={"quantity": "0"}, headers=htmx)
    assert zero.status_code == 422 and "HX-Retarget" not in zero.headers
    row = zero.get_data(as_text=True)
    assert row.lstrip().startswith(f'<tr data-item="{rope.id}" class="has-error">') and row.count("<tr") == 1
    assert 'value="0"' in row and 'aria-invalid="true"' in row and "hx-swap-oob" not in row
    assert f'<p class="field-error" id="error-{rope.id}" role="alert">' in row and "9999" in row

    heavy = client.post(page(hero, f"inventory/{anvil.id}/quantity"), data={"quantity": "9"}, headers=htmx)
    text = heavy.get_data(as_text=True)
    assert heavy.status_code == 422 and text.count("Too heavy") == 1 and f'id="error-{anvil.id}"' in text
    assert str(rope.id) not in text


def test_an_error_toast_says_each_reason_once(client, hero, make, htmx):
    anvil = make.item(name="Anvil", weight=120.0)
    response = client.post(page(hero), data={"item_id": str(anvil.id), "quantity": "1"}, headers=htmx)
    assert response.status_code == 422 and response.get_data(as_text=True).count("Too heavy") == 1


def test_a_refused_use_answers_the_whole_pack_with_the_reason_beside_its_line(client, hero, make, htmx):
    rope = make.item(name="Rope", weight=1.0)
    potion = make.item(name="Healing Draught", weight=0.5, is_consumable=True)
    make.give(hero, rope, 2)
    make.give(hero, potion, 1)
    refused = client.post(page(hero, f"inventory/{rope.id}/use"), headers=htmx)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 422 and 'id="inventory"' in body and "<html" not in body
    assert f'<tr data-item="{rope.id}" class="has-error">' in body and f'<tr data-item="{potion.id}">' in body
    reason = "Rope isn&#39;t something that gets used up."
    assert f'<p class="field-error" id="error-{rope.id}" role="alert">{reason}</p>' in body
    assert body.count('class="field-error"') == 1


def test_a_line_dropped_in_another_tab_answers_the_pack_as_it_is_now(client, hero, make, htmx):
    rope, lamp = make.item(name="Rope"), make.item(name="Lamp")
    make.give(hero, rope, 1)
    make.give(hero, lamp, 1)
    client.post(page(hero, f"inventory/{rope.id}/drop"), headers=htmx)  # the other tab
    for action, data in (("quantity", {"quantity": "2"}), ("use", {}), ("drop", {})):
        stale = client.post(page(hero, f"inventory/{rope.id}/{action}"), data=data, headers=htmx)
        assert stale.status_code == 200, action
        assert (stale.headers["HX-Retarget"], stale.headers["HX-Reswap"]) == ("#inventory", "outerHTML")
        assert events(stale)["toast"] == {"message": "Brannoc doesn't carry that item.", "level": "error"}
        body = stale.get_data(as_text=True)
        assert "Lamp" in body and "Rope" not in body, action
    assert client.post(page(hero, f"inventory/{rope.id}/use")).status_code == 404  # a browser without htmx
