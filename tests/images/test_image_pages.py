"""Pictures on the pages: the upload widget's endpoint, portraits and avatars, placeholders, and who sees what."""

import io
import json
import re
import uuid

import pytest
import sqlalchemy as sa

from tests.images.samples import picture
from webapp.extensions import db
from webapp.models import Character, Image, Skill, User, Visibility
from webapp.services import accounts, images
from webapp.services.errors import InvalidInput, Violation
from webapp.services.images import create_image
from webapp.storage import storage

HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([0-9a-f-]{36})" data-upload-value>')


def post_picture(client, data: bytes, headers: dict | None = None, url: str = "/uploads/images", **form):
    form["file"] = (io.BytesIO(data), "portrait.png")
    return client.post(url, data=form, headers=headers or {}, content_type="multipart/form-data")


def image_row(image_id) -> Image:
    return db.session.get(Image, uuid.UUID(image_id))


def stored_image_id(character: Character):
    return db.session.execute(sa.select(Character.image_id).where(Character.id == character.id)).scalar_one()


@pytest.fixture
def player(make, auth):
    user = make.user(display_name="Ysolde Marrow")
    auth.login(user)
    return user


@pytest.fixture
def hero(make, player):
    dwarf, sellsword = make.race(name="Dwarf"), make.archetype(name="Sellsword")
    return make.character(owner=player, name="Brannoc the Bold", race=dwarf, archetype=sellsword)


@pytest.fixture
def other_client(app, make):
    """A second browser, signed in as someone else."""
    client = app.test_client()
    client.post("/login", data={"email": make.user().email, "password": "correct horse battery staple"})
    return client


def test_upload_answers_a_preview_and_the_hidden_image_id(client, player, htmx):
    response = post_picture(client, picture(600, 400), htmx)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    field, image_id = HIDDEN_INPUT.search(page).groups()
    assert field == "image_id"
    assert f'src="/api/v1/images/{image_id}/thumbnail"' in page
    assert "600 × 400 pixels" in page
    assert "<html" not in page  # just the fragment
    assert response.headers["Vary"].startswith("HX-Request")
    event = json.loads(response.headers["HX-Trigger-After-Settle"])
    assert event == {"image-uploaded": {"image_id": image_id, "field": "image_id", "widget": "upload"}}
    stored = image_row(image_id)
    assert (stored.owner_id, stored.visibility) == (player.id, Visibility.PRIVATE)


def test_upload_takes_the_visibility_field_name_and_widget_from_the_widget(client, player, htmx):
    url = "/uploads/images?visibility=PUBLIC&field=avatar_image_id&widget=avatar-upload"

    response = post_picture(client, picture(60, 40), htmx, url=url)

    field, image_id = HIDDEN_INPUT.search(response.get_data(as_text=True)).groups()
    assert field == "avatar_image_id"
    assert image_row(image_id).visibility == Visibility.PUBLIC


def test_upload_ignores_a_field_name_or_widget_id_that_could_break_out_of_the_markup(client, player, htmx):
    url = '/uploads/images?field="><script>&widget=x"onclick="'

    page = post_picture(client, picture(60, 40), htmx, url=url).get_data(as_text=True)

    assert HIDDEN_INPUT.search(page).group(1) == "image_id"
    assert "<script>" not in page and "onclick" not in page


def test_a_file_that_is_not_an_image_is_422_beside_the_field(client, player, htmx):
    response = post_picture(client, b"GIF89a-but-not-really", htmx, url="/uploads/images?widget=portrait-upload")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="portrait-upload-error" role="alert"' in page
    assert "That file is not a JPEG, PNG or WebP image." in page
    assert "HX-Retarget" not in response.headers  # beside the field, not a toast
    assert db.session.execute(sa.select(sa.func.count()).select_from(Image)).scalar_one() == 0


def test_over_five_megabytes_is_413_beside_the_field(client, player, htmx):
    response = post_picture(client, b"\x89PNG" + b"\x00" * (5 * 1024 * 1024 + 10), htmx)

    assert response.status_code == 413
    assert "images can be at most 5 MB" in response.get_data(as_text=True)


def test_over_the_request_limit_is_413_beside_the_field(client, player, htmx):
    response = post_picture(client, b"\x00" * (7 * 1024 * 1024), htmx)

    assert response.status_code == 413
    assert "images can be at most 5 MB" in response.get_data(as_text=True)


def test_no_file_is_422(client, player, htmx):
    response = client.post("/uploads/images", data={}, headers=htmx, content_type="multipart/form-data")

    assert response.status_code == 422
    assert "Choose a JPEG, PNG or WebP picture." in response.get_data(as_text=True)


