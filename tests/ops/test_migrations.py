"""Migrations build the whole schema on empty SQLite and PostgreSQL databases, exactly as the models say."""

import os
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tests.servers import BIN, ROOT
from webapp import create_app, register_migrations
from webapp.config import TestingConfig
from webapp.extensions import db
from webapp.models.base import Base


def _app_for(url: str, tmp_path):
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = url
    config.SQLALCHEMY_ENGINE_OPTIONS = {}
    config.STORAGE_PATH = str(tmp_path)
    app = create_app(config)
    register_migrations(app)
    return app


def _assert_migrations_match_models(url: str, tmp_path) -> None:
    app = _app_for(url, tmp_path)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            drift = compare_metadata(context, Base.metadata)
            tables = set(sa.inspect(connection).get_table_names())
        assert drift == [], f"models and migrations differ: {drift}"
        assert {t.name for t in Base.metadata.sorted_tables} <= tables
        downgrade(revision="base")
        with db.engine.connect() as connection:
            assert set(sa.inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade()
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    _assert_migrations_match_models(f"sqlite:///{tmp_path / 'migrations.db'}", tmp_path)


@contextmanager
def _scratch_postgres(postgres: str):
    """A PostgreSQL database of the test's own, dropped after it; yields its URL."""
    name = f"tavern_migrations_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(sa.make_url(postgres).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield sa.make_url(postgres).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_migrations_match_models_on_postgresql(postgres, tmp_path):
    with _scratch_postgres(postgres) as url:
        _assert_migrations_match_models(url, tmp_path)


@pytest.mark.parametrize(
    "table", ["characters", "items", "users", "races", "archetypes", "skills", "perks", "tags", "campaigns"]
)
def test_list_filters_have_indexes(table):
    indexed = {tuple(col.name for col in index.columns) for index in Base.metadata.tables[table].indexes}
    indexed |= {
        tuple(col.name for col in c.columns)
        for c in Base.metadata.tables[table].constraints
        if isinstance(c, sa.UniqueConstraint)
    }
    expected = {
        "characters": [("owner_id", "name"), ("race_id", "archetype_id"), ("visibility", "level")],
        "items": [("rarity", "slot"), ("slot",), ("required_level",)],
        "users": [("email",)],
    }.get(table, [("owner_id",), ("visibility",)])
    for columns in expected:
        assert columns in indexed, f"{table} lacks an index on {columns}"


def test_a_server_app_loads_no_alembic_and_a_flask_command_has_the_migrations(tmp_path):
    # Alembic with Mako and Pygments cost every Gunicorn worker some 8-11 MB: only a command may load it.
    code = "import sys; from webapp import create_app; create_app(); print('alembic' in sys.modules)"
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp_path / 'a.db'}"}
    served = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, cwd=ROOT)
    assert served.returncode == 0 and served.stdout.strip().splitlines()[-1] == "False", served.stderr[-2000:]
    command = [str(BIN / "flask"), "--app", "webapp:create_app", "db", "heads"]
    heads = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    assert heads.returncode == 0 and "(head)" in heads.stdout, heads.stderr[-2000:]


def _events_numbered_on_upgrade(url: str, tmp_path) -> None:
    """Events logged before 0004 get numbers per campaign in the order they were written."""
    app = _app_for(url, tmp_path)
    with app.app_context():
        upgrade(revision="0003_play_at_the_table")
        campaigns = [uuid.uuid4().hex, uuid.uuid4().hex]
        rows = [(campaigns[0], "2026-01-03"), (campaigns[1], "2026-01-01"), (campaigns[0], "2026-01-01"),
                (campaigns[0], "2026-01-02")]  # fmt: skip
        with db.engine.begin() as connection:
            for index, campaign in enumerate(campaigns):
                connection.execute(
                    sa.text("INSERT INTO campaigns (id, name, description, invite_code, status, visibility, "
                            "created_at, updated_at) "
                            "VALUES (:id, :name, '', :code, 'ACTIVE', 'PUBLIC', '2026-01-01', '2026-01-01')"),
                    {"id": _stored(url, campaign), "name": f"Old table {index}", "code": f"code{index}"},
                )  # fmt: skip
            for campaign, at in rows:
                connection.execute(
                    sa.text("INSERT INTO campaign_events (id, campaign_id, kind, body, data, seen_by, created_at, "
                            "updated_at) VALUES (:id, :campaign, 'NOTE', :body, '{}', 'public', :at, :at)"),
                    {"id": _stored(url, uuid.uuid4().hex), "campaign": _stored(url, campaign), "body": at,
                     "at": datetime.fromisoformat(at + "T12:00:00+00:00")},
                )  # fmt: skip
        upgrade()
        with db.engine.connect() as connection:
            found = connection.execute(sa.text("SELECT campaign_id, seq, body FROM campaign_events")).all()
        numbered = sorted((str(uuid.UUID(str(c))), seq, body) for c, seq, body in found)
        assert [(seq, body) for c, seq, body in numbered if c == str(uuid.UUID(campaigns[0]))] == [
            (1, "2026-01-01"), (2, "2026-01-02"), (3, "2026-01-03")]  # fmt: skip
        assert [(seq, body) for c, seq, body in numbered if c == str(uuid.UUID(campaigns[1]))] == [(1, "2026-01-01")]
        db.engine.dispose()


def _stored(url: str, hex_id: str) -> str:
    """A UUID as the column stores it: 32 hex digits on SQLite, the usual form on PostgreSQL."""
    return hex_id if url.startswith("sqlite") else str(uuid.UUID(hex_id))


def test_events_logged_before_numbering_are_numbered_in_order_on_sqlite(tmp_path):
    _events_numbered_on_upgrade(f"sqlite:///{tmp_path / 'numbered.db'}", tmp_path)


def test_events_logged_before_numbering_are_numbered_in_order_on_postgresql(postgres, tmp_path):
    with _scratch_postgres(postgres) as url:
        _events_numbered_on_upgrade(url, tmp_path)
