"""A change whose row another request deletes right after it commits: the answer is what was written, or a clear
404 or 409, never a 500 from reading back a row that is gone."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from tests.support import at_once
from webapp.extensions import db
from webapp.models import Campaign, Image, InventoryEntry, Race, User, Visibility

pytestmark = pytest.mark.committing  # the DELETE comes through a connection of its own


@contextmanager
def deleted_right_after_the_change(model, **key):
    """The first commit after a statement wrote `model`'s table (through the ORM or not) is followed at once by a
    DELETE of the row from another connection."""
    table = model.__table__.name
    written = []

    def note_the_change(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip().upper().startswith((f"UPDATE {table.upper()} ", f"INSERT INTO {table.upper()} ")):
            written.append(statement)

    def deleted_by_another_request(_session):
        if written:
            written.clear()
            with db.engine.begin() as connection:
                connection.execute(sa.delete(model).filter_by(**key))

    sa.event.listen(db.engine, "before_cursor_execute", note_the_change)
    sa.event.listen(sa.orm.Session, "after_commit", deleted_by_another_request)
    try:
        yield
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", deleted_by_another_request)
        sa.event.remove(db.engine, "before_cursor_execute", note_the_change)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**key)) == 0, "it was deleted"


def _sent(app, method: str, path: str, secret: str, body: dict) -> tuple[int, dict | None]:
    """One request from a thread of its own, as a server runs it (its own session and connection)."""
    [(status, answer)] = at_once(
        [app.test_client()],
        lambda client, _n: client.open(path, method=method, json=body, headers={"Authorization": f"Bearer {secret}"}),
    )
    return status, answer


def test_a_campaign_renamed_and_deleted_at_once_is_not_found(app, make):
    gm = make.user()
    campaign = make.campaign(owner=gm, name="Ashes of Yore")
    _, secret = make.personal_token(gm, scope="write")

    with deleted_right_after_the_change(Campaign, id=campaign.id):
        status, body = _sent(app, "PATCH", f"/api/v1/campaigns/{campaign.id}", secret, {"name": "Embers"})

    assert status in (200, 404), body
    assert status == 404 or body["name"] == "Embers"


def test_a_homebrew_race_changed_and_deleted_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    race = make.race(owner_id=owner.id, name="Marsh Elf")
    _, secret = make.personal_token(owner, scope="write")

    with deleted_right_after_the_change(Race, id=race.id):
        status, body = _sent(app, "PATCH", f"/api/v1/races/{race.id}", secret, {"description": "Reed folk."})

    assert status in (200, 404), body
    assert status == 404 or body["description"] == "Reed folk."


def test_a_pack_row_changed_and_dropped_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    character = make.character(owner=owner)
    item = make.item(name="Torch")
    make.give(character, item, quantity=2)
    _, secret = make.personal_token(owner, scope="write")
    path = f"/api/v1/characters/{character.id}/inventory/{item.id}"

    with deleted_right_after_the_change(InventoryEntry, character_id=character.id, item_id=item.id):
        status, body = _sent(app, "PATCH", path, secret, {"quantity": 5})

    assert status in (200, 404), body
    assert status == 404 or body["quantity"] == 5


def test_a_picture_described_and_deleted_at_once_answers_with_the_change_or_not_found(app, make):
    owner = make.user()
    image = make._save(
        Image(owner_id=owner.id, visibility=Visibility.PUBLIC, content_type="image/webp", width=1, height=1, size=1,
              storage_key="k", thumbnail_key="t", description="")
    )  # fmt: skip
    _, secret = make.personal_token(owner, scope="write")

    with deleted_right_after_the_change(Image, id=image.id):
        status, body = _sent(app, "PATCH", f"/api/v1/images/{image.id}", secret, {"description": "A marsh at dusk."})

    assert status in (200, 404), body
    assert status == 404 or body["description"] == "A marsh at dusk."


def test_a_profile_changed_while_its_user_is_deleted_answers_without_a_server_error(app, make):
    owner = make.user(display_name="Wren")
    _, secret = make.personal_token(owner, scope="write")

    with deleted_right_after_the_change(User, id=owner.id):
        status, body = _sent(app, "PATCH", f"/api/v1/users/{owner.id}", secret, {"display_name": "Wren the Bold"})

    assert status in (200, 404), body
    assert status == 404 or body["display_name"] == "Wren the Bold"
