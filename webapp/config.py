"""Configuration from environment variables only: one class per environment."""

import ipaddress
import os
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
MIGRATIONS = ROOT / "migrations"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


def _networks(raw: str) -> list:
    return [ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip()]


class ConfigError(RuntimeError):
    """Raised when the environment cannot run the app; the message names the variable to set."""


def _public_url(value: str) -> str:
    """Where people reach the site (e.g. https://tavern.example): emailed links are built on it, never on a
    request's Host header, which anyone can set. Empty when not configured."""
    value = value.strip().rstrip("/")
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.path or parts.query or parts.fragment:
        raise ConfigError(f"PUBLIC_URL must look like https://tavern.example (scheme and host only), not {value!r}")
    return value


class BaseConfig:
    APP_ENV = "development"
    VERSION = os.environ.get("APP_VERSION", "0.1.0")

    def __init__(self) -> None:
        env = os.environ
        self.SECRET_KEY = env.get("SECRET_KEY") or self.default_secret("SECRET_KEY")
        self.JWT_SECRET = env.get("JWT_SECRET") or self.default_secret("JWT_SECRET")
        self.SQLALCHEMY_DATABASE_URI = env.get("DATABASE_URL") or self.default_database_url()
        self.SQLALCHEMY_ENGINE_OPTIONS = engine_options(self.SQLALCHEMY_DATABASE_URI)
        self.REDIS_URL = env.get("REDIS_URL") or None
        self.STORAGE_BACKEND = env.get("STORAGE_BACKEND", "local")
        self.STORAGE_PATH = env.get("STORAGE_PATH", str(ROOT / "var" / "uploads"))
        self.S3_BUCKET = env.get("S3_BUCKET")
        self.S3_ENDPOINT_URL = env.get("S3_ENDPOINT_URL")
        self.AWS_REGION = env.get("AWS_REGION", "us-east-1")
        self.S3_PATH_STYLE = _flag("S3_PATH_STYLE", bool(self.S3_ENDPOINT_URL))
        self.MAIL_URL = env.get("MAIL_URL") or None
        self.MAIL_FROM = env.get("MAIL_FROM", "Tavern <no-reply@tavern.localhost>")
        self.LOG_LEVEL = env.get("LOG_LEVEL", "INFO").upper()
        self.PUBLIC_URL = _public_url(env.get("PUBLIC_URL", ""))
        self.TRUSTED_PROXIES = env.get("TRUSTED_PROXIES", "")
        self.TRUSTED_PROXY_NETWORKS = _networks(self.TRUSTED_PROXIES)
        self.EMAIL_VERIFICATION_REQUIRED = _flag("EMAIL_VERIFICATION_REQUIRED", self.APP_ENV == "production")
        self.RATELIMIT_ENABLED = _flag("RATELIMIT_ENABLED", True)
        self.RATELIMIT_STORAGE_URI = self.REDIS_URL or "memory://"
        self.RATELIMIT_KEY_PREFIX = "tavern-rl"
        self.RATELIMIT_HEADERS_ENABLED = True
        # A Redis outage must not take the site down: limits are skipped until Redis is back.
        self.RATELIMIT_SWALLOW_ERRORS = True
        self.RATELIMIT_STORAGE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
        self.CACHE_TYPE = "RedisCache" if self.REDIS_URL else "SimpleCache"
        self.CACHE_REDIS_URL = self.REDIS_URL
        self.CACHE_KEY_PREFIX = "tavern:"
        self.CACHE_DEFAULT_TIMEOUT = 300
        if self.REDIS_URL:
            self.CACHE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1}
        self.MAX_CONTENT_LENGTH = _int("MAX_CONTENT_LENGTH", 6 * 1024 * 1024)
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = self.APP_ENV == "production"
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.REMEMBER_COOKIE_SAMESITE = "Lax"
        self.REMEMBER_COOKIE_SECURE = self.SESSION_COOKIE_SECURE
        self.WTF_CSRF_TIME_LIMIT = None
        self.WTF_CSRF_HEADERS = ["X-CSRFToken"]
        self.SQLALCHEMY_RECORD_QUERIES = False
        # A live stream ends after LIVE_STREAM_SECONDS (the browser or script reconnects with Last-Event-ID, and so
        # its access is checked again), says it is alive every LIVE_HEARTBEAT_SECONDS, and reads the log every
        # LIVE_SAFETY_POLL seconds even without news, in case a message on Redis was lost.
        self.LIVE_STREAM_SECONDS = _int("LIVE_STREAM_SECONDS", 300)
        self.LIVE_HEARTBEAT_SECONDS = _int("LIVE_HEARTBEAT_SECONDS", 15)
        self.LIVE_SAFETY_POLL = _int("LIVE_SAFETY_POLL", 60)

    def default_secret(self, name: str) -> str:
        return f"dev-only-{name.lower()}-not-for-production-use"

    def default_database_url(self) -> str:
        return f"sqlite:///{ROOT / 'var' / 'tavern.db'}"


