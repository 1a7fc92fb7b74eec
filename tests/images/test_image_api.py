"""The images API: multipart upload, who may see a PRIVATE picture, caching, limits, changes and deletion."""

import io
import uuid

import pytest
import sqlalchemy as sa
from PIL import Image as PillowImage

from tests.images.samples import picture, png_claiming
from webapp.extensions import db
from webapp.models import Character, Image, Role, User, Visibility
from webapp.services.images import create_image
from webapp.services.tokens import issue_access_token


def bearer(user: User) -> dict:
    return {"Authorization": f"Bearer {issue_access_token(user.id, user.security_stamp)}"}


def upload(client, user, data: bytes | None = None, name: str = "portrait.png", **fields):
    form = {key: value for key, value in fields.items()}
    if data is not None:
        form["file"] = (io.BytesIO(data), name)
    return client.post("/api/v1/images", data=form, headers=bearer(user), content_type="multipart/form-data")


def errors_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.get_json()["errors"]}


@pytest.fixture
def owner(make):
    return make.user(display_name="Ysolde")


@pytest.fixture
def private_image(owner):
    return create_image(owner, picture(300, 200), "Ysolde at the well", Visibility.PRIVATE)


@pytest.fixture
def public_image(owner):
    return create_image(owner, picture(300, 200), "The tavern sign", Visibility.PUBLIC)


def test_upload_answers_201_with_the_spec_shape(client, owner):
    response = upload(client, owner, picture(3000, 2000), description="Brannoc at dawn", visibility="PUBLIC")

    assert response.status_code == 201
    body = response.get_json()
    assert {"id", "content_type", "width", "height", "size", "url", "thumbnail_url", "visibility"} <= set(body)
    assert (body["content_type"], body["width"], body["height"]) == ("image/webp", 2048, 1365)
    assert (body["visibility"], body["description"], body["owner_id"]) == ("PUBLIC", "Brannoc at dawn", str(owner.id))
    assert body["url"] == f"/api/v1/images/{body['id']}/file"
    assert body["thumbnail_url"] == f"/api/v1/images/{body['id']}/thumbnail"
    assert response.headers["Location"] == f"/api/v1/images/{body['id']}"
    assert response.headers["Cache-Control"] == "no-store"
    stored = client.get(body["url"])
    assert stored.status_code == 200 and len(stored.data) == body["size"]


def test_upload_is_private_unless_told_otherwise(client, owner):
    assert upload(client, owner, picture(40, 40)).get_json()["visibility"] == "PRIVATE"


def test_upload_works_with_the_browser_session_too(client, auth, owner):
    auth.login(owner)

    response = client.post("/api/v1/images", data={"file": (io.BytesIO(picture(40, 40)), "a.webp")})

    assert response.status_code == 201


def test_upload_without_signing_in_is_401(client):
    response = client.post("/api/v1/images", data={"file": (io.BytesIO(picture(40, 40)), "a.png")})

    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_file_that_is_not_an_image_is_422_on_the_file_field(client, owner):
    response = upload(client, owner, b"MZ\x90\x00 definitely not a picture", name="portrait.png")

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert errors_of(response) == {"file": "That file is not a JPEG, PNG or WebP image."}
    assert db.session.execute(sa.select(sa.func.count()).select_from(Image)).scalar_one() == 0


def test_a_header_claiming_too_many_pixels_is_422(client, owner):
    response = upload(client, owner, png_claiming(10_000, 10_000))

    assert response.status_code == 422
    assert "megapixels" in errors_of(response)["file"]


def test_over_five_megabytes_is_413_from_the_service(client, owner):
    response = upload(client, owner, b"\x89PNG" + b"\x00" * (5 * 1024 * 1024 + 10))

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert "at most 5 MB" in response.get_json()["detail"]


def test_over_the_request_limit_is_413_before_the_body_is_read(client, owner):
    response = upload(client, owner, b"\x00" * (7 * 1024 * 1024))

    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"


