"""Read requests run in autocommit on PostgreSQL (no BEGIN, no ROLLBACK), writes in a transaction, and the rule that
makes that safe (a read never locks a row and writes at most one statement) is enforced for every test."""

import pytest
import sqlalchemy as sa

from tests.conftest import _reads_stay_reads
from tests.support import AuthActions, at_once
from webapp.extensions import db


def _run(app, method: str, *statements: str) -> None:
    with app.test_request_context("/characters/x", method=method):
        for statement in statements:
            _reads_stay_reads(None, None, statement, {}, None, False)


def test_a_read_request_that_locks_a_row_fails_the_test_that_made_it(app):
    with pytest.raises(AssertionError, match="GET /characters/x locks rows"):
        _run(app, "GET", "SELECT characters.id FROM characters WHERE characters.id = %(id)s FOR UPDATE OF characters")


def test_a_read_request_that_writes_twice_fails_the_test_that_made_it(app):
    _run(app, "HEAD", "UPDATE user_sessions SET last_seen_at = now()")
    with pytest.raises(AssertionError, match="HEAD /characters/x writes more than one statement"):
        _run(app, "HEAD", "UPDATE user_sessions SET last_seen_at = now()", "DELETE FROM api_tokens")


def test_a_write_request_may_lock_and_write_as_it_needs(app):
    _run(app, "POST", "SELECT 1 FOR UPDATE", "UPDATE characters SET name = 'a'", "INSERT INTO tags VALUES (1)")


def _served(client, method: str, path: str, **kwargs) -> int:
    """A request answered as a server answers it: in a thread with no app context of the test's, so the request
    has a database session (and connection) of its own."""
    [(status, _)] = at_once([client], lambda c, _n: c.open(path, method=method, **kwargs))
    return status


@pytest.mark.committing  # the served requests check out connections of their own
def test_reads_run_in_autocommit_and_writes_in_a_transaction_on_one_pooled_connection(app, postgres, make):
    owner = make.user()
    character = make.character(owner=owner)
    db.session.commit()
    path = f"/characters/{character.id}"  # read now: after the commit, the object would load itself again
    client = app.test_client()
    assert AuthActions(client).login(owner).status_code in (302, 303)
    seen = []

    def note(conn, _cursor, statement, _parameters, _context, _executemany):
        seen.append((statement.split()[0].upper(), conn.connection.dbapi_connection.autocommit))

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        assert _served(client, "GET", path) == 200
        read = list(seen)
        seen.clear()
        changed = _served(client, "POST", f"{path}/visibility", data={"visibility": "PRIVATE"})
        assert changed in (200, 303)
        write = list(seen)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)

    assert read and all(autocommit for _, autocommit in read)
    assert ("UPDATE", False) in write and not any(autocommit for _, autocommit in write)
    with db.engine.connect() as connection:  # back in the pool, every connection is transactional again
        assert connection.connection.dbapi_connection.autocommit is False
