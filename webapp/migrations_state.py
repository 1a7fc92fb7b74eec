"""Compare the database's Alembic revision with the newest one shipped in migrations/."""

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from webapp.config import MIGRATIONS
from webapp.extensions import db


def pending_migrations() -> list[str]:
    """Revisions in migrations/ that the database has not applied yet (empty when up to date)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    if heads <= current:
        return []
    return sorted(heads - current)
