"""Fixtures of the deployment tests: production-like app instances on a database of their own."""

import os
import secrets

import pytest

from tests.deploy.stack import scratch_database
from tests.servers import app_env, migrate
from tests.support import require_service


@pytest.fixture(scope="module")
def real_services() -> tuple[str, str]:
    """(TEST_DATABASE_URL, TEST_REDIS_URL); skips locally, fails under CI when either is missing."""
    database_url, redis_url = os.environ.get("TEST_DATABASE_URL"), os.environ.get("TEST_REDIS_URL")
    require_service("TEST_DATABASE_URL", database_url)
    require_service("TEST_REDIS_URL", redis_url)
    return database_url, redis_url


def production_env(database_url: str, redis_url: str, **extra: str) -> dict:
    """The environment of a production instance: the same secrets on every instance, Nginx trusted."""
    settings = {
        "APP_ENV": "production",
        "SECRET_KEY": "deploy-tests-secret-key-" + "k" * 24,
        "JWT_SECRET": "deploy-tests-jwt-secret-" + "j" * 24,
        "TRUSTED_PROXIES": "127.0.0.1",
        "EMAIL_VERIFICATION_REQUIRED": "false",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": redis_url,
        "PUBLIC_URL": "https://tavern.test",
    }
    return app_env(database_url, **{**settings, **extra})


@pytest.fixture(scope="module")
def deploy_database(real_services):
    """A migrated database of this module's own, on the shared PostgreSQL."""
    database_url, redis_url = real_services
    with scratch_database(database_url) as url:
        migrate(production_env(url, redis_url))
        yield url


def client_ip() -> str:
    """A random private address per call, so the rate limits of one test (or run) never meet another's."""
    return f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
