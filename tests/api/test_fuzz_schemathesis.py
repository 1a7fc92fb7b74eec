"""Schemathesis fuzzes every documented operation of a live Tavern, signed in with a write token and anonymous, on
PostgreSQL in CI: every check (server errors, status codes, content types, headers and bodies against the document,
positive and negative data acceptance, use after free, resource availability …) in every phase (examples,
coverage, fuzzing, and stateful sequences along the document's links), each run bounded to about two minutes by
a count of cases."""

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.deploy.stack import scratch_database
from tests.servers import BIN, ROOT, app_env, gunicorn, migrate

# Failures Schemathesis has recorded and the project accepts for now, each an operation that refuses some
# schema-valid input with a status; every other failure fails the run. They come from request schemas that do
# not yet say all the server enforces (see the entries' `reason`).
BASELINE = Path(__file__).with_name("schemathesis-baseline.json")
# Schemathesis's default statuses for a schema-valid request, plus 412 for an If-Match that names no current
# version, 400 for a cursor (or a mailed link's token) the server never gave out, and 422 where the body holds only
# choices (ids, flags, enums) or nothing: a game rule or the data's state refuses those, which no schema can say.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]

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


def _choices_only(schema: dict, document: dict) -> bool:
    """Whether a value of this schema is only ever a choice (an id, a flag, an enum, null), never text or a number:
    a refusal of such a value comes from the state of the data or a rule, never from a bound the schema missed."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "anyOf" in schema:
        return all(_choices_only(part, document) for part in schema["anyOf"])
    if schema.get("type") == "object":
        return all(_choices_only(part, document) for part in schema.get("properties", {}).values())
    if schema.get("type") == "array":
        return _choices_only(schema["items"], document)
    return schema.get("format") == "uuid" or "enum" in schema or schema.get("type") in ("boolean", "null")


def extra_statuses(document: dict) -> dict[str, tuple[str, ...]]:
    """Per operationId, the statuses beyond ACCEPTED that a schema-valid request may get, from the document itself."""
    extra = {}
    for item in document["paths"].values():
        for operation in item.values():
            names = {parameter["name"] for parameter in operation["parameters"]}
            statuses = []
            if "If-Match" in names:
                statuses.append("412")
            if "cursor" in names or operation["operationId"] == "auth_verify_confirm":
                statuses.append("400")
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if "422" in operation["responses"] and "multipart/form-data" not in operation.get("requestBody", {}).get(
                "content", {}
            ) and (body is None or _choices_only(body["schema"], document)):
                statuses.append("422")
            if statuses:
                extra[operation["operationId"]] = tuple(statuses)
    return extra


def configuration(document: dict) -> str:
    """schemathesis.toml: the statuses a schema-valid request may get. Schemathesis applies the first section that
    names an operation, so each operation is in exactly one: the one for its whole set of extra statuses."""
    by_statuses: dict[tuple[str, ...], list[str]] = {}
    for operation_id, statuses in extra_statuses(document).items():
        by_statuses.setdefault(statuses, []).append(operation_id)
    # Longer sequences along the document's links reach what a create made (a character's sheet, its pack).
    sections = ["[phases.stateful]\nmax-steps = 12\ngeneration.max-examples = 120\n"]
    for statuses, operations in sorted(by_statuses.items()):
        pattern = "^(" + "|".join(sorted(operations)) + ")$"
        expected = ", ".join(f'"{code}"' for code in [*ACCEPTED, *statuses])
        sections.append(
            f"[[operations]]\ninclude-operation-id-regex = '{pattern}'\n"
            f"checks.positive_data_acceptance.expected-statuses = [{expected}]\n"
        )
    return "\n".join(sections)


@pytest.fixture
def fuzz_database(tmp_path):
    """PostgreSQL when the suite has it (NUL bytes and 32-bit overflows fail only there), else a SQLite file."""
    database_url = os.environ.get("TEST_DATABASE_URL")
    if not database_url:
        yield f"sqlite:///{tmp_path / 'fuzz.db'}"
        return
    with scratch_database(database_url, prefix="tavern_fuzz") as url:
        yield url


def test_the_configuration_allows_412_400_and_422_only_where_the_schema_cannot_tell(client):
    document = client.get("/api/v1/openapi.json").get_json()
    extra = extra_statuses(document)
    assert "412" in extra["character_update"] and "character_get" not in extra
    assert extra["equipment_put"] == ("412", "422")  # an If-Match, and ids only a rule can refuse
    for listed in ("character_list", "item_list", "auth_verify_confirm"):
        assert "400" in extra[listed], listed
    assert "400" not in extra.get("character_create", ())
    for chosen in ("character_skill_learn", "equipment_put", "campaign_member_approve", "inventory_use", "user_role"):
        assert "422" in extra[chosen], chosen
    for typed in ("character_create", "inventory_add", "character_experience", "item_update", "image_create"):
        assert "422" not in extra.get(typed, ()), typed
    config = configuration(document)
    for operation_id in extra:  # each operation in exactly one section, or the first would hide the others
        assert len(re.findall(rf"[(|]{operation_id}[|)]", config)) == 1, operation_id


def test_every_accepted_failure_says_why():
    entries = json.loads(BASELINE.read_text())["entries"]
    assert entries
    for entry in entries:
        assert entry["check"] == "positive_data_acceptance", entry
        assert entry["reason"].strip(), entry


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
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=30) as answer:
            config = tmp_path / "schemathesis.toml"
            config.write_text(configuration(json.load(answer)))
        run = subprocess.run(
            [
                str(BIN / "schemathesis"), "--config-file", str(config), "run", f"{base}/api/v1/openapi.json",
                "--url", base, *credentials,
                "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
                # Deterministic and counted rather than timed, so every run sends the same requests: about two
                # minutes on an idle machine, and a failure the baseline does not know is a real change.
                "--generation-allow-x00", "true", "--generation-deterministic", "--max-examples", "40",
                "--seed", "7", "--workers", "2", "--baseline", str(BASELINE),
                "--no-color", "--report-dir", str(tmp_path / "schemathesis"),
            ],
            cwd=tmp_path, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
    assert run.returncode == 0, run.stdout[-8000:]
    assert "API Operations:" in run.stdout
