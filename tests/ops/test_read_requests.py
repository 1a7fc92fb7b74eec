"""Read requests run in autocommit on PostgreSQL (no BEGIN, no ROLLBACK), writes in a transaction, and the rule that
makes that safe (a read never locks a row and writes at most one statement) is enforced for every test."""

from contextlib import ExitStack

import pytest
import sqlalchemy as sa

from tests.conftest import _reads_stay_reads
from tests.support import AuthActions, served
from webapp.extensions import db


def _run(app, method: str, *statements: str) -> None:
    with app.test_request_context("/characters/x", method=method):
        for statement in statements:
            _reads_stay_reads(None, None, statement, {}, None, False)


@pytest.mark.parametrize(
    "lock", ["FOR UPDATE OF characters", "\nFOR UPDATE", "FOR NO KEY UPDATE", "FOR SHARE", "for  update nowait"]
)
def test_a_read_request_that_locks_a_row_fails_the_test_that_made_it(app, lock):
    with pytest.raises(AssertionError, match="GET /characters/x locks rows"):
        _run(app, "GET", f"SELECT characters.id FROM characters WHERE characters.id = %(id)s {lock}")  # noqa: S608


def test_a_read_request_may_name_a_column_like_a_lock(app):
    _run(app, "GET", "SELECT users.update_count, forum.updates FROM users")


def test_a_read_request_that_writes_twice_fails_the_test_that_made_it(app):
    _run(app, "HEAD", "UPDATE user_sessions SET last_seen_at = now()")
    with pytest.raises(AssertionError, match="HEAD /characters/x writes more than one statement"):
        _run(app, "HEAD", "UPDATE user_sessions SET last_seen_at = now()", "DELETE FROM api_tokens")


def test_a_write_request_may_lock_and_write_as_it_needs(app):
    _run(app, "POST", "SELECT 1 FOR UPDATE", "UPDATE characters SET name = 'a'", "INSERT INTO tags VALUES (1)")


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
        assert served(lambda: client.get(path)).status_code == 200
        read = list(seen)
        seen.clear()
        changed = served(lambda: client.post(f"{path}/visibility", data={"visibility": "PRIVATE"}))
        assert changed.status_code in (200, 303)
        write = list(seen)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)

    assert read and all(autocommit for _, autocommit in read)
    assert ("UPDATE", False) in write and not any(autocommit for _, autocommit in write)
    with ExitStack() as stack:  # back in the pool, every connection is transactional again: check them all out
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(db.engine.pool.size())]
        assert [c.connection.dbapi_connection.autocommit for c in pooled] == [False] * len(pooled)
