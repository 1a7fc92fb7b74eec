"""Schemathesis fuzzes every documented operation of a live Tavern, signed in and anonymous, on PostgreSQL in
CI, and finds no server error and no answer that breaks the document."""

import os
import subprocess
import sys

import pytest

from tests.deploy.stack import scratch_database
from tests.servers import BIN, ROOT, app_env, gunicorn, migrate

MAKE_TOKEN = """
from webapp import create_app
from webapp.services.passwords import hash_password
from webapp.services.tokens import PERSONAL_PREFIX, digest, new_secret
from webapp.extensions import db
from webapp.models import ApiToken, TokenScope, User
from webapp.seed import load_reference

app = create_app()
with app.app_context():
    load_reference()
    user = User(email="fuzz@example.com", display_name="Fuzz", email_verified=True,
                password_hash=hash_password("a long fuzzing passphrase"))
    db.session.add(user)
    db.session.flush()
    secret = new_secret(PERSONAL_PREFIX)
    db.session.add(ApiToken(user_id=user.id, name="fuzz", scope=TokenScope.WRITE, token_hash=digest(secret),
                            prefix=secret[:8]))
    db.session.commit()
    print(secret)
"""


@pytest.fixture
def fuzz_database(tmp_path):
    """PostgreSQL when the suite has it (NUL bytes and 32-bit overflows fail only there), else a SQLite file."""
    database_url = os.environ.get("TEST_DATABASE_URL")
    if not database_url:
        yield f"sqlite:///{tmp_path / 'fuzz.db'}"
        return
    with scratch_database(database_url, prefix="tavern_fuzz") as url:
        yield url


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["write-token", "anonymous"])
def test_schemathesis_finds_no_server_error_or_contract_failure(fuzz_database, tmp_path, caller):
    env = app_env(fuzz_database, RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING")
    migrate(env)
    made = subprocess.run([sys.executable, "-c", MAKE_TOKEN], cwd=ROOT, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    credentials = ["-H", f"Authorization: Bearer {token}"] if caller == "write-token" else []
    with gunicorn(env, workers=2) as base:
        run = subprocess.run(
            [
                str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json", "--url", base, *credentials,
                "--checks", "all",
                # Schema-valid data may still break a game rule (a common password, a level too low): 422 is right.
                "--exclude-checks", "positive_data_acceptance",
                "--generation-allow-x00", "true",
                "--phases", "coverage,fuzzing", "--max-examples", "15", "--seed", "7",
                "--workers", "2", "--no-color", "--report-dir", str(tmp_path / "schemathesis"),
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:]
    assert "API Operations:" in run.stdout
