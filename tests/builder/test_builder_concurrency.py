"""Two tabs of one builder saving at once (PostgreSQL: the read of the draft is slowed so that they overlap): each
tab's step is kept, and the first saves of both make one draft."""

import pytest
import sqlalchemy as sa

from tests.support import at_once, signed_in_clients, slowed
from webapp.extensions import db
from webapp.models import BuilderDraft
from webapp.services import builder

pytestmark = pytest.mark.committing  # requests race in threads, each on a connection of its own


def draft_of(user_id) -> dict:
    db.session.expire_all()
    return db.session.scalar(sa.select(BuilderDraft.data).where(BuilderDraft.user_id == user_id))


def test_two_tabs_saving_different_steps_at_once_keep_both(app, postgres, make, monkeypatch):
    owner, race_id = make.user(), str(make.race(name="Marshfolk").id)
    tabs = signed_in_clients(app, owner, 2)
    assert tabs[0].post("/characters/new/identity", data={"name": "Aria"}).status_code == 303
    monkeypatch.setattr(builder, "open_draft", slowed(builder.open_draft, 0.3))

    def send(tab, index):
        if index == 0:
            return tab.post("/characters/new/identity", data={"name": "Bryn", "visibility": "PUBLIC"})
        return tab.post("/characters/new/race", data={"choice": race_id})

    assert [status for status, _ in at_once(tabs, send)] == [303, 303]
    data = draft_of(owner.id)
    assert (data["name"], data["visibility"], data["race_id"]) == ("Bryn", "PUBLIC", race_id)


def test_two_first_saves_at_once_make_one_draft_with_both(app, postgres, make, monkeypatch):
    owner, race_id = make.user(), str(make.race(name="Marshfolk").id)
    tabs = signed_in_clients(app, owner, 2)
    monkeypatch.setattr(builder, "open_draft", slowed(builder.open_draft, 0.3))

    def send(tab, index):
        if index == 0:
            return tab.post("/characters/new/identity", data={"name": "Bryn"})
        return tab.post("/characters/new/race", data={"choice": race_id})

    assert [status for status, _ in at_once(tabs, send)] == [303, 303]
    assert db.session.scalar(sa.select(sa.func.count()).where(BuilderDraft.user_id == owner.id)) == 1
    data = draft_of(owner.id)
    assert (data["name"], data["race_id"]) == ("Bryn", race_id)
