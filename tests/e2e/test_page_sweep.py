"""Every page as a visitor, a player, a GM and an admin, in Chromium at 360 and 1280 px, light and dark.

What a person would notice, measured in the browser:

- the document is never wider than the window (nothing scrolls sideways; a wide table scrolls in its own box);
- at 360 px every control is at least 44 px high; a check box or radio counts with its label, which takes the
  tap too, and a link inside a sentence is exempt, as WCAG 2.5.8 says;
- axe-core (vendored in tests/e2e/vendor, injected only here) finds no violation at 1280 px in either theme.

Each page is also photographed (JPEG, quicker to write than PNG) at both widths into screenshots/pages/ (git
ignores it) for a person to look at.
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.factories import PASSWORD
from webapp.models import Role

pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser"), pytest.mark.e2e]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
# Not under test-results/: pytest-playwright empties that folder whenever an xdist worker starts its session.
SHOTS = Path(__file__).resolve().parents[2] / "screenshots" / "pages"
WIDTHS = (360, 1280)
BUILDER_STEPS = ("identity", "race", "archetype", "attributes", "skills", "review")

MEASURE = (Path(__file__).parent / "measure.js").read_text()

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help + ' — ' +
    v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@pytest.fixture
def world(make):
    """A small table: reference content, a player's dwarf with gear in a GM's campaign, an admin."""
    ref = make.reference()
    player = make.user(email="piper@example.com", display_name="Piper Reyes")
    gm = make.user(email="greta@example.com", display_name="Greta the GM")
    admin = make.user(email="ada@example.com", display_name="Ada Ledger", role=Role.ADMIN)
    hero = make.character(
        owner=player, name="Brannoc Stonehelm", race=ref["race"]["Dwarf"], archetype=ref["archetype"]["Sellsword"]
    )
    elf, nightrunner = ref["race"]["Elf"], ref["archetype"]["Nightrunner"]
    make.character(owner=player, name="Sefa Windlow", race=elf, archetype=nightrunner)
    items = list(ref["item"].values())
    for item in items[:6]:
        make.give(hero, item)
    # Worn gear too: an item's name in a filled slot is text on the slot's own background.
    for slot, rarity in (("HEAD", "COMMON"), ("CHEST", "UNCOMMON")):
        worn = next(i for i in items if i.slot.value == slot and i.rarity.value == rarity and i.required_level <= 3)
        make.give(hero, worn)
        make.equip(hero, worn, slot.lower())
    campaign = make.campaign(owner=gm, name="The Sunken Stair")
    make.membership(campaign, hero)
    pending = make.character(name="Tamsin Reedwell", race=ref["race"]["Human"], archetype=ref["archetype"]["Sellsword"])
    make.membership(campaign, pending, status="PENDING")
    return {"player": player, "gm": gm, "admin": admin, "hero": hero, "campaign": campaign}


def pages_of(role: str, world: dict) -> list[str]:
    hero, campaign = world["hero"].id, world["campaign"].id
    everyone = ["/", "/compendium/items", "/compendium/races", "/compendium/skills", "/api/docs"]
    signed_in = [*everyone, "/characters", "/campaigns", "/account"]
    return {
        "visitor": [*everyone, "/login", "/register", "/forgot-password"],
        "player": [
            *signed_in,
            f"/characters/{hero}",
            f"/characters/{hero}/inventory",
            f"/campaigns/{campaign}",
            f"/campaigns/{campaign}/table",
            f"/characters/{hero}/rolls",
            *(f"/characters/new/{step}" for step in BUILDER_STEPS),
            f"/characters/{hero}/delete",
            "/characters/import",
            "/compendium/items/new",
        ],
        "gm": [
            *signed_in,
            f"/campaigns/{campaign}",
            f"/campaigns/{campaign}/table",
            "/campaigns/new",
            f"/campaigns/{campaign}/edit",
        ],
        "admin": [*signed_in, "/admin", f"/admin/users/{world['player'].id}", "/admin/hidden"],
    }[role]


def signed_in_context(browser: Browser, live_server: str, user) -> BrowserContext:
    # bypass_csp lets the test inject axe; reduced motion lets a theme switch settle before axe reads colours.
    context = browser.new_context(base_url=live_server, locale="en-GB", bypass_csp=True, reduced_motion="reduce")
    if user is not None:
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("button", name="Sign out")).to_be_attached()
        page.wait_for_url(lambda url: "/login" not in url)
        page.close()
    return context


def slug(url: str) -> str:
    url = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "x", url)
    return re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-") or "home"


def measure(page: Page, label: str, width: int) -> list[str]:
    found = page.evaluate(MEASURE)
    problems = []
    if found["width"] > found["viewport"]:
        problems.append(f"{label} at {width} px is {found['width']} px wide: {found['wide']}")
    if found["unreadable"]:
        problems.append(f"{label} at {width} px has text the colour of its background: {found['unreadable'][:8]}")
    busy = page.get_by_role("button", name=re.compile("…")).count()
    if busy:
        problems.append(f"{label} at {width} px has {busy} buttons whose name, at rest, holds their busy text")
    if width == 360 and found["small"]:
        problems.append(f"{label} at 360 px has targets under 44 px: {found['small'][:8]}")
    return problems


def axe(page: Page, label: str, theme: str) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return [f"{label} ({theme}): {violation}" for violation in page.evaluate(AXE_RUN)]


def sweep(browser: Browser, live_server: str, role: str, world: dict) -> list[str]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = signed_in_context(browser, live_server, world.get(role))
    page = context.new_page()
    problems = []
    try:
        for url in pages_of(role, world):
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.emulate_media(color_scheme="light", reduced_motion="reduce")  # no colour caught mid-transition
                response = page.goto(url)
                assert response is not None and response.status == 200, f"{url} answered {response.status}"
                problems += measure(page, f"{role} {url}", width)
                page.screenshot(path=SHOTS / f"{role}-{slug(url)}-{width}.jpeg", full_page=True, quality=80)
                if width == 1280:
                    problems += axe(page, f"{role} {url}", "light")
                    # Dark as a player who prefers it meets the page: loaded so (a switch midway shows transitions).
                    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
                    page.goto(url)
                    problems += axe(page, f"{role} {url}", "dark")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("role", ["visitor", "player", "gm", "admin"])
def test_every_page_fits_360_and_1280_px_with_44_px_targets_and_no_axe_violation(
    browser: Browser, live_server, world, role
):
    problems = sweep(browser, live_server, role, world)
    assert not problems, "\n".join(problems)


def test_the_header_folds_into_a_menu_on_a_phone_and_opens_by_keyboard(browser: Browser, live_server, world):
    context = signed_in_context(browser, live_server, world["player"])
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto("/characters")
        menu = page.get_by_text("Menu", exact=True)
        campaigns = page.get_by_role("link", name="Campaigns")
        expect(menu).to_be_visible()
        expect(campaigns).to_be_hidden()
        header = page.locator(".site-header").bounding_box()
        assert header is not None and header["height"] < 70  # the links no longer fill the first screen

        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
        assert page.evaluate(MEASURE)["small"] == []  # shown while focused, so a target like any other
        page.keyboard.press("Tab")  # the brand
        page.keyboard.press("Tab")
        expect(page.locator("summary.nav-menu-toggle")).to_be_focused()
        page.keyboard.press("Enter")
        expect(campaigns).to_be_visible()
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        assert page.evaluate(MEASURE)["small"] == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "player-menu-open-360.jpeg", quality=80)
        assert axe(page, "menu open", "light") == []
        page.keyboard.press("Escape")
        expect(campaigns).to_be_hidden()
        expect(page.locator("summary.nav-menu-toggle")).to_be_focused()

        page.set_viewport_size({"width": 1280, "height": 800})
        expect(campaigns).to_be_visible()  # wide: one row, no menu button
        expect(menu).to_be_hidden()
    finally:
        context.close()


def test_without_javascript_the_menu_still_opens_and_wide_screens_show_the_links(browser: Browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto("/")
        page.get_by_text("Menu", exact=True).click()
        expect(page.get_by_role("link", name="Register")).to_be_visible()
        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto("/")
        expect(page.locator(".nav-links a", has_text="Register")).to_be_visible()
        expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    finally:
        context.close()


def test_compendium_filters_fold_on_a_phone_and_a_bad_filter_is_said_in_words(browser: Browser, live_server, world):
    context = signed_in_context(browser, live_server, None)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        page.goto("/compendium/items")
        expect(page.get_by_label("Search items")).to_be_visible()
        rarity = page.get_by_label("Rarity")
        expect(rarity).to_be_hidden()
        page.get_by_text("Filters and sorting").click()
        expect(rarity).to_be_visible()
        rarity.select_option(label="Rare")
        expect(page).to_have_url(re.compile(r"rarity=RARE"))

        page.goto("/compendium/items?min_level=20&max_level=1")
        expect(page.get_by_text("2 on")).to_be_visible()  # filters in the URL open the panel and say so
        expect(page.get_by_role("alert")).to_contain_text(
            "The highest required level (1) is below the lowest (20), so it was left out."
        )
        expect(page.get_by_role("alert")).not_to_contain_text("Value error")

        page.set_viewport_size({"width": 1280, "height": 800})
        page.goto("/compendium/items")
        expect(page.get_by_label("Rarity")).to_be_visible()
        expect(page.get_by_text("Filters and sorting")).to_be_hidden()
    finally:
        context.close()


def test_a_name_of_one_long_word_wraps_instead_of_widening_a_phones_page(browser: Browser, live_server, make):
    ref = make.reference()
    player = make.user(email="long@example.com", display_name="Long Name's player")
    name = "Llanfairpwllgwyngyllgogerychwyrndrobwll"
    hero = make.character(
        owner=player, name=name, race=ref["race"]["Dwarf"], archetype=ref["archetype"]["Sellsword"], visibility="PUBLIC"
    )
    context = signed_in_context(browser, live_server, player)
    page = context.new_page()
    try:
        page.set_viewport_size({"width": 360, "height": 800})
        for url in ["/", "/characters", f"/characters/{hero.id}", f"/characters/{hero.id}/inventory"]:
            page.goto(url)
            expect(page.get_by_text(name).first).to_be_visible()
            found = page.evaluate(MEASURE)
            assert found["width"] <= found["viewport"], f"{url} is {found['width']} px wide: {found['wide']}"
        page.goto(f"/characters/{hero.id}")
        page.get_by_label("Experience to add").fill("50")
        page.get_by_role("button", name="Add experience").click()
        expect(page.get_by_role("status").filter(has_text=f"{name} gained 50 experience.")).to_be_visible()
        found = page.evaluate(MEASURE)
        assert found["wide"] == [], f"the toast sticks out of the window: {found['wide']}"  # fixed: no scroll width
        page.goto("/characters/new/identity")
        page.get_by_label("Name").fill(name + "s")
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("group", name=re.compile(f"Choose a race for {name}s"))).to_be_visible()
        found = page.evaluate(MEASURE)
        assert found["width"] <= found["viewport"], f"the race step is {found['width']} px wide: {found['wide']}"
    finally:
        context.close()


def test_the_bar_at_the_top_runs_while_any_request_does(browser: Browser, live_server, world):
    """The search's own spinner sits in the filter panel, folded on a phone: the page-wide bar shows the wait."""
    context = signed_in_context(browser, live_server, None)
    page = context.new_page()
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto("/compendium/items")
    held = []
    page.route(
        re.compile(r"/compendium/items\?"), lambda route: held.append(route)
    )  # the answer waits until the test lets it go
    body, bar = page.locator("body"), page.locator("#global-progress")
    expect(bar).to_have_css("opacity", "0")
    page.get_by_label("Search items").fill("sword")
    expect(body).to_have_class(re.compile(r"\bis-loading\b"))
    expect(bar).to_have_css("opacity", "1")
    held[0].continue_()
    expect(body).not_to_have_class(re.compile(r"\bis-loading\b"))
    expect(bar).to_have_css("opacity", "0")
    context.close()
