"""A new player builds a first character in a real browser, by keyboard and mouse, reloading half-way."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.htmx import next_settle
from tests.factories import PASSWORD

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


def sign_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def step_heading(page: Page, title: str):
    return page.get_by_role("heading", level=1, name=re.compile(rf"Step \d of 6: {re.escape(title)}"))


@pytest.mark.e2e
def test_an_empty_account_builds_a_dwarf_sellsword_and_lands_on_the_sheet(page: Page, live_server, make):
    make.reference()
    player = make.user(display_name="Brannoc's player")
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    sign_in(page, player.email)

    page.get_by_role("link", name="My characters").click()
    expect(page.get_by_text("No characters yet — build your first.")).to_be_visible()
    page.get_by_role("link", name="Build a character").first.click()

    # Identity, by keyboard: the step heading has focus; Tab to the name, type, Enter.
    expect(step_heading(page, "Identity")).to_be_visible()
    page.get_by_label("Name").fill("   ")  # a refusal first: blanks are no name (an empty field the browser stops)
    with next_settle(page):  # settled: focus is on the refused field, where typing goes next
        page.get_by_role("button", name="Next: Race").click()
    expect(page.locator("#name-error")).to_be_visible()
    expect(page.get_by_label("Name")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Name").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Brannoc")
    page.get_by_label("Public — shown in the gallery").check()
    page.get_by_label("Name").press("Enter")
    expect(step_heading(page, "Race")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/characters/new/race$"))

    # Race, by mouse: nothing chosen asks in plain words; then a tap anywhere on the Dwarf card picks it.
    page.get_by_role("button", name="Next: Archetype").click()
    expect(page.get_by_role("alert").filter(has_text="Choose a race for Brannoc.")).to_be_visible()
    dwarf = page.locator(".choice-card").filter(has_text="Dwarf")
    expect(dwarf.locator(".traits")).to_contain_text("+2 CON")
    dwarf.click()  # the middle of the card, over its description
    expect(page.get_by_role("radio", name="Dwarf")).to_be_checked()
    expect(page.get_by_role("radio", name="Dwarf")).not_to_have_attribute("aria-invalid", "true")  # no red left
    page.get_by_role("button", name="Next: Archetype").click()
    expect(step_heading(page, "Archetype")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/characters/new/archetype$"))

    # An archetype for other races is offered disabled, saying why; nothing chosen is refused in place.
    expect(page.get_by_role("radio", name="Gladewarden")).to_be_disabled()
    expect(page.locator(".choice-card").filter(has_text="Gladewarden")).to_contain_text(
        "Not for Brannoc: Gladewarden requires an Elf or Human; Brannoc is a Dwarf."
    )
    with next_settle(page):  # settled: its focus on the refused choice came before the person moves on
        page.get_by_role("button", name="Next: Attributes").click()
    expect(page.get_by_role("alert").filter(has_text="Choose an archetype for Brannoc.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/characters/new/archetype$"))

    # The right one, by keyboard: focus the radio, Space to choose, Enter to go on.
    page.get_by_label("Sellsword").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(step_heading(page, "Attributes")).to_be_focused()
    expect(page.get_by_text("27 of 27 points left")).to_be_visible()

    # Steppers by mouse: points left and the live preview follow at once.
    for _ in range(7):
        with next_settle(page):
            page.get_by_role("button", name="Raise Strength").click()
    expect(page.get_by_label("Strength")).to_have_value("15")
    expect(page.get_by_text("18 of 27 points left")).to_be_visible()
    expect(page.locator('[data-effective="strength"]')).to_have_text("16 (+3)")
    # A typed score, by keyboard: the preview follows when the field changes.
    page.get_by_label("Constitution").fill("14")
    page.keyboard.press("Tab")
    expect(page.get_by_text("11 of 27 points left")).to_be_visible()
    expect(page.locator('[data-preview="max_health"]')).to_have_text("16")  # (10 + 3) × 120 % = 15.6

    # A score out of range is refused beside its field; fixed, the field loses its red border at once.
    page.get_by_label("Wisdom").fill("16")
    page.keyboard.press("Tab")
    expect(page.locator("#wisdom-error")).to_contain_text("Wisdom must be between 8 and 15")
    expect(page.get_by_label("Wisdom")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Wisdom").fill("8")
    expect(page.get_by_label("Wisdom")).not_to_have_attribute("aria-invalid", "true")
    with next_settle(page):  # the server's answer, not only the browser's own check, takes the message away
        page.keyboard.press("Tab")
    expect(page.locator("#wisdom-error")).to_have_text("")
    expect(page.get_by_text("11 of 27 points left")).to_be_visible()

    # Reload half-way: the draft lives on the server.
    page.reload()
    expect(step_heading(page, "Attributes")).to_be_visible()
    expect(page.get_by_label("Strength")).to_have_value("15")
    expect(page.get_by_label("Constitution")).to_have_value("14")
    expect(page.get_by_text("11 of 27 points left")).to_be_visible()

    # Back and forward give whole pages.
    page.go_back()
    expect(step_heading(page, "Archetype")).to_be_visible()
    expect(page.get_by_label("Sellsword")).to_be_checked()
    page.go_forward()
    expect(step_heading(page, "Attributes")).to_be_visible()

    for label, value in (("Dexterity", "13"), ("Wisdom", "12"), ("Charisma", "10")):
        page.get_by_label(label).fill(value)
        with next_settle(page):
            page.keyboard.press("Tab")
    expect(page.get_by_text("0 of 27 points left")).to_be_visible()
    # No point left: every "+" says it cannot, and pressing one spends nothing.
    raise_charisma = page.get_by_role("button", name="Raise Charisma")
    expect(raise_charisma).to_have_attribute("aria-disabled", "true")
    raise_charisma.focus()
    page.evaluate("() => { window.sentSteps = 0; document.addEventListener('htmx:beforeSend', () => sentSteps++); }")
    page.keyboard.press("Enter")  # pressed anyway, by keyboard: it keeps focus and sends nothing
    expect(raise_charisma).to_be_focused()
    expect(page.get_by_label("Charisma")).to_have_value("10")
    expect(page.get_by_text("0 of 27 points left")).to_be_visible()
    page.get_by_role("button", name="Lower Charisma").click()
    expect(page.get_by_text("1 of 27 points left")).to_be_visible()
    assert page.evaluate("window.sentSteps") == 1  # the lowering alone: the pressed "+" sent nothing before it
    expect(raise_charisma).not_to_have_attribute("aria-disabled", "true")
    raise_charisma.click()
    expect(page.get_by_text("0 of 27 points left")).to_be_visible()
    # On a phone the last row's stepper is far below the count, which stays in view under the preview bar.
    wide = page.viewport_size
    page.set_viewport_size({"width": 375, "height": 667})
    raise_charisma.scroll_into_view_if_needed()
    expect(page.locator("#points-left")).to_be_in_viewport()
    assert page.evaluate(
        "document.querySelector('#points-left').getBoundingClientRect().top"
        " >= document.querySelector('.builder-preview').getBoundingClientRect().bottom"
    ), "the count hides under the preview bar"
    page.set_viewport_size(wide)
    page.get_by_role("button", name="Next: Skills & perks").click()

    # Skills by keyboard, perk by mouse.
    expect(step_heading(page, "Skills & perks")).to_be_focused()  # the swap has settled: keys go where aimed
    page.get_by_label("Haggling").focus()
    page.keyboard.press("Space")
    expect(page.get_by_role("radio", name="No perk for now")).to_be_checked()  # one perk allowed: radios
    page.get_by_label("Light Sleeper").click()
    page.get_by_label("Thick Skull").click()  # a second pick replaces the first
    expect(page.get_by_role("radio", name="Light Sleeper")).not_to_be_checked()
    page.get_by_role("button", name="Next: Review").click()

    expect(step_heading(page, "Review")).to_be_visible()
    expect(page.get_by_text("STR 15, CON 14, DEX 13, INT 8, WIS 12, CHA 10")).to_be_visible()
    page.get_by_role("button", name="Create Brannoc").click()

    expect(page).to_have_url(re.compile(r"/characters/[0-9a-f-]{36}$"))
    expect(page.get_by_role("heading", level=1, name="Brannoc")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Brannoc is ready")).to_be_visible()
    # Dwarf CON 14 + 2 = 16 (+3); Sellsword 10 per level; 120 %: round(15.6) = 16.
    expect(page.locator('[data-stat="max_health"]')).to_have_text("16")
    expect(page.get_by_role("button", name="Forget Haggling")).to_be_visible()

    page.get_by_role("link", name="My characters").click()
    expect(page.get_by_role("link", name="Brannoc", exact=True)).to_be_visible()
    expect(page.get_by_text("Health 16 / 16")).to_be_visible()
    # No script error on any press (hx-disabled-elt finds what it names); the refusals' 422s are expected.
    assert [error for error in errors if not error.startswith("Failed to load resource")] == []
