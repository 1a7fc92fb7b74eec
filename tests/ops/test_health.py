"""Health, readiness and configuration checks."""

import time

import pytest

from webapp import create_app
from webapp.config import ConfigError, TestingConfig, load_config


def test_health_reports_healthy_with_the_spec_fields(client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "healthy"
    assert set(body) == {"status", "timestamp", "version", "uptime"}
    assert body["uptime"] >= 0


@pytest.mark.committing  # /ready reads the migration state on a connection of its own
def test_ready_when_database_is_at_newest_migration(client):
    response = client.get("/ready")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ready"


def _app_with(tmp_path, **overrides):
    config = TestingConfig()
    config.STORAGE_PATH = str(tmp_path)
    for key, value in overrides.items():
        setattr(config, key, value)
    return create_app(config)


def test_health_is_503_quickly_when_postgresql_is_unreachable(tmp_path):
    app = _app_with(
        tmp_path,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/tavern",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}, "pool_pre_ping": True},
    )
    started = time.monotonic()
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unhealthy", "error": "database unreachable"}
    assert time.monotonic() - started < 5


def test_pages_answer_friendly_503_when_database_is_unreachable(tmp_path):
    app = _app_with(
        tmp_path,
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://postgres@127.0.0.1:1/tavern",
        SQLALCHEMY_ENGINE_OPTIONS={"connect_args": {"connect_timeout": 2}},
    )
    response = app.test_client().get("/")
    assert response.status_code == 503
    assert b"try again in a moment" in response.data


def test_health_is_503_when_redis_is_unreachable(tmp_path):
    app = _app_with(
        tmp_path,
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    started = time.monotonic()
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unhealthy", "error": "redis unreachable"}
    assert time.monotonic() - started < 5


def test_health_pings_the_real_redis(redis_url, tmp_path):
    app = _app_with(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'h.db'}", REDIS_URL=redis_url)
    assert app.test_client().get("/health").status_code == 200


def test_ready_is_503_while_migrations_are_pending(tmp_path):
    app = _app_with(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/ready")
    assert response.status_code == 503
    assert "newest migration" in response.get_json()["error"]


def _production_env(monkeypatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("JWT_SECRET", "j" * 40)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://db/tavern")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("PUBLIC_URL", "https://tavern.example")


@pytest.mark.parametrize("missing", ["SECRET_KEY", "JWT_SECRET", "DATABASE_URL", "REDIS_URL", "PUBLIC_URL"])
def test_production_refuses_to_start_without_secrets_a_database_redis_or_its_address(monkeypatch, missing):
    _production_env(monkeypatch)
    monkeypatch.delenv(missing)
    with pytest.raises(ConfigError, match=missing):
        load_config("production")


def test_production_refuses_a_short_jwt_secret(monkeypatch):
    _production_env(monkeypatch)
    monkeypatch.setenv("JWT_SECRET", "too-short")
    with pytest.raises(ConfigError, match="JWT_SECRET must be at least 32"):
        load_config("production")


@pytest.mark.parametrize("value", ["tavern.example", "ftp://tavern.example", "https://", "https://tavern.example/app"])
def test_a_public_url_must_be_a_scheme_and_host(monkeypatch, value):
    monkeypatch.setenv("PUBLIC_URL", value)
    with pytest.raises(ConfigError, match="PUBLIC_URL"):
        load_config("development")


def test_a_public_url_is_read_without_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("PUBLIC_URL", "https://tavern.example/")
    assert load_config("development").PUBLIC_URL == "https://tavern.example"


def test_production_secures_cookies_and_requires_verified_email(monkeypatch):
    _production_env(monkeypatch)
    config = load_config("production")
    assert config.SESSION_COOKIE_SECURE is True
    assert config.EMAIL_VERIFICATION_REQUIRED is True
    assert config.SQLALCHEMY_ENGINE_OPTIONS["pool_pre_ping"] is False  # the socket check replaces it


def test_development_needs_no_environment_at_all(monkeypatch):
    for name in ("SECRET_KEY", "JWT_SECRET", "DATABASE_URL", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    config = load_config("development")
    assert config.SQLALCHEMY_DATABASE_URI.startswith("sqlite:///")
    assert config.CACHE_TYPE == "SimpleCache"
    assert config.RATELIMIT_STORAGE_URI == "memory://"
