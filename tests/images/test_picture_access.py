"""A PRIVATE picture follows what shows it to those who read that through a grant of their own, and no further.

The GM who reads a member's character sees the portrait its player gave it; staff who see a user's profile see
the avatar they chose. Nobody else gains the picture, and nobody gains a right to change or reuse it.
"""

import pytest

from tests.images.samples import picture
from webapp.extensions import db
from webapp.models import Role, User, Visibility
from webapp.services.images import create_image
from webapp.services.tokens import issue_access_token


def bearer(user: User | None) -> dict:
    return {"Authorization": f"Bearer {issue_access_token(user.id, user.security_stamp)}"} if user else {}


@pytest.fixture
def owner(make):
    return make.user(display_name="Ysolde")


@pytest.fixture
def portrait(owner):
    return create_image(owner, picture(300, 300), "Ysolde by the well", Visibility.PRIVATE)


@pytest.mark.parametrize("path", ["/file", "/thumbnail"])
@pytest.mark.parametrize(
    ("viewer", "membership", "status"),
    [
        ("owner", "APPROVED", 200),
        ("gm", "APPROVED", 200),
        ("gm", "PENDING", 404),
        ("other user", "APPROVED", 404),
        ("anonymous", "APPROVED", 404),
    ],
)
def test_a_private_portrait_is_seen_by_whoever_may_read_its_character(
    client, make, owner, portrait, path, viewer, membership, status
):
    hero = make.character(owner=owner, name="Ysolde", image_id=portrait.id, visibility=Visibility.PRIVATE)
    gm = make.user(display_name="Greta the GM")
    make.membership(make.campaign(owner=gm), hero, status=membership)
    who = {"owner": owner, "gm": gm, "other user": make.user(), "anonymous": None}[viewer]

    response = client.get(f"/api/v1/images/{portrait.id}{path}", headers=bearer(who))

    assert response.status_code == status
    if status == 200:
        assert response.mimetype == "image/webp"
        assert response.headers["Cache-Control"] == "private, no-store"


def test_the_gm_sees_the_portraits_on_the_dashboard(client, auth, make, owner, portrait):
    hero = make.character(owner=owner, name="Ysolde", image_id=portrait.id, visibility=Visibility.PRIVATE)
    gm = make.user()
    campaign = make.campaign(owner=gm)
    make.membership(campaign, hero)
    auth.login(gm)

    page = client.get(f"/campaigns/{campaign.id}").get_data(as_text=True)

    assert f"/api/v1/images/{portrait.id}/thumbnail" in page
    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail").status_code == 200


def test_a_public_character_does_not_publish_its_private_portrait(client, make, owner, portrait):
    # The picture's visibility is its own: readers of a PUBLIC character get its placeholder instead.
    make.character(owner=owner, image_id=portrait.id, visibility=Visibility.PUBLIC)

    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail").status_code == 404
    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail", headers=bearer(make.user())).status_code == 404


def test_a_picture_someone_else_put_on_their_character_is_not_shown_through_it(client, make, owner, portrait):
    # Attached while PUBLIC, made PRIVATE later by its owner: the other player's character does not publish it.
    make.character(owner=make.user(), image_id=portrait.id, visibility=Visibility.PUBLIC)

    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail").status_code == 404


def test_a_hidden_portrait_stays_with_the_moderators(client, make, owner, portrait):
    hero = make.character(owner=owner, image_id=portrait.id, visibility=Visibility.PRIVATE)
    gm = make.user()
    make.membership(make.campaign(owner=gm), hero)
    portrait.visibility = Visibility.HIDDEN
    db.session.commit()

    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail", headers=bearer(gm)).status_code == 404


def test_the_gm_may_look_at_a_members_portrait_but_not_change_delete_or_reuse_it(client, make, owner, portrait):
    hero = make.character(owner=owner, image_id=portrait.id, visibility=Visibility.PRIVATE)
    gm = make.user()
    make.membership(make.campaign(owner=gm), hero)
    mine = make.character(owner=gm)
    image = f"/api/v1/images/{portrait.id}"

    assert client.get(image, headers=bearer(gm)).status_code == 200
    assert client.patch(image, json={"description": "mine"}, headers=bearer(gm)).status_code == 404
    assert client.delete(image, headers=bearer(gm)).status_code == 404
    reused = client.patch(f"/api/v1/characters/{mine.id}", json={"image_id": str(portrait.id)}, headers=bearer(gm))
    avatar = client.patch(f"/api/v1/users/{gm.id}", json={"image_id": str(portrait.id)}, headers=bearer(gm))
    assert reused.status_code == 422 and avatar.status_code == 422
    listed = client.get("/api/v1/images", headers=bearer(gm)).get_json()["data"]
    assert str(portrait.id) not in {entry["id"] for entry in listed}


@pytest.mark.parametrize(("viewer", "status"), [("moderator", 200), ("admin", 200), ("user", 404), ("anonymous", 404)])
def test_a_private_avatar_is_seen_by_whoever_may_see_the_profile(client, make, owner, portrait, viewer, status):
    owner.avatar_image_id = portrait.id
    db.session.commit()
    who = {
        "moderator": make.user(role=Role.MODERATOR),
        "admin": make.user(role=Role.ADMIN),
        "user": make.user(),
        "anonymous": None,
    }[viewer]

    assert client.get(f"/api/v1/images/{portrait.id}/thumbnail", headers=bearer(who)).status_code == status
