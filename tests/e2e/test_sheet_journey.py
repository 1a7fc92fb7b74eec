"""The sheet in a real browser: a refused change is explained beside its field, and the sheet keeps working."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


@pytest.mark.e2e
def test_zero_experience_is_explained_beside_the_field_and_fifty_then_counts_without_a_reload(
    page: Page, live_server, make
):
    player = make.user(email="brannoc@example.com", display_name="Brannoc's player")
    hero = make.character(owner=player, name="Brannoc")
    page.goto("/login")
    page.get_by_label("Email").fill(player.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Brannoc's player"))).to_be_visible()

    page.goto(f"/characters/{hero.id}")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    amount = page.get_by_label("Experience to add")
    amount.fill("0")
    page.get_by_role("button", name="Add experience").click()

    expect(page.locator("#amount-error")).to_have_text("Add between 1 and 1,000,000 experience points")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(amount).to_be_focused()
    expect(page.get_by_role("heading", name="Brannoc", level=1)).to_be_visible()  # the rest of the sheet stays
    expect(page.get_by_role("heading", name="Attributes")).to_be_visible()

    amount.fill("50")
    page.get_by_role("button", name="Add experience").click()
    expect(page.get_by_role("status").filter(has_text="Brannoc gained 50 experience.")).to_be_visible()
    expect(page.get_by_text("Experience: 50 — 50 to level 2")).to_be_visible()
    expect(page.locator("#amount-error")).to_have_count(0)

    page.get_by_role("link", name="Edit identity").click()
    page.get_by_label("Name", exact=True).fill("Brannoc Stonehelm")
    page.locator("#identity").get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("heading", name="Brannoc Stonehelm", level=1)).to_be_visible()
    expect(page).to_have_title("Brannoc Stonehelm · Tavern")  # the tab follows the new name
    assert page.evaluate("window.sameDocument") is True


@pytest.mark.e2e
def test_the_printed_sheet_shows_every_breakdown_open_on_one_or_two_pages(page: Page, live_server, make):
    ref = make.reference()
    player = make.user(email="brannoc@example.com", display_name="Brannoc's player")
    hero = make.character(
        owner=player, name="Brannoc", race=ref["race"]["Dwarf"], archetype=ref["archetype"]["Sellsword"]
    )
    for item in list(ref["item"].values())[:8]:
        make.give(hero, item)
    page.goto("/login")
    page.get_by_label("Email").fill(player.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Brannoc's player"))).to_be_visible()

    page.goto(f"/characters/{hero.id}")
    breakdowns = page.locator(".breakdown ul")
    expect(breakdowns.first).to_be_hidden()  # on screen, one click away
    page.emulate_media(media="print")
    count = breakdowns.count()
    assert count >= 12  # six attributes, five stats, the load
    for index in range(count):
        expect(breakdowns.nth(index)).to_be_visible()
    expect(page.get_by_role("button", name="Print the sheet")).to_be_hidden()
    expect(page.locator(".site-header")).to_be_hidden()

    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 2, f"the sheet prints on {pages} pages"
