"""A GM and a player in two browsers: create a campaign, share the link, join, approve, award XP, see the level."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD
from webapp.models import Visibility

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]


def sign_in(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile(re.escape(user.display_name)))).to_be_visible()


@pytest.mark.e2e
def test_gm_invites_player_joins_gm_approves_and_awards_xp_and_the_sheet_shows_the_level(
    browser: Browser, live_server, make
):
    gm = make.user(email="greta@example.com", display_name="Greta the GM")
    player = make.user(email="brannoc@example.com", display_name="Brannoc's player")
    hero = make.character(owner=player, name="Brannoc")

    gm_context = browser.new_context(base_url=live_server, locale="en-GB")
    gm_context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    player_context = browser.new_context(base_url=live_server, locale="en-GB")
    gm_page, player_page = gm_context.new_page(), player_context.new_page()
    try:
        sign_in(gm_page, gm)
        gm_page.get_by_role("link", name="Campaigns").click()
        gm_page.get_by_role("link", name="New campaign").first.click()
        gm_page.get_by_label("Name", exact=True).fill("The Sunken Keep")
        gm_page.get_by_label("Level cap").fill("10")
        gm_page.get_by_role("button", name="Create campaign").click()
        expect(gm_page.get_by_role("heading", name="The Sunken Keep", level=1)).to_be_visible()

        gm_page.get_by_role("button", name="Copy link").click()
        expect(gm_page.get_by_role("status").filter(has_text="Invite link copied")).to_be_visible()
        link = gm_page.evaluate("navigator.clipboard.readText()")
        assert link == gm_page.get_by_label("Invite link").input_value()
        assert re.fullmatch(re.escape(live_server) + r"/join/[\w-]{12}", link)

        sign_in(player_page, player)
        player_page.goto(link)
        expect(player_page.get_by_role("heading", name="Join “The Sunken Keep”")).to_be_visible()
        player_page.get_by_label("Brannoc").check()
        player_page.get_by_role("button", name="Ask to join").click()
        expect(player_page.get_by_text("waiting for the game master's approval")).to_be_visible()

        # The GM's roster refreshes by itself (every 10 s): the request shows up without a reload.
        approve = gm_page.get_by_role("button", name="Approve Brannoc")
        expect(approve).to_be_visible(timeout=30_000)  # a poll just missed, then the next one on a loaded machine
        approve.click()
        expect(gm_page.get_by_role("status").filter(has_text="Brannoc joined the party")).to_be_visible()
        roster = gm_page.locator("#roster")
        expect(roster.get_by_role("heading", name="Brannoc")).to_be_visible()
        expect(roster.locator(".roster-level")).to_have_text("Level 1")

        award = gm_page.locator("#award")
        # The party changed: "Who gets it" offers the new member without a reload.
        expect(award.get_by_label("Who gets it").locator("option", has_text="Brannoc")).to_have_count(1)
        award.get_by_label("Who gets it").select_option(label="The whole party")
        award.get_by_label("Experience").fill("1000")
        award.get_by_label("What for").fill("for the flooded cellar")
        award.get_by_role("button", name="Award").click()
        expect(gm_page.get_by_role("status").filter(has_text="Awarded to Brannoc")).to_be_visible()
        expect(roster.locator(".roster-level")).to_have_text("Level 5")
        expect(gm_page.locator("#campaign-log")).to_contain_text("Brannoc earned 1000 XP for the flooded cellar")

        player_page.goto(f"/characters/{hero.id}")
        expect(player_page.get_by_role("heading", name="Brannoc", level=1)).to_be_visible()
        expect(player_page.locator(".sheet-subtitle")).to_contain_text("Level 5")
        expect(player_page.get_by_role("link", name="The Sunken Keep")).to_be_visible()
    finally:
        gm_context.close()
        player_context.close()


@pytest.mark.e2e
def test_gm_awards_an_item_to_the_whole_party_and_a_player_finds_it_in_the_pack(browser: Browser, live_server, make):
    gm = make.user(email="greta@example.com", display_name="Greta the GM")
    dwarf = make.race(name="Dwarf")
    paladin = make.archetype(name="Paladin", required_races=[dwarf])  # the reference classes require races too
    campaign = make.campaign(owner=gm, name="The Sunken Keep")
    players, heroes = [], []
    for name in ("Brannoc", "Ysolde"):
        player = make.user(email=f"{name.lower()}@example.com", display_name=f"{name}'s player")
        hero = make.character(owner=player, name=name, race=dwarf, archetype=paladin)
        make.membership(campaign, hero)
        players.append(player)
        heroes.append(hero)
    make.item(name="Coil of Rope", weight=1.0)

    gm_context = browser.new_context(base_url=live_server, locale="en-GB")
    player_context = browser.new_context(base_url=live_server, locale="en-GB")
    gm_page, player_page = gm_context.new_page(), player_context.new_page()
    try:
        sign_in(gm_page, gm)
        gm_page.goto(f"/campaigns/{campaign.id}")
        award = gm_page.locator("#award")
        award.get_by_label("Who gets it").select_option(label="The whole party")
        award.get_by_label("Search items").fill("rope")
        award.get_by_label("Coil of Rope").check()
        award.get_by_label("How many").fill("2")
        award.get_by_label("Experience").fill("300")  # experience and an item in the one award
        award.get_by_label("What for").fill("for the climb down")
        award.get_by_role("button", name="Award").click()

        expect(gm_page.get_by_role("status").filter(has_text="Awarded to Brannoc, Ysolde")).to_be_visible()
        log = gm_page.locator("#campaign-log")
        expect(log).to_contain_text("Brannoc received 2 × Coil of Rope for the climb down")
        expect(log).to_contain_text("Ysolde received 2 × Coil of Rope for the climb down")
        expect(log).to_contain_text("Ysolde earned 300 XP for the climb down")

        sign_in(player_page, players[1])
        player_page.goto(f"/campaigns/{campaign.id}")  # the player reads the same log
        player_log = player_page.locator("#campaign-log")
        expect(player_log).to_contain_text("Ysolde received 2 × Coil of Rope for the climb down")
        expect(player_log).to_contain_text("Ysolde earned 300 XP for the climb down")
        player_page.goto(f"/characters/{heroes[1].id}/inventory")
        expect(player_page.get_by_role("row", name=re.compile("Coil of Rope"))).to_contain_text("2")
    finally:
        gm_context.close()
        player_context.close()


@pytest.mark.e2e
def test_a_player_takes_their_character_back_from_a_campaign_a_moderator_hid(page: Page, live_server, make):
    player = make.user(email="pell@example.com", display_name="Pell Okafor")
    hero = make.character(owner=player, name="Brannoc")
    hidden = make.campaign(name="The Drowned Crown", visibility=Visibility.HIDDEN)
    make.membership(hidden, hero)
    sign_in(page, player)

    page.goto("/campaigns")
    card = page.locator(".campaign-card").filter(has_text="The Drowned Crown")
    expect(card).to_contain_text("Hidden by a moderator")
    expect(card.get_by_role("link", name="The Drowned Crown")).to_have_count(0)  # its page is gone for players
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Leave the campaign").click()
    expect(page.get_by_role("status").filter(has_text="Brannoc left the campaign.")).to_be_visible()
    expect(page.locator(".campaign-card").filter(has_text="The Drowned Crown")).to_have_count(0)
    expect(page.get_by_text("None of your characters is in a campaign.")).to_be_visible()
    page.goto(f"/characters/{hero.id}")
    expect(page.get_by_text("Campaign:")).to_have_count(0)  # free again
