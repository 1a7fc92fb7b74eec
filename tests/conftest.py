"""Fixtures: one app per test session on SQLite (default) or the real PostgreSQL and Redis."""

import os
import re
import threading
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask import current_app, has_request_context, request
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from tests import factories
from tests.contract import ContractWatch
from tests.support import AuthActions, QueryCounter, forget_worker_copies, require_service
from webapp import create_app, register_migrations
from webapp.config import TestingConfig
from webapp.database import READ_METHODS
from webapp.extensions import db as _db
from webapp.extensions import limiter
from webapp.models.base import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1"… under pytest-xdist


def pytest_report_header(config):
    database = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    return [f"tavern: database={database} redis={'yes' if TEST_REDIS_URL else 'in-process fallback'}"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """The test database: TEST_DATABASE_URL itself, or under pytest-xdist one database per worker beside it."""
    if not TEST_DATABASE_URL:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tavern-test.db'}"  # each worker has its own tmp
        return
    if not WORKER:
        yield TEST_DATABASE_URL
        return
    url = sa.make_url(TEST_DATABASE_URL)
    name = f"{url.database}_{WORKER}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    yield url.set(database=name).render_as_string(hide_password=False)
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _admin_engine() -> sa.Engine:
    admin_url = os.environ.get("TEST_PG_ADMIN_URL") or sa.make_url(TEST_DATABASE_URL).set(database="postgres")
    return sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.pop("REDIS_URL", None)
    run = f"{WORKER or 'main'}-{uuid.uuid4().hex[:8]}"  # every Redis key of this process starts with it
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}  # no ping before use, as in production: webapp/database.py checks the socket
    config.REDIS_URL = TEST_REDIS_URL
    config.CACHE_TYPE = "RedisCache" if TEST_REDIS_URL else "SimpleCache"
    config.CACHE_REDIS_URL = TEST_REDIS_URL
    config.CACHE_KEY_PREFIX = f"tavern-test-{run}:"
    config.RATELIMIT_STORAGE_URI = TEST_REDIS_URL or "memory://"
    # limiter.reset() deletes every key under the storage's prefix: only this process's counters.
    config.RATELIMIT_KEY_PREFIX = f"tavern-test-rl-{run}"
    config.RATELIMIT_STORAGE_OPTIONS = {**config.RATELIMIT_STORAGE_OPTIONS, "key_prefix": f"LIMITS-{run}"}
    config.RATELIMIT_ENABLED = True  # storage is set up; the limits are switched on per test
    config.WTF_CSRF_ENABLED = False
    config.STORAGE_PATH = str(tmp_path_factory.mktemp("uploads"))
    config.SERVER_NAME = None
    application = create_app(config)
    register_migrations(application)
    limiter.enabled = False
    with application.app_context():
        if not database_url.startswith("sqlite"):
            _drop_everything()
        upgrade()
        sa.event.listen(_db.engine, "before_cursor_execute", _reads_stay_reads)
    application.after_request(_headers_gunicorn_can_send)
    application.test_client_class = ServedClient
    return application


class ServedClient(FlaskClient):
    """Reads every answer whole and closes it as a WSGI server does, so that what runs once an answer has gone
    out (a mail delivered after the answer) has run when the call returns."""

    def open(self, *args, buffered: bool = True, **kwargs):
        return super().open(*args, buffered=buffered, **kwargs)


def _headers_gunicorn_can_send(response):
    """Gunicorn answers its own 500 for a header it cannot write in Latin-1 (a name in Content-Disposition, a URL in
    HX-Redirect); the test client sends anything, so every test's answers are checked here."""
    for name, value in response.headers.items():
        try:
            value.encode("latin-1")
        except UnicodeEncodeError:
            raise AssertionError(f"Gunicorn would refuse the header {name}: {value!r}") from None
    return response


_WRITES = ("INSERT", "UPDATE", "DELETE")
_LOCKS = re.compile(r"\bFOR\s+(NO\s+KEY\s+)?(UPDATE|SHARE)\b")


def _reads_stay_reads(_conn, _cursor, statement, _parameters, _context, _executemany) -> None:
    """GET and HEAD requests run in autocommit on PostgreSQL (webapp/database.py): one that locked a row or wrote
    more than one statement would lose the transaction it needs. Every test's every read request is held to that."""
    if not has_request_context() or request.method not in READ_METHODS:
        return
    text = statement.lstrip().upper()
    if _LOCKS.search(text):
        raise AssertionError(f"{request.method} {request.path} locks rows, which a read request may not")
    if text.startswith(_WRITES):
        writes = request.environ["tavern.test.writes"] = request.environ.get("tavern.test.writes", 0) + 1
        if writes > 1:
            raise AssertionError(f"{request.method} {request.path} writes more than one statement")


def _drop_everything() -> None:
    """Start the PostgreSQL test database from nothing, so the migrations build every table."""
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


