"""The rules are pure: their tests run without the app or a database."""

import pytest


@pytest.fixture(autouse=True)
def db() -> None:
    """Stands in for the suite-wide database fixture, which rules tests do not need."""
    return None
