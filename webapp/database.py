"""Engine tweaks that differ between SQLite and PostgreSQL."""

import select

import sqlalchemy as sa
from flask import Flask, has_request_context, request

from webapp.extensions import db

# A read's statements each see the latest committed data anyway (PostgreSQL's READ COMMITTED), so a transaction
# around them buys nothing and costs two round trips: BEGIN before the first, ROLLBACK when the connection goes
# back to the pool. Requests that only read run in autocommit; a write they make (a session's last-seen note,
# a verified address) is one statement, atomic on its own. tests/conftest.py holds every test's reads to that.
READ_METHODS = frozenset({"GET", "HEAD"})


def configure_engine(app: Flask) -> None:
    """SQLite enforces foreign keys only when asked, on every connection; PostgreSQL runs reads in autocommit."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if not uri.startswith("sqlite"):
        if uri.startswith("postgresql"):
            with app.app_context():
                sa.event.listen(db.engine, "checkout", _still_open)
                sa.event.listen(db.engine, "checkout", _autocommit_for_reads)
                sa.event.listen(db.engine, "checkin", _transactional_again)
        return
    if uri.startswith("sqlite:///"):
        from pathlib import Path

        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        sa.event.listen(db.engine, "connect", _sqlite_pragmas)


def _still_open(dbapi_connection, _record, _proxy) -> None:
    """A pooled connection the server has ended (a restart, an idle timeout, pg_terminate_backend) is replaced before
    use: an idle connection's socket has nothing to read until the server says goodbye and closes it. This costs a
    system call where a ping (DB_POOL_PRE_PING) costs a round trip; raising DisconnectionError makes the pool discard
    the connection and check out another."""
    if dbapi_connection.closed:
        raise sa.exc.DisconnectionError("This pooled connection was closed")
    poller = select.poll()
    poller.register(dbapi_connection.fileno(), select.POLLIN | select.POLLHUP | select.POLLERR)
    if poller.poll(0):
        raise sa.exc.DisconnectionError("The database ended this pooled connection")


def _autocommit_for_reads(dbapi_connection, _record, _proxy) -> None:
    if has_request_context() and request.method in READ_METHODS:
        dbapi_connection.autocommit = True


def _transactional_again(dbapi_connection, _record) -> None:
    """Back in the pool, a connection is transactional: the next request may be a write."""
    if dbapi_connection is not None and not dbapi_connection.closed and dbapi_connection.autocommit:
        dbapi_connection.autocommit = False


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # SQLite's own lower() folds ASCII alone: "Élan" and "élan" would be two names, as they are not on PostgreSQL.
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _lower(value):
    return value.lower() if isinstance(value, str) else value