def engine_options(url: str) -> dict:
    """Pool settings for a server database; SQLite gets foreign keys switched on in create_app."""
    if url.startswith("sqlite"):
        return {}
    return {
        "pool_size": _int("DB_POOL_SIZE", 5),
        "max_overflow": _int("DB_MAX_OVERFLOW", 10),
        "pool_timeout": _int("DB_POOL_TIMEOUT", 5),
        "pool_recycle": _int("DB_POOL_RECYCLE", 1800),
        "pool_pre_ping": _flag("DB_POOL_PRE_PING", False),
        "connect_args": {"connect_timeout": _int("DB_CONNECT_TIMEOUT", 3), **dead_peer_detection()},
    }


def dead_peer_detection() -> dict:
    """libpq's TCP settings that notice a database host gone without a word (a failover, a cut network).

    A server that restarts says goodbye, and the pool's socket check replaces its connections; a host that
    vanished says nothing, and without these a pooled connection looks alive for two hours while a query sent on
    it waits some fifteen minutes for TCP to give up. Keepalive probes after DB_KEEPALIVE_IDLE idle seconds make
    the kernel close the connection a few probes later, which the socket check then sees; DB_TCP_USER_TIMEOUT
    ends a connection whose sent data goes unacknowledged that long (a slow query is acknowledged at once).
    """
    idle = _int("DB_KEEPALIVE_IDLE", 30)
    return {
        "keepalives": 1,
        "keepalives_idle": idle,
        "keepalives_interval": max(1, idle // 3),
        "keepalives_count": 3,
        "tcp_user_timeout": _int("DB_TCP_USER_TIMEOUT", 30) * 1000,  # libpq counts milliseconds
    }


class DevelopmentConfig(BaseConfig):
    APP_ENV = "development"


class TestingConfig(BaseConfig):
    __test__ = False  # not a pytest test class, despite the name

    APP_ENV = "testing"
    TESTING = True


class ProductionConfig(BaseConfig):
    APP_ENV = "production"

    def default_secret(self, name: str) -> str:
        raise ConfigError(f"{name} must be set in production")

    def __init__(self) -> None:
        super().__init__()
        if len(self.JWT_SECRET) < 32:
            raise ConfigError("JWT_SECRET must be at least 32 characters in production")
        if not os.environ.get("DATABASE_URL"):
            raise ConfigError("DATABASE_URL must be set in production")
        if not self.REDIS_URL:
            raise ConfigError(
                "REDIS_URL must be set in production: rate limits and cache invalidation are shared through it"
            )
        if not self.PUBLIC_URL:
            raise ConfigError(
                "PUBLIC_URL must be set in production: mailed links are built on it, never on a forgeable Host header"
            )


CONFIGS = {"development": DevelopmentConfig, "testing": TestingConfig, "production": ProductionConfig}


def load_config(env: str | None = None) -> BaseConfig:
    """Build the configuration for APP_ENV; raises ConfigError naming what is missing or unknown."""
    name = env or os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        raise ConfigError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]()
