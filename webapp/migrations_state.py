"""Compare the database's Alembic revision with the newest one shipped in migrations/."""

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from webapp.extensions import db


def pending_migrations() -> list[str]:
    """Revisions in migrations/ that the database has not applied yet (empty when up to date)."""
    config = current_app.extensions["migrate"].migrate.get_config()
    script = ScriptDirectory.from_config(config)
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    if heads <= current:
        return []
    return sorted(heads - current)
