"""Request ids, JSON request logs, Prometheus metrics, and the health and readiness probes."""

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from webapp import redis_store
from webapp.extensions import db

bp = Blueprint("observability", __name__)
log = logging.getLogger("tavern.request")
STARTED = time.monotonic()
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")

REQUEST_DURATION = Histogram(
    "http_request_duration_seconds",
    "Time spent answering HTTP requests.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS_TOTAL = Counter("http_requests_total", "HTTP requests answered.", ["method", "route", "status"])
CACHE_REQUESTS = Counter("cache_requests_total", "Cache look-ups by result.", ["cache", "result"])
DB_POOL_CHECKED_OUT = Gauge(
    "db_pool_connections_checked_out",
    "Database connections in use.",
    multiprocess_mode="livesum",
)
DB_POOL_SIZE = Gauge("db_pool_size", "Database connections held by the pool.", multiprocess_mode="livesum")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; only fields put there on purpose, never request bodies or headers."""

    FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "user_id", "pid", "event")

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
        }
        for field in self.FIELDS:
            if hasattr(record, field):
                line[field] = getattr(record, field)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(JsonFormatter())
        root.handlers = [handler]
    root.setLevel(level)


def init_app(app: Flask) -> None:
    if not app.testing:
        configure_logging(app.config["LOG_LEVEL"])
    app.before_request(_start_request)
    app.after_request(_finish_request)


def _start_request() -> None:
    g.started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if REQUEST_ID.match(incoming) else uuid.uuid4().hex


def route_label() -> str:
    return request.url_rule.rule if request.url_rule else "<unmatched>"


def _finish_request(response: Response) -> Response:
    duration = time.perf_counter() - g.get("started", time.perf_counter())
    route, status = route_label(), str(response.status_code)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if route != "/metrics":
        REQUEST_DURATION.labels(request.method, route, status).observe(duration)
        REQUESTS_TOTAL.labels(request.method, route, status).inc()
    user_id = _user_id()
    log.info(
        "%s %s %s",
        request.method,
        route,
        status,
        extra={
            "request_id": g.get("request_id"),
            "method": request.method,
            "route": route,
            "status": response.status_code,
            "duration_ms": round(duration * 1000, 2),
            "user_id": user_id,
            "pid": os.getpid(),
        },
    )
    return response


def _user_id() -> str | None:
    """Who asked, for the log line: an API caller or a signed-in user (neither may have been loaded)."""
    caller = g.get("api_caller")
    if caller is not None and caller.signed_in:
        return _id_of(caller.user)
    user = g.get("_login_user")
    if user is not None and not user.is_anonymous:
        return _id_of(user)
    return g.get("kept_viewer")  # a kept page answered without loading its user


def _id_of(user) -> str:
    """The user's id as its identity knows it: a refused change rolled back and expired the object, and reading
    `user.id` would load it again only to write a log line."""
    identity = sa.inspect(user).identity
    return str(identity[0] if identity else user.id)


def _pool_figures() -> None:
    pool = db.engine.pool
    if hasattr(pool, "checkedout"):
        DB_POOL_CHECKED_OUT.set(pool.checkedout())
        DB_POOL_SIZE.set(pool.size())


@bp.get("/metrics")
def metrics() -> Response:
    _pool_figures()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under Gunicorn every worker writes its own files; this collects all of them.
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


def _check_database() -> None:
    db.session.execute(sa.text("SELECT 1"))


def _check_redis() -> None:
    client = redis_store.client()
    if client is not None:
        client.ping()


def _unhealthy(error: str) -> tuple[Response, int]:
    current_app.logger.warning("health check failed: %s", error)
    return jsonify(status="unhealthy", error=error), 503


@bp.get("/health")
def health():
    try:
        _check_database()
    except Exception:  # noqa: BLE001 - any failure means the database is not usable
        db.session.rollback()
        return _unhealthy("database unreachable")
    try:
        _check_redis()
    except Exception:  # noqa: BLE001
        return _unhealthy("redis unreachable")
    return jsonify(
        status="healthy",
        timestamp=datetime.now(UTC).isoformat(),
        version=current_app.config["VERSION"],
        uptime=round(time.monotonic() - STARTED, 3),
    )


@bp.get("/ready")
def ready():
    from webapp.migrations_state import pending_migrations

    response = health()
    if isinstance(response, tuple):
        return response
    try:
        pending = pending_migrations()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        return _unhealthy("database unreachable")
    if pending:
        return _unhealthy(f"database is not at the newest migration ({len(pending)} pending)")
    return jsonify(status="ready", timestamp=datetime.now(UTC).isoformat())
