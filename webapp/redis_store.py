"""The shared Redis connection (when REDIS_URL is set), with short timeouts so an outage fails fast."""

import redis
from flask import Flask, current_app


def init_app(app: Flask) -> None:
    url = app.config.get("REDIS_URL")
    app.extensions["redis"] = (
        redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1, health_check_interval=30) if url else None
    )


def client() -> redis.Redis | None:
    """The app's Redis client, or None when the app runs without Redis."""
    return client_of(current_app)


def client_of(app: Flask) -> redis.Redis | None:
    return app.extensions.get("redis")