def test_missing_file_unknown_fields_and_hidden_visibility_are_422(client, owner):
    assert errors_of(upload(client, owner, description="no file")) == {
        "file": "Attach a JPEG, PNG or WebP picture as the `file` field."
    }
    assert errors_of(upload(client, owner, picture(40, 40), owner_id="someone-else")) == {"owner_id": "Unknown field."}
    assert "visibility" in errors_of(upload(client, owner, picture(40, 40), visibility="HIDDEN"))


def test_a_json_body_is_415(client, owner):
    response = client.post("/api/v1/images", json={"file": "aGVsbG8="}, headers=bearer(owner))

    assert response.status_code == 415


def test_unverified_users_cannot_upload_where_verification_is_required(app, client, make):
    user = make.user(email_verified=False)
    app.config["EMAIL_VERIFICATION_REQUIRED"] = True
    try:
        response = upload(client, user, picture(40, 40))
    finally:
        app.config["EMAIL_VERIFICATION_REQUIRED"] = False

    assert response.status_code == 403


@pytest.mark.parametrize("path", ["", "/file", "/thumbnail"])
def test_private_image_is_404_to_anonymous_visitors(client, private_image, path):
    response = client.get(f"/api/v1/images/{private_image.id}{path}")

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["", "/file", "/thumbnail"])
def test_private_image_is_404_to_another_user(client, make, private_image, path):
    response = client.get(f"/api/v1/images/{private_image.id}{path}", headers=bearer(make.user()))

    assert response.status_code == 404


def test_private_image_is_404_to_a_moderator_too(client, make, private_image):
    response = client.get(f"/api/v1/images/{private_image.id}/file", headers=bearer(make.user(role=Role.MODERATOR)))

    assert response.status_code == 404


def test_private_image_is_served_to_its_owner_and_never_cached(client, owner, private_image):
    response = client.get(f"/api/v1/images/{private_image.id}/file", headers=bearer(owner))

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert PillowImage.open(io.BytesIO(response.data)).size == (300, 200)


def test_private_thumbnail_is_served_to_its_owner_through_the_browser_session(client, auth, owner, private_image):
    auth.login(owner)

    response = client.get(f"/api/v1/images/{private_image.id}/thumbnail")

    assert response.status_code == 200
    assert PillowImage.open(io.BytesIO(response.data)).size == (256, 171)


def test_private_image_is_served_to_an_admin(client, make, private_image):
    response = client.get(f"/api/v1/images/{private_image.id}/file", headers=bearer(make.user(role=Role.ADMIN)))

    assert response.status_code == 200


def test_private_image_on_s3_redirects_its_owner_to_a_short_lived_signed_url(client, install, s3_storage, make, owner):
    install(s3_storage)
    image = create_image(owner, picture(300, 200), visibility=Visibility.PRIVATE)

    response = client.get(f"/api/v1/images/{image.id}/file", headers=bearer(owner))

    assert response.status_code == 302
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Location"].startswith(s3_storage.client.meta.endpoint_url)
    assert "X-Amz-Expires=300" in response.headers["Location"]
    assert client.get(f"/api/v1/images/{image.id}/file", headers=bearer(make.user())).status_code == 404
    assert client.get(f"/api/v1/images/{image.id}/file").status_code == 404


def test_pages_allow_the_storage_origin_as_an_image_source_when_on_s3(client, install, s3_storage):
    install(s3_storage)

    policy = client.get("/").headers["Content-Security-Policy"]

    assert f"img-src 'self' {s3_storage.client.meta.endpoint_url}" in policy


def test_public_image_is_streamed_to_anyone_with_short_public_caching(client, public_image):
    response = client.get(f"/api/v1/images/{public_image.id}/file")

    assert response.status_code == 200
    assert response.mimetype == "image/webp"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] == f'"{public_image.id.hex}"'


