"""The GM at the table: opened from the dashboard, a member damaged and poisoned, the party and the log saying so."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD
from webapp.extensions import db
from webapp.services import table

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


def sign_in(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile(re.escape(user.display_name)))).to_be_visible()


@pytest.mark.e2e
def test_gm_damages_a_member_and_poisons_them_at_the_table(page: Page, live_server, make):
    gm = make.user(email="greta@example.com", display_name="Greta the GM")
    campaign = make.campaign(owner=gm, name="The Sunken Keep")
    mira = make.character(name="Mira")
    make.membership(campaign, mira)
    make.membership(campaign, make.character(name="Tobin"))
    health = table.table_state(gm, mira.id).pools["health"]

    sign_in(page, gm)
    page.goto(f"/campaigns/{campaign.id}")
    page.get_by_role("link", name="Open the table").click()
    expect(page.get_by_role("heading", name="At the table", level=1)).to_be_visible()
    expect(page.get_by_text("Nothing has happened yet.")).to_be_visible()

    card = page.locator(".table-card").filter(has=page.get_by_role("heading", name="Mira"))
    expect(card.locator(".pool-health")).to_contain_text(f"{health.max} / {health.max}")
    card.get_by_text("Act on Mira").click()
    card.get_by_label("Amount").fill("3")
    card.get_by_label("Note (optional)").fill("a goblin's arrow")
    card.get_by_role("button", name="Damage").click()

    expect(page.get_by_role("status").filter(has_text=f"Mira: {health.max - 3} / {health.max} health.")).to_be_visible()
    expect(card.locator(".pool-health")).to_contain_text(f"{health.max - 3} / {health.max}")
    expect(card.get_by_role("meter", name=re.compile("Health"))).to_have_attribute("value", str(health.max - 3))
    log = page.locator("#table-log")
    expect(log.locator(".event").first).to_contain_text(
        f"Mira took 3 damage ({health.max - 3}/{health.max}). a goblin's arrow"
    )
    expect(log.get_by_text("Nothing has happened yet.")).to_have_count(0)

    poisoned = card.get_by_role("button", name="Poisoned")
    expect(poisoned).to_have_attribute("aria-pressed", "false")
    poisoned.click()
    expect(card.get_by_role("list", name="Conditions").get_by_role("listitem")).to_have_text(["Poisoned"])
    expect(card.get_by_role("button", name="Poisoned")).to_have_attribute("aria-pressed", "true")
    expect(log.locator(".event").first).to_contain_text("Mira is now poisoned.")
    # The entry came by the stream and by the log's refresh after the GM's action: it shows once.
    expect(log.locator(".event", has_text="Mira took 3 damage")).to_have_count(1)
    db.session.expire_all()  # the browser's requests wrote it through the server's sessions
    assert table.table_state(gm, mira.id).conditions == ("poisoned",)
