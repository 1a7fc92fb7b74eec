"""A pooled PostgreSQL connection that the server ended while it sat idle (a restart, an idle timeout, an
administrator), or whose host vanished without a word, is replaced before a request uses it, without the round
trip of a ping, and no request fails."""

import os
import select
import shutil
import socket
import subprocess
import time
from contextlib import ExitStack, contextmanager

import pytest
import sqlalchemy as sa

from tests.conftest import _admin_engine
from tests.support import AuthActions, require_service, served
from webapp.config import engine_options
from webapp.database import _still_open
from webapp.extensions import db

pytestmark = pytest.mark.committing  # the served requests check out connections of their own
IPTABLES = shutil.which("iptables") or shutil.which("iptables", path="/usr/sbin:/sbin")


def _pooled_backends() -> list[int]:
    """The server process behind each connection the pool holds (checking them all out, then back in)."""
    with ExitStack() as stack:
        pooled = [stack.enter_context(db.engine.connect()) for _ in range(db.engine.pool.size())]
        return [connection.connection.dbapi_connection.info.backend_pid for connection in pooled]


def _end(backends: list[int]) -> None:
    admin = _admin_engine()
    try:
        with admin.connect() as connection:
            for pid in backends:
                connection.execute(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    finally:
        admin.dispose()


def test_a_request_after_the_database_ended_every_pooled_connection_is_answered(app, postgres, make):
    owner = make.user()
    character = make.character(owner=owner, name="Brannoc")
    db.session.commit()
    path = f"/characters/{character.id}"
    client = app.test_client()
    assert AuthActions(client).login(owner).status_code in (302, 303)
    before = _pooled_backends()

    _end(before)
    page = served(lambda: client.get(path))
    changed = served(lambda: client.post(f"{path}/visibility", data={"visibility": "PRIVATE"}))

    assert page.status_code == 200 and "Brannoc" in page.get_data(as_text=True)
    assert changed.status_code in (200, 303)
    assert not set(_pooled_backends()) & set(before), "every ended connection was replaced"


def test_a_connection_the_server_has_not_ended_is_kept(app, postgres):
    before = _pooled_backends()
    served(lambda: app.test_client().get("/health"))
    assert set(_pooled_backends()) == set(before)


def test_a_pooled_connection_closed_on_this_side_is_replaced_too(app, postgres):
    with db.engine.connect() as connection:
        closed = connection.connection.dbapi_connection
        closed.close()
    with pytest.raises(sa.exc.DisconnectionError):
        _still_open(closed, None, None)
    assert served(lambda: app.test_client().get("/health")).status_code == 200


@pytest.fixture
def packet_filter():
    """iptables, to make one connection's packets vanish as they do when its host goes away (root only)."""
    require_service("iptables as root", IPTABLES if IPTABLES and os.geteuid() == 0 else None)


@contextmanager
def _packets_lost(local_port: int):
    """Every packet between this local port and the database is dropped, both ways, until the block ends."""
    rules = [
        ["INPUT", "-p", "tcp", "-s", "127.0.0.1", "--sport", "5432", "--dport", str(local_port), "-j", "DROP"],
        ["OUTPUT", "-p", "tcp", "--sport", str(local_port), "-d", "127.0.0.1", "--dport", "5432", "-j", "DROP"],
    ]
    added = []
    try:
        for rule in rules:
            subprocess.run([IPTABLES, "-I", *rule], check=True)
            added.append(rule)
        yield
    finally:
        for rule in added:
            subprocess.run([IPTABLES, "-D", *rule], check=True)


def _reports_trouble(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
    return bool(poller.poll(0))


def test_a_pooled_connection_to_a_host_that_vanished_is_replaced_before_use(postgres, packet_filter, monkeypatch):
    monkeypatch.setenv("DB_KEEPALIVE_IDLE", "1")  # production waits 30 s before the first probe
    monkeypatch.setenv("DB_TCP_USER_TIMEOUT", "2")
    engine = sa.create_engine(postgres, **{**engine_options(postgres), "pool_size": 1, "max_overflow": 0})
    sa.event.listen(engine, "checkout", _still_open)
    try:
        with engine.connect() as connection:
            pooled = connection.connection.dbapi_connection
            first = pooled.info.backend_pid
            with socket.fromfd(pooled.fileno(), socket.AF_INET, socket.SOCK_STREAM) as view:
                local_port = view.getsockname()[1]
        with _packets_lost(local_port):  # the host is gone: no goodbye, no reset, nothing
            deadline = time.monotonic() + 15
            while not _reports_trouble(pooled.fileno()) and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _reports_trouble(pooled.fileno()), "the kernel gave up on the silent connection"
            with engine.connect() as connection:
                answer = connection.execute(sa.text("SELECT pg_backend_pid()")).scalar()
        assert answer != first, "a new connection answered, not the lost one"
    finally:
        engine.dispose()


def test_server_databases_get_keepalives_and_a_send_timeout_that_the_environment_can_tune(monkeypatch):
    url = "postgresql+psycopg://db.internal/tavern"
    defaults = engine_options(url)["connect_args"]
    monkeypatch.setenv("DB_KEEPALIVE_IDLE", "60")
    monkeypatch.setenv("DB_TCP_USER_TIMEOUT", "45")
    tuned = engine_options(url)["connect_args"]

    assert defaults["keepalives"] == 1 and defaults["keepalives_idle"] == 30 and defaults["tcp_user_timeout"] == 30000
    assert (tuned["keepalives_idle"], tuned["keepalives_interval"], tuned["tcp_user_timeout"]) == (60, 20, 45000)
    assert engine_options("sqlite:///var/tavern.db") == {}
