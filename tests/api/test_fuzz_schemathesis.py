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

# Schemathesis's default statuses for a schema-valid request, plus 412 for an If-Match that names no current
# version, 400 for a cursor (or a mailed link's token) the server never gave out, and 422 where the body holds only
# choices (ids, flags, enums) or nothing: a game rule or the data's state refuses those, which no schema can say.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
# Operations whose bodies hold text or numbers and that may still refuse a schema-valid body with 422, each for
# what no JSON Schema can say: the data's state, who asks, a rule across fields, the clock. Every text and number
# bound the server keeps is in the document, so any other 422 to a schema-valid body fails the run.
_HOMEBREW = "a name the caller already gives an entry of this kind, ids that name nothing here, HIDDEN (moderators)"
RULES = {
    **{f"{kind}_{verb}": _HOMEBREW for kind in ("race", "archetype", "skill", "perk", "item", "tag")
       for verb in ("create", "update")},
    "item_create": _HOMEBREW + ", durability above the maximum durability",
    "item_update": _HOMEBREW + ", durability above the maximum durability",
    "character_create": "the point buy's budget across the six scores, an archetype the race may not take, a name "
                        "the owner already uses, ids that name nothing",
    "character_update": "the point buy's budget, an archetype the race may not take, a name the owner already uses, "
                        "HIDDEN (moderators)",
    "character_import": "race, archetype, skill and item names that nothing here matches",
    "inventory_add": "an item id naming nothing the owner may see, the carry limit, a stack the item does not allow",
    "inventory_update": "the carry limit, fewer than the equipped slots hold, a stack the item does not allow",
    "image_create": "a file that is not a JPEG, PNG or WebP picture",
    "image_update": "HIDDEN (moderators)",
    "user_update": "an image id that names no picture of the user's",
    "campaign_create": "a name the game master already runs, race and archetype ids that name nothing",
    "campaign_update": "a name the game master already runs, race and archetype ids that name nothing",
    "campaign_award": "experience or an item or both, and someone to receive it (rules across fields)",
    "token_create": "an expiry in the past (the clock)",
    "user_ban": "an end in the past (the clock)",
    "auth_register": "a password that holds the display name or the address (a rule across fields)",
    "auth_password": "a new password that holds the user's own name or address (a rule across fields)",
    "character_spend": "more mana or stamina than the character has left (the data's state)",
    "character_roll": "dice the dice language refuses (a grammar, not a pattern), a condition that forbids the roll, "
                      "a kind without the attribute or skill it needs, a visibility other than private outside a "
                      "campaign",
    "campaign_roll": "dice the dice language refuses (a grammar, not a pattern)",
}  # fmt: skip

# What refuses a request that breaks the schema: Schemathesis's own list, and 414 for a request line that a negative
# query value made too long (Gunicorn's own page here, problem+json behind Nginx; the document lists both).
REJECTIONS = (
    "[checks.negative_data_rejection]\nexpected-statuses = "
    '["400", "401", "403", "404", "405", "406", "409", "414", "415", "422", "428", "429", "5xx"]\n'
)

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
            multipart = "multipart/form-data" in operation.get("requestBody", {}).get("content", {})
            choices = body is None or _choices_only(body["schema"], document)
            if "422" in operation["responses"] and (operation["operationId"] in RULES or choices and not multipart):
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
    sections = ["[phases.stateful]\nmax-steps = 12\ngeneration.max-examples = 120\n", REJECTIONS]
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


def _server_errors(log: Path) -> str:
    """What the server logged at ERROR (a 500's traceback among it): a failure names its cause, not only its id."""
    lines = log.read_text(errors="replace").splitlines() if log.exists() else []
    errors = [line for line in lines if '"ERROR"' in line or "Traceback" in line or line.startswith("  ")]
    return "\n\nServer errors:\n" + "\n".join(errors)[-6000:] if errors else ""


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
    for typed in ("character_experience", "campaign_note", "campaign_join", "auth_login", "auth_refresh"):
        assert "422" not in extra.get(typed, ()), typed
    config = configuration(document)
    for operation_id in extra:  # each operation in exactly one section, or the first would hide the others
        assert len(re.findall(rf"[(|]{operation_id}[|)]", config)) == 1, operation_id


def test_each_rule_names_an_operation_that_answers_422_with_a_body_of_text_or_numbers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operations = {op["operationId"]: op for item in document["paths"].values() for op in item.values()}
    for operation_id, reason in RULES.items():
        operation = operations[operation_id]
        assert "422" in operation["responses"] and reason.strip(), operation_id
        content = operation["requestBody"]["content"]
        body = content.get("application/json")
        assert "multipart/form-data" in content or not _choices_only(body["schema"], document), operation_id


def _tool_crashed(report: str) -> bool:
    """Whether the run stopped on CPython 3.11.7's race in building syntax trees from two threads at once
    (gh-106905, fixed in 3.11.8), which Hypothesis does to describe a strategy: a crash of the tool, not a finding
    about the API, so such a run is made once more."""
    return "AST constructor recursion depth mismatch" in report and " FAILURES " not in report


@pytest.mark.slow
@pytest.mark.parametrize("caller", ["write-token", "anonymous"])
def test_schemathesis_finds_no_server_error_or_contract_failure(fuzz_database, tmp_path, caller):
    # A live stream of a campaign the fuzzer made answers what is there and ends, instead of holding a thread.
    env = app_env(fuzz_database, RATELIMIT_ENABLED="0", LOG_LEVEL="WARNING", LIVE_STREAM_SECONDS="1")
    migrate(env)
    made = subprocess.run([sys.executable, "-c", MAKE_TOKEN], cwd=ROOT, env=env, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    token = made.stdout.strip().splitlines()[-1]
    credentials = ["-H", f"Authorization: Bearer {token}"] if caller == "write-token" else []
    server_log = tmp_path / "gunicorn.log"
    with gunicorn(env, workers=2, log_path=server_log) as base:
        with urllib.request.urlopen(f"{base}/api/v1/openapi.json", timeout=30) as answer:
            config = tmp_path / "schemathesis.toml"
            config.write_text(configuration(json.load(answer)))
        command = [
            str(BIN / "schemathesis"), "--config-file", str(config), "run", f"{base}/api/v1/openapi.json",
            "--url", base, *credentials,
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            # Deterministic and counted rather than timed: the same generated requests each run (the stateful
            # phase follows the ids the server makes), about two minutes on an idle machine.
            "--generation-allow-x00", "true", "--generation-deterministic", "--max-examples", "40",
            "--seed", "7", "--workers", "2",
            "--no-color", "--report-dir", str(tmp_path / "schemathesis"),
        ]  # fmt: skip
        run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
        if _tool_crashed(run.stdout):
            run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    failures = run.stdout.partition(" FAILURES ")[2].partition(" WARNINGS ")[0]  # the summary is long, these first
    assert run.returncode == 0, (failures[:12000] or run.stdout[-8000:]) + _server_errors(server_log)
    assert "API Operations:" in run.stdout
