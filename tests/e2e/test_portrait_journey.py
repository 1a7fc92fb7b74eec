"""Pictures in a real browser: a player uploads a portrait on the sheet (chosen, then dropped) and sees it replace
the generated placeholder; an avatar on the account page; a refused file explained beside the field."""

import base64
import re

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.factories import PASSWORD
from tests.images.samples import picture
from webapp.extensions import db
from webapp.models import Character, Image, User, Visibility
from webapp.services.images import create_image

# The live server answers from threads of its own; one worker drives the browser for every journey.
pytestmark = [pytest.mark.committing, pytest.mark.xdist_group("browser")]

THUMBNAIL = re.compile(r"/api/v1/images/[0-9a-f-]{36}/thumbnail$")


def loaded_size(img: Locator) -> list[int]:
    """The picture's natural width and height once the browser has loaded and decoded it (fails if it is broken):
    a picture an htmx swap put in loads after the page did, so `complete` alone may not be true yet."""
    return img.evaluate("img => img.decode().then(() => [img.naturalWidth, img.naturalHeight])")


def sign_in(page: Page, user: User) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name=re.compile(user.display_name))).to_be_visible()


def png(width: int, height: int) -> dict:
    return {"name": "portrait.png", "mimeType": "image/png", "buffer": picture(width, height)}


def drop_file(page: Page, selector: str, data: bytes, name: str, mime: str) -> None:
    """Drop a file on an element the way a person dragging it from their desktop would."""
    transfer = page.evaluate_handle(
        """([encoded, name, mime]) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, { type: mime }));
            return transfer;
        }""",
        [base64.b64encode(data).decode(), name, mime],
    )
    for kind in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, kind, {"dataTransfer": transfer})


def stored_image(user: User) -> Image | None:
    db.session.expire_all()
    return db.session.query(Image).filter_by(owner_id=user.id).order_by(Image.created_at.desc()).first()


@pytest.mark.e2e
def test_account_avatar_is_uploaded_and_replaces_the_placeholder(page: Page, live_server, make):
    player = make.user(display_name="Ysolde")
    sign_in(page, player)
    page.goto("/account")
    avatar = page.locator("#account-avatar .avatar")
    expect(avatar.locator("svg")).to_be_visible()

    page.evaluate(
        """() => {
            window.seenProgress = [];
            document.addEventListener("htmx:xhr:progress", () => {
                const bar = document.querySelector("#avatar-upload-progress");
                if (bar) window.seenProgress.push([bar.hidden, bar.value]);
            });
        }"""
    )

    page.get_by_label("Upload an avatar").set_input_files(png(1600, 1200))

    expect(avatar.get_by_role("img", name="Your avatar")).to_have_attribute("src", THUMBNAIL)
    progress = page.evaluate("window.seenProgress")
    assert progress[0][0] is False and [False, 100] in progress, progress  # shown while uploading, up to 100%
    expect(page.get_by_role("status").filter(has_text="Your avatar is saved.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove avatar")).to_be_visible()
    assert loaded_size(avatar.get_by_role("img", name="Your avatar"))[0] == 256
    image = stored_image(player)
    assert image.visibility == Visibility.PUBLIC
    assert db.session.get(User, player.id).avatar_image_id == image.id


@pytest.mark.e2e
def test_refused_files_are_explained_beside_the_field(page: Page, live_server, make):
    player = make.user(display_name="Ysolde")
    sign_in(page, player)
    page.goto("/account")
    field = page.get_by_label("Upload an avatar")

    field.set_input_files({"name": "notes.png", "mimeType": "image/png", "buffer": b"my notes, not a picture"})

    error = page.locator("#avatar-upload-error")
    expect(error).to_have_text("That file is not a JPEG, PNG or WebP image.")  # the server's verdict (422)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "avatar-upload-hint avatar-upload-error")
    expect(page.locator("#avatar-upload [data-upload-status]")).to_be_empty()  # one outcome: no "Uploaded." too

    sent = []
    page.on("request", lambda request: sent.append(request.url) if "/uploads/images" in request.url else None)
    field.set_input_files({"name": "huge.jpg", "mimeType": "image/jpeg", "buffer": b"\xff" * (5 * 1024 * 1024 + 1)})

    expect(error).to_contain_text("images can be at most 5 MB")  # checked before anything is sent
    field.set_input_files({"name": "scan.gif", "mimeType": "image/gif", "buffer": b"GIF89a"})
    expect(error).to_have_text("That file is not a JPEG, PNG or WebP image.")
    assert sent == []
    assert stored_image(player) is None
    expect(page.locator("#account-avatar .avatar svg")).to_be_visible()


@pytest.mark.e2e
def test_portrait_uploaded_on_the_sheet_replaces_the_placeholder(page: Page, live_server, make):
    player = make.user(display_name="Ysolde")
    hero = make.character(
        owner=player, name="Brannoc the Bold", race=make.race(name="Dwarf"), archetype=make.archetype(name="Sellsword")
    )
    sign_in(page, player)
    page.goto(f"/characters/{hero.id}")
    portrait = page.locator("#character-portrait .sheet-portrait")
    expect(portrait.locator("svg")).to_be_visible()
    expect(portrait.locator("svg text")).to_have_text("BB")

    page.get_by_text("Change portrait").click()
    page.get_by_label("Upload a portrait").set_input_files(png(900, 1200))

    picture_on_sheet = portrait.get_by_role("img", name="Portrait of Brannoc the Bold")
    expect(picture_on_sheet).to_have_attribute("src", THUMBNAIL)
    expect(portrait.locator("svg")).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text="Brannoc the Bold's portrait is saved.")).to_be_visible()
    assert loaded_size(picture_on_sheet) == [192, 256]
    first = stored_image(player)
    assert db.session.get(Character, hero.id).image_id == first.id
    assert first.visibility == Visibility.PUBLIC  # as visible as the character it portrays

    page.reload()  # saved, not just swapped in
    expect(picture_on_sheet).to_have_attribute("src", f"/api/v1/images/{first.id}/thumbnail")

    page.get_by_text("Change portrait").click()
    drop_file(page, "#portrait-upload [data-drop-zone]", picture(500, 500), "dropped.png", "image/png")

    expect(picture_on_sheet).not_to_have_attribute("src", f"/api/v1/images/{first.id}/thumbnail")
    expect(picture_on_sheet).to_have_attribute("src", THUMBNAIL)
    assert loaded_size(picture_on_sheet)[0] == 256
    assert stored_image(player).id != first.id

    page.get_by_text("Change portrait").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove portrait").click()
    expect(portrait.locator("svg text")).to_have_text("BB")


@pytest.mark.e2e
def test_a_private_portrait_falls_back_to_the_placeholder_for_whoever_may_not_see_it(page: Page, live_server, make):
    owner = make.user(display_name="Ysolde")
    secret = create_image(owner, picture(300, 300), visibility=Visibility.PRIVATE)
    hero = make.character(owner=owner, name="Ada", image_id=secret.id, visibility=Visibility.PUBLIC)
    stranger = make.user(display_name="Corwin")
    sign_in(page, stranger)

    page.goto(f"/characters/{hero.id}")

    portrait = page.locator("#character-portrait .sheet-portrait img")
    expect(portrait).to_have_attribute("src", re.compile(r"^/placeholders/portrait\.svg\?"))
    assert loaded_size(portrait)[0] > 0
    expect(page.get_by_text("Change portrait")).to_have_count(0)
