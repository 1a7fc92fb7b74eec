"""A new player's first visit, in a real browser: register, confirm the address by mail, sign in, change the
password, and find the old one refused."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD
from webapp.models import Role

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]

EMAIL = "brannoc@example.com"
FIRST_PASSWORD = "a lantern in the deep mine"
NEW_PASSWORD = "seven ravens over the keep"


def sign_in(page: Page, password: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


@pytest.mark.e2e
def test_register_verify_sign_in_change_password_and_old_password_is_refused(page: Page, live_server, mailbox):
    page.goto("/register")
    page.get_by_label("Display name").fill("Brannoc")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(FIRST_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text=EMAIL)).to_be_visible()

    link = mailbox.link(mailbox.wait_for(to=EMAIL, subject="Confirm your email"), "/verify-email/")
    assert link.startswith(live_server)
    page.goto(link)
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("status").filter(has_text="is confirmed")).to_be_visible()

    sign_in(page, FIRST_PASSWORD)
    expect(page.get_by_role("link", name=re.compile("Brannoc"))).to_be_visible()
    page.goto("/")  # a new player is shown the way to a first character
    page.get_by_role("link", name="Start building").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Step 1 of 6: Identity"))).to_be_visible()

    page.get_by_role("link", name=re.compile("Brannoc")).click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    expect(page.get_by_text("Confirmed", exact=True)).to_be_visible()
    page.get_by_label("Current password").fill(FIRST_PASSWORD)
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Your password is changed")).to_be_visible()
    assert mailbox.wait_for(to=EMAIL, subject="password was changed")

    sign_out(page)
    sign_in(page, FIRST_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("don't match an account")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_label("Email")).to_be_focused()  # the refused form has settled: typing goes where aimed

    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Brannoc"))).to_be_visible()


@pytest.mark.e2e
def test_a_forgotten_password_is_reset_from_the_mailed_link(page: Page, live_server, mailbox, make):
    """The reset mail leaves once the answer is out (mail.send_template_after_answer): through a real server, it
    arrives and its link sets the password the next sign-in takes."""
    make.user(email=EMAIL, display_name="Brannoc")
    page.goto("/forgot-password")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").filter(has_text=EMAIL)).to_be_visible()

    link = mailbox.link(mailbox.wait_for(to=EMAIL, subject="Reset"), "/reset-password/")
    page.goto(link)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page).to_have_url(re.compile(r"/login"))

    sign_in(page, PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("don't match an account")
    expect(page.get_by_label("Email")).to_be_focused()  # settled: what is typed next goes where it is aimed
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile("Brannoc"))).to_be_visible()


@pytest.mark.e2e
def test_an_admin_bans_a_player_whose_next_request_is_refused(browser: Browser, live_server, make):
    admin = make.user(email="ada@example.com", display_name="Ada Ledger", role=Role.ADMIN)
    player = make.user(email="pell@example.com", display_name="Pell Okafor")
    contexts = [browser.new_context(base_url=live_server, locale="en-GB") for _ in range(2)]
    admin_page, player_page = (context.new_page() for context in contexts)
    try:
        for page, user in ((admin_page, admin), (player_page, player)):
            page.goto("/login")
            page.get_by_label("Email").fill(user.email)
            page.get_by_label("Password", exact=True).fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(page.get_by_role("link", name=re.compile(user.display_name))).to_be_visible()
        player_page.goto("/characters")
        expect(player_page.get_by_role("heading", name="My characters")).to_be_visible()

        admin_page.goto("/admin")
        admin_page.get_by_role("link", name="Pell Okafor").click()
        admin_page.get_by_label("Reason").fill("Selling stolen accounts")
        admin_page.once("dialog", lambda dialog: dialog.accept())  # "Ban Pell Okafor? They are signed out…"
        admin_page.get_by_role("button", name="Ban Pell Okafor").click()
        expect(admin_page.locator("#user-ban").get_by_role("status")).to_contain_text("Banned")

        player_page.goto("/characters")  # the very next request
        expect(player_page).to_have_url(re.compile(r"/login"))
        expect(player_page.get_by_role("heading", name="My characters")).to_have_count(0)
        player_page.get_by_label("Email").fill(player.email)
        player_page.get_by_label("Password", exact=True).fill(PASSWORD)
        player_page.get_by_role("button", name="Sign in").click()
        expect(player_page.get_by_role("alert")).to_contain_text("don't match an account")
    finally:
        for context in contexts:
            context.close()