def test_public_image_on_s3_is_streamed_not_redirected(client, install, s3_storage, owner):
    install(s3_storage)
    image = create_image(owner, picture(300, 200), visibility=Visibility.PUBLIC)

    response = client.get(f"/api/v1/images/{image.id}/thumbnail")

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert PillowImage.open(io.BytesIO(response.data)).size == (256, 171)


def test_public_image_revalidation_is_304_without_touching_storage(client, public_image, monkeypatch):
    from webapp.services import images

    monkeypatch.setattr(images, "deliver_image", lambda *a, **k: pytest.fail("storage was read"))

    response = client.get(
        f"/api/v1/images/{public_image.id}/thumbnail", headers={"If-None-Match": f'"{public_image.id.hex}-thumb"'}
    )

    assert response.status_code == 304
    assert response.headers["Cache-Control"] == "public, max-age=300"


def test_unknown_image_is_404(client, owner):
    assert client.get("/api/v1/images/0190c3a8-0000-7000-8000-000000000000/file").status_code == 404


def test_list_shows_public_images_and_ones_own_private_ones(client, make, owner, private_image, public_image):
    theirs = create_image(make.user(), picture(40, 40), "Someone else's secret", Visibility.PRIVATE)

    anonymous = client.get("/api/v1/images").get_json()
    mine = client.get("/api/v1/images", headers=bearer(owner)).get_json()
    only_mine = client.get("/api/v1/images?mine=true&visibility=PRIVATE", headers=bearer(owner)).get_json()

    assert [row["id"] for row in anonymous["data"]] == [str(public_image.id)]
    assert {row["id"] for row in mine["data"]} == {str(public_image.id), str(private_image.id)}
    assert str(theirs.id) not in {row["id"] for row in mine["data"]}
    assert [row["id"] for row in only_mine["data"]] == [str(private_image.id)]


def test_list_is_cursor_paginated(client, owner):
    made = [create_image(owner, picture(20 + n, 20), f"picture {n}", Visibility.PUBLIC) for n in range(5)]

    first = client.get("/api/v1/images?limit=2").get_json()
    second = client.get(f"/api/v1/images?limit=2&cursor={first['pagination']['next_cursor']}").get_json()

    assert first["pagination"]["has_next"] is True
    seen = [row["id"] for row in first["data"] + second["data"]]
    assert seen == [str(image.id) for image in reversed(made)][:4]


def test_list_searches_descriptions(client, owner, private_image, public_image):
    found = client.get("/api/v1/images?search=WELL", headers=bearer(owner)).get_json()["data"]

    assert [row["id"] for row in found] == [str(private_image.id)]


def test_stats_count_only_what_the_caller_may_see(client, make, owner, private_image, public_image):
    anonymous = client.get("/api/v1/images/stats").get_json()
    mine = client.get("/api/v1/images/stats", headers=bearer(owner)).get_json()

    assert anonymous["total"] == 1 and anonymous["by_visibility"]["PRIVATE"] == 0
    assert anonymous["total_size"] == public_image.size
    assert mine["total"] == 2 and mine["by_visibility"] == {"PUBLIC": 1, "PRIVATE": 1, "HIDDEN": 0}


def test_owner_changes_description_and_visibility(client, owner, private_image):
    response = client.patch(
        f"/api/v1/images/{private_image.id}",
        json={"description": "At the well", "visibility": "PUBLIC"},
        headers=bearer(owner),
    )

    assert response.status_code == 200
    assert (response.get_json()["description"], response.get_json()["visibility"]) == ("At the well", "PUBLIC")
    assert client.get(f"/api/v1/images/{private_image.id}/file").status_code == 200


