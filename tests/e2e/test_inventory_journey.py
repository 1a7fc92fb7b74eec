"""A player manages the pack in a real browser: search, add, preview and equip (a two-handed sword too), steppers, use,
drop, and refusals beside their row."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.htmx import next_settle
from tests.factories import PASSWORD

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


def sign_in(page: Page, player) -> None:
    """Through the login form, as a person does; done when the header names them."""
    page.goto("/login")
    page.get_by_label("Email").fill(player.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile(re.escape(player.display_name)))).to_be_visible()


def off_hand_preview_held(page: Page, dialog) -> list:
    """Changes the dialog's slot to the off hand and holds the preview it asks for: once this returns, the browser
    has sent it and its one route waits in the list until the test lets it go on."""
    held = []
    page.route(re.compile(r".*/equipment/preview\?.*slot=off_hand.*"), lambda route: held.append(route))
    dialog.get_by_label("Slot").select_option("off_hand")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert len(held) == 1
    return held


@pytest.mark.e2e
def test_search_add_preview_equip_and_unequip_a_sword(page: Page, live_server, make):
    player = make.user(email="brannoc@example.com", display_name="Brannoc's player")
    hero = make.character(owner=player, name="Brannoc")
    make.item(name="Iron Short Sword", slot="ONE_HAND", damage=4, weight=12.0)
    make.item(name="Rope", weight=1.0)

    sign_in(page, player)

    page.goto(f"/characters/{hero.id}/inventory")
    meter = page.locator("#load-meter")
    attack = page.locator('#stats-panel [data-stat="attack"]')
    expect(meter).to_have_attribute("value", "0.0")
    expect(attack).to_have_text("0")

    page.get_by_label("Search the compendium").fill("sword")
    add = page.get_by_role("button", name="Add Iron Short Sword")
    expect(add).to_be_visible()
    expect(page.locator("#add-results")).not_to_contain_text("Rope")
    add.click()
    expect(page.get_by_role("status").filter(has_text="Added 1 × Iron Short Sword")).to_be_visible()
    expect(meter).to_have_attribute("value", "12.0")
    expect(page.locator("#load-text")).to_contain_text("12 kg of 50 kg capacity")

    with next_settle(page):
        page.get_by_role("link", name="Equip Iron Short Sword").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Equip Iron Short Sword?")).to_be_visible()
    expect(dialog.locator('[data-after="attack"]')).to_have_text("4")
    slot = dialog.get_by_label("Slot")
    expect(slot).to_have_value("main_hand")
    # Open and settled, the dialog has focus on its heading; only then does a person move to the slot.
    expect(dialog.get_by_role("heading", name="Equip Iron Short Sword?")).to_be_focused()
    slot.focus()
    with next_settle(page):  # the preview is asked again: the dialog stays whole, the slot keeps focus
        slot.select_option("off_hand")
    expect(dialog.get_by_role("heading", name="Equip Iron Short Sword?")).to_be_visible()
    expect(slot).to_have_value("off_hand")
    expect(slot).to_be_focused()
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with next_settle(page):
        page.get_by_role("link", name="Equip Iron Short Sword").click()  # opens again after a changed slot
    expect(dialog.get_by_role("heading", name="Equip Iron Short Sword?")).to_be_visible()
    expect(dialog.get_by_label("Slot")).to_have_value("main_hand")
    dialog.get_by_role("button", name="Equip Iron Short Sword").click()

    expect(dialog).to_be_hidden()
    expect(attack).to_have_text("4")
    expect(page.locator('[data-slot="main_hand"]')).to_contain_text("Iron Short Sword")

    page.get_by_role("button", name="Unequip Iron Short Sword from main hand").click()
    expect(attack).to_have_text("0")
    expect(page.locator('[data-slot="main_hand"]')).to_contain_text("Empty")
    expect(meter).to_have_attribute("value", "12.0")  # unequipped, still carried


@pytest.mark.e2e
def test_steppers_use_and_drop_change_the_pack_in_place(page: Page, live_server, make):
    player = make.user(email="ysolde@example.com", display_name="Ysolde's player")
    hero = make.character(owner=player, name="Ysolde")
    potion = make.item(name="Healing Potion", is_consumable=True, weight=0.5)
    rope = make.item(name="Rope", weight=1.0)
    make.give(hero, potion, 2)
    make.give(hero, rope, 1)

    sign_in(page, player)
    page.goto(f"/characters/{hero.id}/inventory")
    quantity = page.get_by_label("Quantity of Rope")
    fewer = page.get_by_role("button", name="− one Rope")
    expect(quantity).to_have_value("1")
    expect(fewer).to_be_disabled()

    more = page.get_by_role("button", name="+ one Rope")
    more.focus()
    with next_settle(page):
        page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Rope: 2 now.")).to_be_visible()
    expect(quantity).to_have_value("2")
    expect(more).to_be_focused()  # the row was swapped; focus came back to the button pressed
    expect(page.locator("#load-text")).to_contain_text("3 kg of")
    expect(fewer).to_be_enabled()
    fewer.click()
    expect(page.get_by_role("status").filter(has_text="Rope: 1 now.")).to_be_visible()
    expect(quantity).to_have_value("1")

    quantity.fill("9999")
    page.get_by_role("button", name="Set quantity of Rope").click()
    refusal = page.locator(f'tr[data-item="{rope.id}"] .field-error')
    expect(refusal).to_contain_text("Too heavy")
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_value("9999")
    quantity.fill("1")
    page.get_by_role("button", name="Set quantity of Rope").click()
    expect(refusal).to_have_count(0)
    expect(quantity).not_to_have_attribute("aria-invalid", "true")

    page.get_by_role("button", name="Use Healing Potion").click()
    expect(page.get_by_role("status").filter(has_text="Used one.")).to_be_visible()
    expect(page.get_by_label("Quantity of Healing Potion")).to_have_value("1")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Drop Rope").click()
    expect(page.get_by_role("status").filter(has_text="Dropped.")).to_be_visible()
    expect(page.locator("#inventory")).not_to_contain_text("Rope")
    expect(page.get_by_label("Quantity of Healing Potion")).to_have_value("1")


@pytest.mark.e2e
def test_a_two_handed_sword_over_sword_and_shield_previews_and_empties_the_off_hand(page: Page, live_server, make):
    player = make.user(email="gorm@example.com", display_name="Gorm's player")
    hero = make.character(owner=player, name="Gorm", strength=15)
    sword = make.item(name="Arming Sword", slot="ONE_HAND", damage=5, weight=1.4)
    shield = make.item(name="Kite Shield", slot="ONE_HAND", defense=3, weight=5.0)
    greatsword = make.item(name="Greatsword", slot="TWO_HANDS", damage=12, weight=3.2)
    for item in (sword, shield, greatsword):
        make.give(hero, item)
    make.equip(hero, sword, "main_hand")
    make.equip(hero, shield, "off_hand")

    sign_in(page, player)
    page.goto(f"/characters/{hero.id}/inventory")

    page.get_by_role("link", name="Equip Greatsword").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Equip Greatsword?")).to_be_visible()
    expect(dialog).to_contain_text("Arming Sword")
    expect(dialog).to_contain_text("Kite Shield")
    expect(dialog.locator('[data-after="attack"]')).to_have_text("14")  # 12 and the strength modifier
    dialog.get_by_role("button", name="Equip Greatsword").click()

    expect(dialog).to_be_hidden()
    expect(page.locator('[data-slot="main_hand"]')).to_contain_text("Greatsword")
    expect(page.locator('[data-slot="off_hand"]')).not_to_contain_text("Kite Shield")
    expect(page.locator('#stats-panel [data-stat="attack"]')).to_have_text("14")
    expect(page.locator('#stats-panel [data-stat="defense"]')).to_have_text("10")
    expect(page.get_by_label("Quantity of Kite Shield")).to_have_value("1")  # unequipped, still carried


@pytest.mark.e2e
def test_cancel_while_a_new_slot_is_previewed_keeps_the_dialog_closed(page: Page, live_server, make):
    """The slot select asks for a new preview; Cancel before it comes back, and its late answer leaves the dialog
    closed (it reopened over the pack under a loaded machine)."""
    player = make.user(email="ysolde@example.com", display_name="Ysolde's player")
    hero = make.character(owner=player, name="Ysolde")
    make.give(hero, make.item(name="Hand Axe", slot="ONE_HAND", damage=3, weight=1.0))
    sign_in(page, player)
    page.goto(f"/characters/{hero.id}/inventory")
    page.get_by_role("link", name="Equip Hand Axe").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Slot")).to_have_value("main_hand")

    held = off_hand_preview_held(page, dialog)
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    page.locator("#equip-preview select").evaluate("select => { select.dataset.stale = '1'; }")
    held[0].continue_()
    expect(page.locator("#equip-preview select:not([data-stale])")).to_have_value("off_hand")  # the answer landed
    expect(dialog).to_be_hidden()  # in the task that swapped it in, where the dialog would have opened


@pytest.mark.e2e
def test_a_late_preview_never_replaces_the_one_asked_for_after_it(page: Page, live_server, make):
    """Slot changed, Cancel, Equip again while the changed slot's preview is still on its way: the dialog shows the
    preview asked for last, whatever order the answers come in."""
    player = make.user(email="ysolde@example.com", display_name="Ysolde's player")
    hero = make.character(owner=player, name="Ysolde")
    make.give(hero, make.item(name="Hand Axe", slot="ONE_HAND", damage=3, weight=1.0))
    sign_in(page, player)
    page.goto(f"/characters/{hero.id}/inventory")
    with next_settle(page):
        page.get_by_role("link", name="Equip Hand Axe").click()
    dialog = page.get_by_role("dialog")

    page.evaluate("() => { window.dropped = 0; document.addEventListener('htmx:sendAbort', () => dropped++); }")
    held = off_hand_preview_held(page, dialog)
    dialog.get_by_role("link", name="Cancel").click()
    expect(dialog).to_be_hidden()
    with next_settle(page):
        page.get_by_role("link", name="Equip Hand Axe").click()
    expect(dialog.get_by_label("Slot")).to_have_value("main_hand")
    assert page.evaluate("window.dropped") == 1  # the older request was called off when the newer one went out
    held[0].continue_()
    expect(dialog.get_by_label("Slot")).to_have_value("main_hand")
    expect(dialog).to_be_visible()


@pytest.mark.e2e
def test_signed_out_elsewhere_a_stepper_goes_to_the_sign_in_page_and_back(page: Page, live_server, make):
    player = make.user(email="tamsin@example.com", display_name="Tamsin's player")
    hero = make.character(owner=player, name="Tamsin")
    make.give(hero, make.item(name="Rope", weight=1.0), 1)
    sign_in(page, player)
    page.goto(f"/characters/{hero.id}/inventory")

    elsewhere = page.context.browser.new_context(base_url=live_server)
    try:
        other = elsewhere.new_page()
        sign_in(other, player)
        other.goto("/account")
        other.once("dialog", lambda dialog: dialog.accept())
        other.get_by_role("button", name="Sign out everywhere").click()
        expect(other.get_by_role("status").filter(has_text="signed out")).to_be_visible()
    finally:
        elsewhere.close()

    page.get_by_role("button", name="+ one Rope").click()
    expect(page).to_have_url(re.compile(r"/login\?next="))  # the whole page, not a sign-in form inside the row
    expect(page.get_by_text("Please sign in to continue.")).to_be_visible()
    page.get_by_label("Email").fill(player.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(rf"/characters/{hero.id}/inventory$"))
    expect(page.get_by_label("Quantity of Rope")).to_have_value("1")  # nothing changed while signed out
