"""At the table in a real browser: the owner takes damage, becomes poisoned, rolls an attack, mistypes dice and is
told where, then takes a long rest, all on the sheet without a reload."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.htmx import next_settle
from tests.factories import PASSWORD
from webapp import rules

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


@pytest.mark.e2e
def test_a_wound_a_poison_an_attack_a_typo_and_a_long_rest(page: Page, live_server, make):
    player = make.user(email="mira@example.com", display_name="Mira's player")
    sturdy = make.archetype(health_per_level=12, mana_per_level=10, stamina_per_level=8)
    hero = make.character(owner=player, name="Mira", archetype=sturdy, experience=rules.xp_for_level(3), level=3)
    page.goto("/login")
    page.get_by_label("Email").fill(player.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Mira's player"))).to_be_visible()

    page.goto(f"/characters/{hero.id}")
    page.evaluate("window.sameDocument = true")  # gone if anything reloads the page
    play = page.locator("#play")
    health = play.locator("[data-pool=health]")
    expect(health).to_have_text("36 / 36")
    expect(play.get_by_label("Health")).to_have_attribute("value", "36")

    play.get_by_label("Amount").fill("12")
    with next_settle(page):
        play.get_by_role("button", name="Damage").click()
    expect(health).to_have_text("24 / 36")
    expect(play.get_by_label("Health")).to_have_attribute("value", "24")
    expect(page.get_by_role("status").filter(has_text="Mira took 12 damage: 24 / 36 health.")).to_be_visible()
    expect(play.get_by_role("button", name="Damage")).to_be_focused()  # where the person left off

    poisoned = play.get_by_role("button", name="Poisoned")
    expect(poisoned).to_have_attribute("aria-pressed", "false")
    with next_settle(page):
        poisoned.click()
    expect(play.get_by_role("button", name="Poisoned")).to_have_attribute("aria-pressed", "true")
    chip = play.locator(".condition-chips li").filter(has_text="Poisoned")
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("−2 on attack rolls and checks.")

    dice = page.locator("#dice")
    with next_settle(page):
        dice.get_by_role("button", name="Attack").click()
    result = dice.locator(".roll-result")
    expect(result.get_by_role("heading", name="Attack")).to_be_visible()
    total = result.locator("[data-roll-total]")
    expect(total).to_have_text(re.compile(r"^-?\d+$"))
    expect(result.locator(".die")).to_have_count(1)
    expect(result.get_by_text("Proficiency")).to_be_visible()
    expect(result.get_by_text("Poisoned")).to_be_visible()  # the condition's −2, with its source
    expect(result.get_by_text("Damage")).to_be_visible()
    told = page.get_by_role("status").filter(has_text=re.compile(r"^Attack: -?\d+"))
    expect(told).to_contain_text(f"Attack: {total.inner_text()}")
    expect(dice.locator(".roll-history .roll-entry")).to_have_count(1)

    expression = dice.get_by_label("Dice", exact=True)
    expression.fill("2d6+x")
    with next_settle(page):
        dice.get_by_role("button", name="Roll", exact=True).click()
    error = page.locator("#roll-expression-error")
    expect(error).to_have_text("Column 5: expected a number or dice like 2d6 after “+”, found “x”.")
    expect(dice.get_by_label("Dice", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(dice.get_by_label("Dice", exact=True)).to_be_focused()
    expect(dice.get_by_label("Dice", exact=True)).to_have_value("2d6+x")

    page.once("dialog", lambda dialog: dialog.accept())
    with next_settle(page):
        play.get_by_role("button", name="Long rest").click()
    expect(health).to_have_text("36 / 36")
    expect(play.locator("[data-pool=mana]")).to_have_text("30 / 30")
    expect(play.locator("[data-pool=stamina]")).to_have_text("24 / 24")
    expect(play.get_by_text("No conditions.")).to_be_visible()
    expect(play.get_by_role("button", name="Poisoned")).to_have_attribute("aria-pressed", "false")
    expect(page.get_by_role("status").filter(has_text="Mira took a long rest: everything is restored.")).to_be_visible()
    assert page.evaluate("window.sameDocument") is True