def test_patch_rejects_unknown_fields_and_hiding_by_the_owner(client, owner, private_image):
    unknown = client.patch(f"/api/v1/images/{private_image.id}", json={"width": 10}, headers=bearer(owner))
    hide = client.patch(f"/api/v1/images/{private_image.id}", json={"visibility": "HIDDEN"}, headers=bearer(owner))

    assert unknown.status_code == 422 and errors_of(unknown) == {"width": "Unknown field."}
    assert hide.status_code == 422 and "visibility" in errors_of(hide)


def test_a_moderator_hides_a_public_image_but_may_not_make_it_private(client, make, public_image):
    moderator = bearer(make.user(role=Role.MODERATOR))
    url = f"/api/v1/images/{public_image.id}"

    privatised = client.patch(url, json={"visibility": "PRIVATE"}, headers=moderator)
    assert privatised.status_code == 422
    assert errors_of(privatised) == {"visibility": "Only its owner makes it public or private."}
    assert client.get(url, headers=moderator).get_json()["visibility"] == "PUBLIC"
    hidden = client.patch(url, json={"visibility": "HIDDEN"}, headers=moderator)
    assert hidden.status_code == 200 and hidden.get_json()["visibility"] == "HIDDEN"


def test_someone_else_may_not_change_or_delete_a_public_image(client, make, public_image):
    stranger = bearer(make.user())

    change = client.patch(f"/api/v1/images/{public_image.id}", json={"description": "x"}, headers=stranger)
    assert change.status_code == 403
    assert client.delete(f"/api/v1/images/{public_image.id}", headers=stranger).status_code == 403


def test_someone_else_may_not_even_learn_of_a_private_image(client, make, private_image):
    stranger = bearer(make.user())

    change = client.patch(f"/api/v1/images/{private_image.id}", json={"description": "x"}, headers=stranger)
    assert change.status_code == 404
    assert client.delete(f"/api/v1/images/{private_image.id}", headers=stranger).status_code == 404


def test_stale_if_match_is_412(client, owner, private_image):
    response = client.patch(
        f"/api/v1/images/{private_image.id}", json={"description": "x"}, headers={**bearer(owner), "If-Match": '"old"'}
    )

    assert response.status_code == 412


def test_deleting_an_image_removes_its_files_and_portraits_fall_back(app, client, make, owner, private_image):
    from webapp.storage import storage

    hero = make.character(owner=owner, image_id=private_image.id)
    keys = [private_image.storage_key, private_image.thumbnail_key]

    response = client.delete(f"/api/v1/images/{private_image.id}", headers=bearer(owner))

    assert response.status_code == 204
    assert not any(storage().exists(key) for key in keys)
    assert db.session.execute(sa.select(Character.image_id).where(Character.id == hero.id)).scalar_one() is None
    assert client.get(f"/api/v1/images/{private_image.id}", headers=bearer(owner)).status_code == 404


def test_a_kept_character_answer_stops_naming_its_deleted_picture(client, make, owner, public_image):
    hero = make.character(owner=owner, image_id=public_image.id)
    headers, path = bearer(owner), f"/api/v1/characters/{hero.id}"
    for asked in (headers, {}):  # the owner's answer and a visitor's are each kept
        assert client.get(path, headers=asked).get_json()["image_id"] == str(public_image.id)
    assert client.delete(f"/api/v1/images/{public_image.id}", headers=headers).status_code == 204
    for asked in (headers, {}):
        assert client.get(path, headers=asked).get_json()["image_id"] is None


def test_image_routes_are_documented_with_a_multipart_upload_and_picture_responses(client):
    doc = client.get("/api/v1/openapi.json").get_json()

    upload_body = doc["paths"]["/api/v1/images"]["post"]["requestBody"]["content"]
    assert upload_body["multipart/form-data"]["schema"]["required"] == ["file"]
    file_route = doc["paths"]["/api/v1/images/{image_id}/file"]["get"]["responses"]
    assert "image/webp" in file_route["200"]["content"] and "302" in file_route
    assert {"413", "422"} <= set(doc["paths"]["/api/v1/images"]["post"]["responses"])