def test_visitors_cannot_upload(client, htmx):
    response = post_picture(client, picture(40, 40), htmx)

    assert response.status_code == 403
    assert db.session.execute(sa.select(sa.func.count()).select_from(Image)).scalar_one() == 0


def test_upload_without_htmx_shows_a_whole_page(client, player):
    response = post_picture(client, picture(40, 40))

    assert response.status_code == 200
    assert "<html" in response.get_data(as_text=True) and "Picture uploaded" in response.get_data(as_text=True)


def test_upload_needs_the_csrf_token(client, player, htmx, csrf_enabled):
    refused = post_picture(client, picture(40, 40), htmx)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/account").get_data(as_text=True)).group(1)
    accepted = post_picture(client, picture(40, 40), {**htmx, "X-CSRFToken": token})

    assert refused.status_code == 400
    assert accepted.status_code == 200


def test_the_preview_of_a_private_upload_is_404_to_visitors_and_other_players(client, other_client, app, player, htmx):
    page = post_picture(client, picture(60, 40), htmx).get_data(as_text=True)
    preview = re.search(r'src="(/api/v1/images/[0-9a-f-]{36}/thumbnail)"', page).group(1)

    assert client.get(preview).status_code == 200
    assert other_client.get(preview).status_code == 404
    assert app.test_client().get(preview).status_code == 404
    assert app.test_client().get(preview.replace("/thumbnail", "/file")).status_code == 404


def test_owner_sets_the_portrait_from_an_upload_and_the_sheet_portrait_is_swapped(client, player, hero, htmx):
    image = create_image(player, picture(300, 300), visibility=Visibility.PUBLIC)

    response = client.post(f"/characters/{hero.id}/portrait", data={"image_id": str(image.id)}, headers=htmx)

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.lstrip().startswith('<div id="character-portrait"')
    assert f'src="/api/v1/images/{image.id}/thumbnail"' in page
    assert 'alt="Portrait of Brannoc the Bold"' in page
    assert 'data-fallback="/placeholders/portrait.svg?' in page
    assert "Remove portrait" in page
    assert json.loads(response.headers["HX-Trigger"])["toast"]["message"] == "Brannoc the Bold's portrait is saved."
    assert stored_image_id(hero) == image.id


def test_owner_removes_the_portrait_and_the_placeholder_returns(client, player, hero, htmx):
    image = create_image(player, picture(300, 300))
    hero.image_id = image.id
    db.session.commit()

    response = client.post(f"/characters/{hero.id}/portrait", data={"remove": "1"}, headers=htmx)

    assert response.status_code == 200
    assert "<svg" in response.get_data(as_text=True) and "/thumbnail" not in response.get_data(as_text=True)
    assert stored_image_id(hero) is None


def test_another_players_private_picture_cannot_become_a_portrait(client, make, player, hero, htmx):
    theirs = create_image(make.user(), picture(30, 30), visibility=Visibility.PRIVATE)

    response = client.post(f"/characters/{hero.id}/portrait", data={"image_id": str(theirs.id)}, headers=htmx)

    assert response.status_code == 422
    assert "another player&#39;s private picture" in response.get_data(as_text=True)
    assert stored_image_id(hero) is None


def test_someone_else_cannot_change_the_portrait(other_client, player, hero, make, htmx):
    image = create_image(player, picture(30, 30), visibility=Visibility.PUBLIC)
    secret = make.character(owner=player, visibility=Visibility.PRIVATE)

    public = other_client.post(f"/characters/{hero.id}/portrait", data={"image_id": str(image.id)}, headers=htmx)
    private = other_client.post(f"/characters/{secret.id}/portrait", data={"image_id": str(image.id)}, headers=htmx)

    assert (public.status_code, private.status_code) == (403, 404)
    assert stored_image_id(hero) is None


def test_without_javascript_the_form_uploads_and_saves_in_one_go(client, player, hero):
    response = post_picture(client, picture(200, 100), url=f"/characters/{hero.id}/portrait")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/characters/{hero.id}"
    image = db.session.get(Image, stored_image_id(hero))
    assert (image.owner_id, image.visibility) == (player.id, Visibility.PUBLIC)  # as visible as the character


def test_a_private_characters_uploaded_portrait_is_private(client, make, player):
    secret = make.character(owner=player, visibility=Visibility.PRIVATE)

    post_picture(client, picture(200, 100), url=f"/characters/{secret.id}/portrait")

    assert db.session.get(Image, stored_image_id(secret)).visibility == Visibility.PRIVATE


def test_a_refused_upload_shows_its_error_in_the_portrait(client, player, hero, htmx):
    response = post_picture(client, b"not a picture", htmx, url=f"/characters/{hero.id}/portrait")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "That file is not a JPEG, PNG or WebP image." in page
    assert '<details class="portrait-change no-print" open>' in page


