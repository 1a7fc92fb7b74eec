"""A change whose row another request deletes right after it commits: the answer is what was written, or a clear
404 or 409, never a 500 from reading back a row that is gone."""

import pytest

from tests import factories
from tests.support import at_once, deleted_right_after_the_change, signed_in_clients
from webapp.models import Campaign, Image, InventoryEntry, Race, User, Visibility

pytestmark = pytest.mark.committing  # the DELETE comes through a connection of its own


def patched_while_deleted(app, owner, path: str, body: dict, model, **key) -> None:
    """PATCH `path` with `body` by the owner's write token, from a thread of its own as a server runs it, while
    the row is deleted right after the change commits: the answer is the change as written, or 404."""
    _, secret = factories.personal_token(owner, scope="write")
    with deleted_right_after_the_change(model, **key):
        [(status, answer)] = at_once(
            [app.test_client()],
            lambda client, _n: client.patch(path, json=body, headers={"Authorization": f"Bearer {secret}"}),
        )
    assert status in (200, 404), answer
    assert status == 404 or {name: answer[name] for name in body} == body


def test_a_campaign_renamed_and_deleted_at_once_answers_with_the_change_or_not_found(app, make):
    gm = make.user()
    campaign = make.campaign(owner=gm, name="Ashes of Yore")
    path = f"/api/v1/campaigns/{campaign.id}"
    patched_while_deleted(app, gm, path, {"name": "Embers"}, Campaign, id=campaign.id)


def test_a_homebrew_race_changed_and_deleted_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    race = make.race(owner_id=owner.id, name="Marsh Elf")
    path = f"/api/v1/races/{race.id}"
    patched_while_deleted(app, owner, path, {"description": "Reed folk."}, Race, id=race.id)


def test_a_pack_row_changed_and_dropped_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    character = make.character(owner=owner)
    item = make.item(name="Torch")
    make.give(character, item, quantity=2)
    path = f"/api/v1/characters/{character.id}/inventory/{item.id}"
    patched_while_deleted(app, owner, path, {"quantity": 5}, InventoryEntry, character_id=character.id, item_id=item.id)


def test_a_picture_described_and_deleted_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    image = make._save(
        Image(owner_id=owner.id, visibility=Visibility.PUBLIC, content_type="image/webp", width=1, height=1, size=1,
              storage_key="k", thumbnail_key="t", description="")
    )  # fmt: skip
    path = f"/api/v1/images/{image.id}"
    patched_while_deleted(app, owner, path, {"description": "A marsh at dusk."}, Image, id=image.id)


def test_a_profile_changed_while_its_user_is_deleted_answers_with_the_change_or_not_found(app, make):
    owner = make.user(display_name="Wren")
    path = f"/api/v1/users/{owner.id}"
    patched_while_deleted(app, owner, path, {"display_name": "Wren the Bold"}, User, id=owner.id)


@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_an_addition_to_the_pack_dropped_at_once_answers_with_what_is_left(app, make, htmx):
    owner = make.user()
    hero, rope = make.character(owner=owner, name="Brannoc"), make.item(name="Rope")
    browser = signed_in_clients(app, owner, 1)
    path, form = f"/characters/{hero.id}/inventory", {"item_id": str(rope.id), "quantity": "2"}
    headers = {"HX-Request": "true"} if htmx else {}
    with deleted_right_after_the_change(InventoryEntry, character_id=hero.id, item_id=rope.id):
        [(status, _)] = at_once(browser, lambda client, _n: client.post(path, data=form, headers=headers))
    assert status == (200 if htmx else 303)
