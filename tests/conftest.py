"""Fixtures: one app per test session on SQLite (default) or the real PostgreSQL and Redis."""

import os
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from tests import factories
from tests.support import AuthActions, QueryCounter, forget_worker_copies, require_service
from webapp import create_app
from webapp.config import TestingConfig
from webapp.extensions import db as _db
from webapp.extensions import limiter
from webapp.models.base import Base

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL")


def pytest_report_header(config):
    database = "PostgreSQL" if TEST_DATABASE_URL else "SQLite"
    return [f"tavern: database={database} redis={'yes' if TEST_REDIS_URL else 'in-process fallback'}"]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'tavern-test.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    os.environ.pop("REDIS_URL", None)
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    config.SQLALCHEMY_ENGINE_OPTIONS = {} if database_url.startswith("sqlite") else {"pool_pre_ping": True}
    config.REDIS_URL = TEST_REDIS_URL
    config.CACHE_TYPE = "RedisCache" if TEST_REDIS_URL else "SimpleCache"
    config.CACHE_REDIS_URL = TEST_REDIS_URL
    config.CACHE_KEY_PREFIX = f"tavern-test-{uuid.uuid4().hex[:8]}:"
    config.RATELIMIT_STORAGE_URI = TEST_REDIS_URL or "memory://"
    config.RATELIMIT_ENABLED = True  # storage is set up; the limits are switched on per test
    config.WTF_CSRF_ENABLED = False
    config.STORAGE_PATH = str(tmp_path_factory.mktemp("uploads"))
    config.SERVER_NAME = None
    application = create_app(config)
    limiter.enabled = False
    with application.app_context():
        if not database_url.startswith("sqlite"):
            _drop_everything()
        upgrade()
    return application


def _drop_everything() -> None:
    """Start the PostgreSQL test database from nothing, so the migrations build every table."""
    with _db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


@pytest.fixture(autouse=True)
def db(app):
    """A clean database (and cache) for every test, inside an application context."""
    with app.app_context():
        yield _db
        _db.session.remove()
        _wipe_tables()
        _flush_shared_state(app)


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
