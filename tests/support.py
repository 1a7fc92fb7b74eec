"""Helpers shared by tests: signing in, counting queries, requiring real services."""

import os
import threading
import time
from contextlib import contextmanager

import pytest
import sqlalchemy as sa


def require_service(variable: str, value: str | None) -> None:
    """Skip locally without the service; under CI=true, fail: these tests must never be skipped there."""
    if value:
        return
    message = f"{variable} is not set"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}, but CI must run this test against the real service")
    pytest.skip(message)


def forget_worker_copies() -> None:
    """What each worker keeps for itself (the compendium's reference snapshot) is dropped."""
    from webapp import reference

    reference.forget()


# A test's commits and rollbacks are savepoints (see the `db` fixture): like COMMIT and ROLLBACK, they are not counted.
TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE", "ROLLBACK TO SAVEPOINT")


class QueryCounter:
    """Counts the statements sent inside `with queries:`: what building the answer costs, with the shared cache
    emptied first and the worker's reference snapshot brought up to date (a running worker holds it).
    `with queries.repeat:` keeps the cache, to count what a repeat costs."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []
        self.keep_cache = False

    @property
    def repeat(self) -> "QueryCounter":
        """This counter, keeping the shared cache for the next block only."""
        self.keep_cache = True
        return self

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        from webapp import reference
        from webapp.extensions import cache

        if not self.keep_cache:
            cache.clear()
        reference.refresh()
        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)
        self.keep_cache = False

    @property
    def count(self) -> int:
        return len([s for s in self.statements if not s.lstrip().upper().startswith(TRANSACTION_CONTROL)])


class AuthActions:
    """Signs a user in on the test client the way a browser would."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, user, password: str = "correct horse battery staple"):
        return self.client.post("/login", data={"email": user.email, "password": password}, follow_redirects=False)

    def logout(self):
        return self.client.post("/logout")


def signed_in_clients(app, user, count: int) -> list:
    """`count` test clients, each signed in as `user` in a browser session of its own."""
    clients = [app.test_client() for _ in range(count)]
    for client in clients:
        assert AuthActions(client).login(user).status_code in (302, 303)
    return clients


def at_once(clients: list, send) -> list[tuple[int, dict | None]]:
    """Call `send(client, index)` for every client, each in its own thread, all released together by a barrier.

    Returns (status, JSON body or None) per client, in the clients' order; a thread that failed leaves None.
    """
    barrier = threading.Barrier(len(clients))
    answers: list = [None] * len(clients)

    def run(index: int) -> None:
        barrier.wait()
        response = send(clients[index], index)
        answers[index] = (response.status_code, response.get_json(silent=True))

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert None not in answers, "a request did not answer"
    return answers


def served(action):
    """Run `action()` in a thread of its own, as a server runs a request: with no app context of the test's around
    it, so each request it makes pushes its own (its own database session and connection). Re-raises what it
    raised."""
    outcome = {}

    def run():
        try:
            outcome["value"] = action()
        except Exception as error:  # noqa: BLE001 - handed to the test's thread
            outcome["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=300)
    if "error" in outcome:
        raise outcome["error"]
    assert "value" in outcome, "the action did not finish"
    return outcome["value"]


@contextmanager
def deleted_right_after_the_change(model, **key):
    """The first commit after a statement wrote `model`'s table (through the ORM or not) is followed at once by a
    DELETE of the row from another connection."""
    from webapp.extensions import db

    table = model.__table__.name
    written = []

    def note_the_change(_conn, _cursor, statement, _parameters, _context, _executemany):
        if statement.lstrip().upper().startswith((f"UPDATE {table.upper()} ", f"INSERT INTO {table.upper()} ")):
            written.append(statement)

    def deleted_by_another_request(_session):
        if written:
            written.clear()
            with db.engine.begin() as connection:
                connection.execute(sa.delete(model).filter_by(**key))

    sa.event.listen(db.engine, "before_cursor_execute", note_the_change)
    sa.event.listen(sa.orm.Session, "after_commit", deleted_by_another_request)
    try:
        yield
    finally:
        sa.event.remove(sa.orm.Session, "after_commit", deleted_by_another_request)
        sa.event.remove(db.engine, "before_cursor_execute", note_the_change)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**key)) == 0, "it was deleted"


def slowed(function, seconds: float = 0.05):
    """`function` taking `seconds` longer: a monkeypatched step that widens the window between a read and a write,
    so requests that are not made to wait for each other would overlap there."""

    def slow(*args, **kwargs):
        result = function(*args, **kwargs)
        time.sleep(seconds)
        return result

    return slow


@contextmanager
def slow_reads(model, seconds: float = 0.05):
    """Every row of `model` read (or read again) takes a little longer to arrive: a wider window between what a
    request read and what it writes, so requests that are not made to wait for each other would overlap there."""

    def wait(target, context, *attributes) -> None:
        time.sleep(seconds)

    sa.event.listen(model, "load", wait)
    sa.event.listen(model, "refresh", wait)
    try:
        yield
    finally:
        sa.event.remove(model, "load", wait)
        sa.event.remove(model, "refresh", wait)
