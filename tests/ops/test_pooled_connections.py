"""A pooled PostgreSQL connection that the server ended while it sat idle (a restart, an idle timeout, an
administrator) is replaced before a request uses it, without the round trip of a ping, and no request fails."""

from contextlib import ExitStack

import pytest
import sqlalchemy as sa

from tests.conftest import _admin_engine
from tests.support import AuthActions, served
from webapp.database import _still_open
from webapp.extensions import db

pytestmark = pytest.mark.committing  # the served requests check out connections of their own


def _pooled_backends() -> list[int]:
    """The server process behind each connection the pool holds (checking them all out, then back in)."""
    with ExitStack() as stack:
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(db.engine.pool.size())]
        return [connection.connection.dbapi_connection.info.backend_pid for connection in pooled]


def _end(backends: list[int]) -> None:
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            for pid in backends:
                connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_request_after_the_database_ended_every_pooled_connection_is_answered(app, postgres, make):
    owner = make.user()
    character = make.character(owner=owner, name="Brannoc")
    db.session.commit()
    path = f"/characters/{character.id}"
    client = app.test_client()
    assert AuthActions(client).login(owner).status_code in (302, 303)
    before = _pooled_backends()

    _end(before)
    page = served(lambda: client.get(path))
    changed = served(lambda: client.post(f"{path}/visibility", data={"visibility": "PRIVATE"}))

    assert page.status_code == 200 and "Brannoc" in page.get_data(as_text=True)
    assert changed.status_code in (200, 303)
    assert not set(_pooled_backends()) & set(before), "every ended connection was replaced"


def test_a_connection_the_server_has_not_ended_is_kept(app, postgres):
    before = _pooled_backends()
    served(lambda: app.test_client().get("/health"))
    assert set(_pooled_backends()) == set(before)


def test_a_pooled_connection_closed_on_this_side_is_replaced_too(app, postgres):
    with db.engine.connect() as connection:
        closed = connection.connection.dbapi_connection
        closed.close()
    with pytest.raises(sa.exc.DisconnectionError):
        _still_open(closed, None, None)
    assert served(lambda: app.test_client().get("/health")).status_code == 200