@pytest.fixture(autouse=True)
def db(request, app):
    """A clean database (and cache) for every test, inside an application context.

    Most tests run inside one transaction that is rolled back at their end: every session of the test app joins
    it, and a service's commit() releases a savepoint (after_commit still fires, so generations still move).
    Tests marked `committing` write for real, because another connection must see what they write (threads,
    live servers, a second app, the engine used directly); every table is emptied after them.
    """
    with app.app_context():
        if request.node.get_closest_marker("committing"):
            yield _db
            _db.session.remove()
            _wipe_tables()
        else:
            with _rolled_back(app, request.node.nodeid):
                yield _db
        _flush_shared_state(app)


@contextmanager
def _rolled_back(app, test: str):
    """Every session of `app` made in this thread joins one connection's transaction, rolled back at the end.

    Another connection to the test database (a thread's session, `db.engine` used directly, a second app) would
    see none of it and commit for real: it fails the test, which must then be marked `committing`.
    """
    engine = _db.engine
    connection = engine.connect()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:  # pysqlite begins transactions itself, too late for savepoints: BEGIN here, by hand
        raw = connection.connection.dbapi_connection
        autocommit_mode = raw.isolation_level
        raw.isolation_level = None
    transaction = connection.begin()
    if sqlite:
        connection.exec_driver_sql("BEGIN")
    owner = threading.get_ident()
    registry = _db.session.registry
    make_session = registry.createfunc

    def joined_session():
        if current_app._get_current_object() is not app:
            if current_app.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]:
                raise RuntimeError(f"{test} reaches the test database through another app: mark it committing")
            return make_session()  # an app a test built itself, on a database of its own
        if threading.get_ident() != owner:
            raise RuntimeError(f"{test} uses the database from another thread: mark it @pytest.mark.committing")
        options = {**make_session.kw, "bind": connection, "join_transaction_mode": "create_savepoint"}
        return _JoinedSession(**options)

    def another_connection(opened, *_args) -> None:
        if opened is not connection:
            raise RuntimeError(f"{test} opens a connection of its own: mark it @pytest.mark.committing")

    _db.session.remove()
    registry.createfunc = joined_session
    sa.event.listen(engine, "engine_connect", another_connection)
    try:
        yield
    finally:
        sa.event.remove(engine, "engine_connect", another_connection)
        registry.createfunc = make_session
        _db.session.remove()
        transaction.rollback()
        if sqlite:
            raw.isolation_level = autocommit_mode
        connection.close()


class _JoinedSession(FlaskSession):
    """Flask-SQLAlchemy's session picks the app's engine itself; this one uses the connection it is bound to."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return bind if bind is not None else self.bind


def _wipe_tables() -> None:
    tables = [t.name for t in Base.metadata.sorted_tables]
    with _db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(f"TRUNCATE {', '.join(tables)} CASCADE"))
        else:
            # users and images point at each other: check the keys once, at commit, when both are empty.
            connection.execute(sa.text("PRAGMA defer_foreign_keys=ON"))
            for table in reversed(tables):
                connection.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 - our own table names


def _flush_shared_state(app) -> None:
    from webapp.extensions import cache

    cache.clear()
    limiter.reset()
    limiter.enabled = False  # another create_app() (some tests build their own) switches it back on
    forget_worker_copies()


@pytest.fixture(scope="session")
def api_contract(app) -> ContractWatch:
    """Every answer of the session's app to an API operation, checked against the OpenAPI document."""
    return ContractWatch(app)


@pytest.fixture(autouse=True)
def _answers_keep_the_contract(api_contract):
    """A test fails when the app answered it with a status its document does not list, or a JSON body outside the
    documented schema."""
    api_contract.take()
    yield
    breaches = api_contract.take()
    if breaches:
        pytest.fail("The API answered outside its OpenAPI document:\n" + "\n".join(sorted(set(breaches))))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def htmx() -> dict:
    """Headers that make a request look like htmx's."""
    return {"HX-Request": "true", "HX-Current-URL": "http://localhost/"}


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def make():
    """The data factories (tests/factories.py)."""
    return factories


@pytest.fixture
def queries(app):
    """Counts SQL statements run inside `with queries:` blocks."""
    return QueryCounter(_db.engine)


@pytest.fixture
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def rate_limits(app):
    limiter.enabled = True
    limiter.reset()
    yield
    limiter.enabled = False


@pytest.fixture
def postgres():
    """Marks a test that must run on the real PostgreSQL; in CI a missing database fails instead of skipping."""
    require_service("TEST_DATABASE_URL", TEST_DATABASE_URL)
    return TEST_DATABASE_URL


@pytest.fixture
def redis_url():
    require_service("TEST_REDIS_URL", TEST_REDIS_URL)
    return TEST_REDIS_URL
