"""A new player builds a first character in a real browser, by keyboard and mouse, reloading half-way."""

import re

import pytest
from playwright.sync_api import Page, expect

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
    sign_in(page, player.email)

    page.get_by_role("link", name="My characters").click()
    expect(page.get_by_text("No characters yet — build your first.")).to_be_visible()
    page.get_by_role("link", name="Build a character").first.click()

    # Identity, by keyboard: the step heading has focus; Tab to the name, type, Enter.
    expect(step_heading(page, "Identity")).to_be_visible()
    page.get_by_label("Name").focus()
    page.keyboard.type("Brannoc")
    page.get_by_label("Public — shown in the gallery").check()
    page.get_by_label("Name").press("Enter")
    expect(step_heading(page, "Race")).to_be_focused()
    expect(page).to_have_url(re.compile(r"/characters/new/race$"))

    # Race, by mouse.
    page.get_by_label("Dwarf").click()
    page.get_by_role("button", name="Next: Archetype").click()
    expect(step_heading(page, "Archetype")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/characters/new/archetype$"))

    # An archetype for other races is refused in place, with the reason.
    page.get_by_label("Gladewarden").check()
    page.get_by_role("button", name="Next: Attributes").click()
    expect(
        page.get_by_role("alert").filter(has_text="Gladewarden requires an Elf or Human; Brannoc is a Dwarf")
    ).to_be_visible()
    expect(page).to_have_url(re.compile(r"/characters/new/archetype$"))
    expect(page.get_by_label("Gladewarden")).to_be_focused()  # focus returns to the refused choice

    # The right one, by keyboard: focus the radio, Space to choose, Enter to go on.
    page.get_by_label("Sellsword").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    expect(step_heading(page, "Attributes")).to_be_focused()
    expect(page.get_by_text("27 of 27 points left")).to_be_visible()

    # Steppers by mouse: points left and the live preview follow at once.
    for _ in range(7):
        page.get_by_role("button", name="Raise Strength").click()
        page.wait_for_load_state("networkidle")
    expect(page.get_by_label("Strength")).to_have_value("15")
    expect(page.get_by_text("18 of 27 points left")).to_be_visible()
    expect(page.locator('[data-effective="strength"]')).to_have_text("16 (+3)")
    # A typed score, by keyboard: the preview follows when the field changes.
    page.get_by_label("Constitution").fill("14")
    page.keyboard.press("Tab")
    expect(page.get_by_text("11 of 27 points left")).to_be_visible()
    expect(page.locator('[data-preview="max_health"]')).to_have_text("16")  # (10 + 3) × 120 % = 15.6

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
        page.keyboard.press("Tab")
        page.wait_for_load_state("networkidle")
    expect(page.get_by_text("0 of 27 points left")).to_be_visible()
    page.get_by_role("button", name="Next: Skills & perks").click()

    # Skills by keyboard, perk by mouse.
    expect(step_heading(page, "Skills & perks")).to_be_focused()  # the swap has settled: keys go where aimed
    page.get_by_label("Haggling").focus()
    page.keyboard.press("Space")
    page.get_by_label("Thick Skull").click()
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
