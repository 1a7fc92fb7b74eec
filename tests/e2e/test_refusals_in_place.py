"""Every form sent with a value the server refuses: its 422 lands in the form's own target, beside the field, and
the rest of the page stays as it was (same document, the heading and the other sections untouched).

The browser's own checks (required, min) are switched off first, as a script or an old browser would not have
them: what is proven is the server's answer and where it lands.
"""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD
from webapp.models import Role

pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser"), pytest.mark.e2e]


@pytest.fixture
def world(make):
    ref = make.reference()
    player = make.user(email="piper@example.com", display_name="Piper Reyes")
    gm = make.user(email="greta@example.com", display_name="Greta the GM")
    admin = make.user(email="ada@example.com", display_name="Ada Ledger", role=Role.ADMIN)
    hero = make.character(
        owner=player, name="Brannoc", race=ref["race"]["Dwarf"], archetype=ref["archetype"]["Sellsword"]
    )
    campaign = make.campaign(owner=gm, name="The Sunken Stair")
    make.membership(campaign, make.character(name="Ysolde", race=ref["race"]["Elf"]))
    return {"player": player, "gm": gm, "admin": admin, "hero": hero, "campaign": campaign}


# (who, page, what to click first, {label: value}, submit button, the form's target, what the target must say)
CASES = [
    (
        None,
        "/login",
        None,
        {"Email": "nobody@example.com", "Password": "not the password"},
        "Sign in",
        "#login-form",
        "don't match an account",
    ),
    (
        None,
        "/register",
        None,
        {"Display name": "", "Email": "", "Password": ""},
        "Create account",
        "#register",
        "This field is required",
    ),
    ("player", "/characters/{hero}", "Edit identity", {"Name": ""}, "Save", "#identity", "name"),
    ("player", "/account", None, {"Display name": ""}, "Save profile", "#account-profile", "This field is required"),
    (
        "player",
        "/account",
        None,
        {"Current password": "not my password", "New password": "seven ravens over the keep"},
        "Change password",
        "#account-password",
        "password",
    ),
    ("player", "/account", None, {"Token name": ""}, "Create token", "#account-tokens", "This field is required"),
    ("player", "/compendium/items/new", None, {"Name": ""}, "Save item", "#entry-form", "name"),
    ("player", "/characters/new/identity", None, {"Name": ""}, "Next: Race", "#builder", "name"),
    ("gm", "/campaigns/new", None, {"Name": ""}, "Create campaign", "#campaign-form", "name"),
    ("gm", "/campaigns/{campaign}", None, {"Experience": "0"}, "Award", "#award", "From 1 to"),
    ("admin", "/admin/users/{player_id}", None, {"Reason": ""}, "Ban Piper Reyes", "#user-ban", "Say why."),
]


def sign_in(page: Page, user) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def test_every_refused_form_answers_422_in_its_own_target_and_leaves_the_page_intact(
    browser: Browser, live_server, world
):
    pages = {}
    try:
        for who, url, first, values, button, target, said in CASES:
            if who not in pages:
                context = browser.new_context(base_url=live_server, locale="en-GB")
                pages[who] = context.new_page()
                if who:
                    sign_in(pages[who], world[who])
            page = pages[who]
            page.goto(url.format(hero=world["hero"].id, campaign=world["campaign"].id, player_id=world["player"].id))
            page.wait_for_function("window.htmx !== undefined")  # htmx (deferred) has taken over the forms
            heading = page.get_by_role("heading", level=1).first
            title = heading.inner_text()
            if first:
                page.get_by_role("link", name=first).click()
            box = page.locator(target)
            expect(box).to_be_visible()
            for label, value in values.items():
                box.get_by_label(label, exact=True).fill(value)
            # After the fields are filled: a form that htmx swapped in after "first" exists by now.
            page.evaluate(
                "window.sameDocument = true; document.querySelectorAll('form').forEach(f => f.noValidate = true)"
            )
            page.once("dialog", lambda dialog: dialog.accept())
            with page.expect_response(lambda response: response.request.method == "POST") as answer:
                box.get_by_role("button", name=button).click()
            assert answer.value.status == 422, f"{url} {button}: {answer.value.status}"

            message = box.locator(".field-error, .form-errors, [role=alert]").filter(has_text=re.compile(said, re.I))
            expect(message.first).to_be_visible()
            if values.get("Name") == "" or "Display name" in values:  # the refused field is marked for assistive tech
                expect(box.locator("[aria-invalid='true']").first).to_be_attached()
            assert page.evaluate("window.sameDocument") is True, f"{url}: the page was replaced"
            expect(page.get_by_role("heading", level=1).first).to_have_text(title)  # the rest is still there
            expect(page.locator(".site-header")).to_be_visible()
    finally:
        for page in pages.values():
            page.context.close()
