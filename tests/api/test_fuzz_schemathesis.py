"""Schemathesis fuzzes every documented operation of a live Tavern with a write token and finds nothing."""

import subprocess
import sys

import pytest

from tests.servers import BIN, ROOT, app_env, gunicorn, migrate

MAKE_TOKEN = """
from webapp import create_app
from webapp.auth.passwords import hash_password
from webapp.auth.tokens import PERSONAL_PREFIX, digest, new_secret
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


@pytest.mark.slow
def test_schemathesis_finds_no_failures_with_a_write_token(tmp_path):
    env = app_env(f"sqlite:///{tmp_path / 'fuzz.db'}", RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING")
    migrate(env)
    made = subprocess.run([sys.executable, "-c", MAKE_TOKEN], cwd=ROOT, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    with gunicorn(env, workers=2) as base:
        run = subprocess.run(
            [
                str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json", "--url", base,
                "-H", f"Authorization: Bearer {token}",
                "--checks", "all",
                # Schema-valid data may still break a game rule (a common password, a level too low): 422 is right.
                "--exclude-checks", "positive_data_acceptance",
                "--phases", "coverage,fuzzing", "--max-examples", "3", "--seed", "7",
                "--workers", "2", "--no-color", "--report-dir", str(tmp_path / "schemathesis"),
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-6000:]
    assert "API Operations:" in run.stdout