def stored_objects() -> set[str]:
    return {stored.key for stored in storage().list_objects("images/")}


@pytest.mark.committing  # the other request deletes on a connection of its own
def test_a_portrait_upload_for_a_character_deleted_meanwhile_leaves_no_picture_behind(
    client, player, hero, monkeypatch
):
    before = stored_objects()
    process = images.process_upload

    def deleted_meanwhile(data):
        # Another request deletes the character while this upload is being re-encoded.
        with db.engine.begin() as connection:
            connection.execute(sa.delete(Character).where(Character.id == hero.id))
        return process(data)

    monkeypatch.setattr(images, "process_upload", deleted_meanwhile)
    response = post_picture(client, picture(200, 100), url=f"/characters/{hero.id}/portrait")

    assert response.status_code == 404
    assert db.session.scalars(sa.select(Image.id)).all() == []
    assert stored_objects() == before


def test_user_sets_and_removes_the_avatar(client, player, htmx):
    image = create_image(player, picture(128, 128), visibility=Visibility.PUBLIC)

    saved = client.post("/account/avatar", data={"image_id": str(image.id)}, headers=htmx)
    assert saved.status_code == 200
    assert f'src="/api/v1/images/{image.id}/thumbnail"' in saved.get_data(as_text=True)
    assert db.session.get(User, player.id).avatar_image_id == image.id
    assert saved.headers["Cache-Control"] == "private, no-store"

    removed = client.post("/account/avatar", data={"remove": "1"}, headers=htmx)
    assert removed.status_code == 200 and "<svg" in removed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, player.id).avatar_image_id is None


def test_someone_elses_private_picture_cannot_become_an_avatar(client, make, player, htmx):
    theirs = create_image(make.user(), picture(30, 30), visibility=Visibility.PRIVATE)

    response = client.post("/account/avatar", data={"image_id": str(theirs.id)}, headers=htmx)

    assert response.status_code == 422
    assert "No such image." in response.get_data(as_text=True)


def test_an_uploaded_avatar_the_account_change_refuses_leaves_no_picture_behind(client, player, monkeypatch):
    before = stored_objects()

    def refused(*args, **kwargs):
        raise InvalidInput([Violation("image_id", "No such image.")])

    monkeypatch.setattr(accounts, "update_profile", refused)
    response = post_picture(client, picture(64, 64), url="/account/avatar")

    assert response.status_code == 303  # back to the account page with the message
    assert db.session.scalars(sa.select(Image.id)).all() == []
    assert stored_objects() == before


def test_avatar_needs_signing_in(client):
    assert client.post("/account/avatar", data={"remove": "1"}).status_code in {302, 303, 401}


def test_placeholder_is_a_cacheable_deterministic_svg(client):
    url = "/placeholders/portrait.svg?race=Dwarf&archetype=Sellsword&initials=BB"

    first, second = client.get(url), client.get(url)

    assert first.status_code == 200
    assert first.mimetype == "image/svg+xml"
    assert first.headers["Cache-Control"] == "public, max-age=604800"
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    assert b">BB</text>" in first.data
    assert "Set-Cookie" not in first.headers
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304


def test_placeholder_escapes_what_it_is_given(client):
    response = client.get("/placeholders/portrait.svg?race=<script>alert(1)</script>&initials=<b>")

    body = response.get_data(as_text=True)
    assert "<script" not in body and "<b>" not in body
    assert "&lt;b&gt;" in body
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")


def test_placeholder_without_inputs_is_a_question_mark(client):
    assert b">?</text>" in client.get("/placeholders/portrait.svg").data


def loaded(character: Character) -> Character:
    """The character with race and archetype, as every page that shows a portrait loads it."""
    character_id = character.id
    db.session.expunge_all()
    query = sa.select(Character).where(Character.id == character_id)
    options = (sa.orm.joinedload(Character.race), sa.orm.joinedload(Character.archetype))
    return db.session.execute(query.options(*options)).unique().scalar_one()


def test_portrait_url_is_the_thumbnail_or_the_placeholder(app, make, player, hero):
    from webapp.pages.images import portrait_url

    image = create_image(player, picture(30, 30))
    pictured = make.character(owner=player, image_id=image.id)
    image_id, player_id = image.id, player.id
    with app.test_request_context():
        assert portrait_url(pictured) == f"/api/v1/images/{image_id}/thumbnail"
        assert portrait_url(loaded(hero)) == "/placeholders/portrait.svg?race=Dwarf&archetype=Sellsword&initials=BB"
        assert portrait_url(db.session.get(User, player_id)) == "/placeholders/portrait.svg?initials=YM"


