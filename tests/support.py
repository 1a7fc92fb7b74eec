"""Helpers shared by tests: signing in, counting queries, requiring real services."""

import os

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


class QueryCounter:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len([s for s in self.statements if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))])


class AuthActions:
    """Signs a user in on the test client the way a browser would."""

    def __init__(self, client) -> None:
        self.client = client

    def login(self, user, password: str = "correct horse battery staple"):
        return self.client.post("/login", data={"email": user.email, "password": password}, follow_redirects=False)

    def logout(self):
        return self.client.post("/logout")