def character_body(make, **overrides) -> dict:
    race, archetype = make.race(), make.archetype()
    scores = make.point_buy()
    return {"name": "Brannoc", "race_id": str(race.id), "archetype_id": str(archetype.id), **scores, **overrides}


def test_a_character_takes_an_image_the_caller_may_see_as_its_portrait(client, make, owner, private_image):
    created = client.post(
        "/api/v1/characters", json=character_body(make, image_id=str(private_image.id)), headers=bearer(owner)
    )
    assert created.status_code == 201
    assert created.get_json()["image_id"] == str(private_image.id)

    character_id = created.get_json()["id"]
    removed = client.patch(f"/api/v1/characters/{character_id}", json={"image_id": None}, headers=bearer(owner))
    assert removed.status_code == 200 and removed.get_json()["image_id"] is None

    public = create_image(make.user(), picture(30, 30), visibility=Visibility.PUBLIC)  # someone else's, but PUBLIC
    again = client.patch(f"/api/v1/characters/{character_id}", json={"image_id": str(public.id)}, headers=bearer(owner))
    assert again.status_code == 200 and again.get_json()["image_id"] == str(public.id)


def test_a_character_refuses_another_players_private_image_with_a_clear_message(client, make, private_image):
    player = make.user()
    hero = make.character(owner=player)

    response = client.patch(
        f"/api/v1/characters/{hero.id}", json={"image_id": str(private_image.id)}, headers=bearer(player)
    )
    created = client.post(
        "/api/v1/characters", json=character_body(make, image_id=str(private_image.id)), headers=bearer(player)
    )

    assert response.status_code == 422
    assert errors_of(response) == {"image_id": "There is no such image, or it is another player's private picture"}
    assert created.status_code == 422 and "image_id" in errors_of(created)


def test_a_user_takes_an_avatar_only_from_images_they_may_see(client, make, owner, private_image):
    player = make.user()

    refused = client.patch(
        f"/api/v1/users/{player.id}", json={"image_id": str(private_image.id)}, headers=bearer(player)
    )
    accepted = client.patch(
        f"/api/v1/users/{owner.id}", json={"image_id": str(private_image.id)}, headers=bearer(owner)
    )

    assert refused.status_code == 422 and "image_id" in errors_of(refused)
    assert accepted.status_code == 200 and accepted.get_json()["avatar_image_id"] == str(private_image.id)


@pytest.mark.parametrize("kind", ["races", "archetypes", "skills", "perks", "items"])
def test_compendium_entries_take_only_images_the_caller_may_see(client, make, owner, private_image, kind):
    player = make.user()
    entry = client.post(f"/api/v1/{kind}", json=compendium_body(kind), headers=bearer(owner))
    assert entry.status_code == 201, entry.get_json()
    entry_id = entry.get_json()["id"]

    accepted = client.patch(
        f"/api/v1/{kind}/{entry_id}", json={"image_id": str(private_image.id)}, headers=bearer(owner)
    )
    refused = client.post(
        f"/api/v1/{kind}", json={**compendium_body(kind), "image_id": str(private_image.id)}, headers=bearer(player)
    )

    assert accepted.status_code == 200 and accepted.get_json()["image_id"] == str(private_image.id)
    assert refused.status_code == 422 and "image_id" in errors_of(refused)


def compendium_body(kind: str) -> dict:
    name = f"Homebrew {kind} {uuid.uuid4().hex[:6]}"
    return {
        "races": {"name": name},
        "archetypes": {
            "name": name,
            "health_per_level": 8,
            "mana_per_level": 2,
            "stamina_per_level": 6,
            "primary_attribute": "strength",
        },
        "skills": {"name": name, "required_level": 1},
        "perks": {"name": name, "required_level": 1},
        "items": {"name": name, "rarity": "COMMON", "slot": "NONE"},
    }[kind]