def test_placeholder_of_a_character_never_names_a_race_the_visitor_may_not_see(app, make, player):
    from webapp.pages.images import portrait_url

    secret_race = make.race(name="Starborn", owner_id=make.user().id, visibility=Visibility.PRIVATE)
    hero = make.character(owner=player, name="Ada", race=secret_race)
    with app.test_request_context():
        url = portrait_url(loaded(hero))

    assert "Starborn" not in url and "race=%5Bhidden%5D" in url


def test_account_page_shows_the_avatar_and_the_upload_widget(client, player):
    page = client.get("/account").get_data(as_text=True)

    assert '<section id="account-avatar"' in page
    assert '<label for="avatar-upload-file">Upload an avatar</label>' in page
    assert 'accept="image/jpeg,image/png,image/webp"' in page
    assert 'hx-post="/uploads/images?widget=avatar-upload&amp;field=image_id&amp;visibility=PUBLIC"' in page
    assert "<svg" in page and "Remove avatar" not in page

    image = create_image(player, picture(64, 64), visibility=Visibility.PUBLIC)
    db.session.get(User, player.id).avatar_image_id = image.id
    db.session.commit()
    page = client.get("/account").get_data(as_text=True)

    assert f'src="/api/v1/images/{image.id}/thumbnail"' in page and "Remove avatar" in page


def test_every_page_loads_the_upload_script_and_no_inline_script(client, player):
    page = client.get("/account").get_data(as_text=True)

    assert '<script src="/static/js/upload.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert ' style="' not in page


def test_a_homebrew_entry_form_has_the_upload_widget_and_saves_the_uploaded_picture(client, player, make, htmx):
    skill = make.skill(name="Lockpicking", owner_id=player.id)
    form = client.get(f"/compendium/skills/{skill.id}/edit").get_data(as_text=True)
    assert '<label for="entry-image-file">Picture</label>' in form
    tags = client.get("/compendium/tags/new").get_data(as_text=True)
    assert "entry-image-file" not in tags  # tags have no picture

    uploaded = post_picture(client, picture(120, 80), htmx, url="/uploads/images?widget=entry-image&visibility=PUBLIC")
    field, image_id = HIDDEN_INPUT.search(uploaded.get_data(as_text=True)).groups()
    saved = client.post(
        f"/compendium/skills/{skill.id}/edit",
        data={"name": "Lockpicking", "required_level": "1", "visibility": "PUBLIC", field: image_id},
    )

    assert saved.status_code == 303
    detail = client.get(f"/compendium/skills/{skill.id}").get_data(as_text=True)
    assert f'src="/api/v1/images/{image_id}/thumbnail"' in detail and 'alt="Picture of Lockpicking"' in detail
    again = client.get(f"/compendium/skills/{skill.id}/edit").get_data(as_text=True)
    assert f'value="{image_id}" data-upload-value' in again  # kept when the form is saved again


def test_a_homebrew_entry_refuses_another_players_private_picture(client, player, make):
    theirs = create_image(make.user(), picture(30, 30), visibility=Visibility.PRIVATE)
    skill = make.skill(name="Lockpicking", owner_id=player.id)

    response = client.post(
        f"/compendium/skills/{skill.id}/edit",
        data={"name": "Lockpicking", "required_level": "1", "visibility": "PUBLIC", "image_id": str(theirs.id)},
    )

    assert response.status_code == 422
    assert db.session.get(Skill, skill.id).image_id is None


def test_the_sheet_offers_its_owner_the_portrait_upload_and_no_one_else(client, other_client, player, hero):
    mine = client.get(f"/characters/{hero.id}").get_data(as_text=True)
    theirs = other_client.get(f"/characters/{hero.id}").get_data(as_text=True)

    assert '<div id="character-portrait"' in mine
    assert '<label for="portrait-upload-file">Upload a portrait</label>' in mine
    assert f'hx-post="/characters/{hero.id}/portrait" hx-trigger="image-uploaded"' in mine
    assert '<div id="character-portrait"' in theirs and "portrait-upload" not in theirs


def test_a_portrait_shows_on_the_sheet_and_the_cards_with_its_placeholder_to_fall_back_on(client, player, hero):
    image = create_image(player, picture(300, 300), visibility=Visibility.PUBLIC)
    hero.image_id = image.id
    db.session.commit()

    sheet = client.get(f"/characters/{hero.id}").get_data(as_text=True)
    cards = client.get("/characters").get_data(as_text=True)

    thumbnail = f'src="/api/v1/images/{image.id}/thumbnail"'
    fallback = 'data-fallback="/placeholders/portrait.svg?race=Dwarf&amp;archetype=Sellsword&amp;initials=BB"'
    assert thumbnail in sheet and fallback in sheet and "Remove portrait" in sheet
    assert thumbnail in cards
