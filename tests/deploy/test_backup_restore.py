"""Backup to an S3-compatible server (moto), drop the database, restore it: the same rows come back."""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import boto3
import psycopg
import pytest

from tests.deploy.stack import admin_url, libpq_url, moto_s3, require_tool, scratch_database
from tests.servers import BIN, ROOT, app_env, migrate

# Production-like stacks share the Redis key names of production: one worker runs them, one after another.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("deploy")]

BUCKET = "tavern-backups"


def fingerprint(database_url: str) -> dict:
    """Row counts of every table, the migration, and a checksum of the characters table's contents."""
    with psycopg.connect(libpq_url(database_url)) as connection:
        tables = [r[0] for r in connection.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        counts = {t: connection.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}  # noqa: S608
        checksum = connection.execute(
            "SELECT md5(string_agg(c::text, '|' ORDER BY c.id)) FROM characters AS c"
        ).fetchone()[0]
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    return {"counts": counts, "characters_md5": checksum, "revision": revision}


def run(script: str, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "deploy" / script), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def s3_env(tmp_path_factory, real_services):
    require_tool("pg_dump")
    require_tool("pg_restore")
    with moto_s3(tmp_path_factory.mktemp("s3")) as endpoint:
        env = {
            "PATH": f"{BIN}:{os.environ['PATH']}",
            "PYTHON": sys.executable,
            "S3_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "backup-test",
            "AWS_SECRET_ACCESS_KEY": "backup-test",
            "AWS_REGION": "us-east-1",
            "BACKUP_BUCKET": BUCKET,
        }
        client = boto3.client(
            "s3", endpoint_url=endpoint, region_name="us-east-1",
            aws_access_key_id="backup-test", aws_secret_access_key="backup-test",
        )  # fmt: skip
        client.create_bucket(Bucket=BUCKET)
        yield env, client


def _stamp(age: timedelta) -> str:
    return (datetime.now(UTC) - age).strftime("%Y%m%dT%H%M%SZ")


def test_backup_then_drop_then_restore_brings_back_the_same_data(s3_env, real_services):
    env, s3 = s3_env
    database_url, _ = real_services
    with scratch_database(database_url, prefix="tavern_backup") as url:
        seeding = app_env(url)
        migrate(seeding)
        # Reference content and the demo accounts, characters and campaign.
        subprocess.run([str(BIN / "flask"), "seed", "--demo"], env=seeding, cwd=ROOT, check=True, capture_output=True)
        before = fingerprint(url)
        assert before["counts"]["characters"] > 0 and before["characters_md5"]

        # Backups past the 30-day retention go; younger ones stay.
        expired, kept = (
            f"postgres/tavern-{_stamp(timedelta(days=31))}.dump",
            f"postgres/tavern-{_stamp(timedelta(days=29))}.dump",
        )
        for key in (expired, kept):
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"an older backup")

        backup = run("backup.sh", {**env, "DATABASE_URL": url})
        assert backup.returncode == 0, backup.stderr
        keys = {o["Key"]: o["Size"] for o in s3.list_objects_v2(Bucket=BUCKET)["Contents"]}
        fresh = [k for k in keys if k not in (expired, kept)]
        assert len(fresh) == 1 and keys[fresh[0]] > 1000, keys
        assert expired not in keys and kept in keys
        assert f"pruned s3://{BUCKET}/{expired}" in backup.stderr
        assert run("backup.sh", env, "--check", "90").stdout.strip() == f"s3://{BUCKET}/{fresh[0]}"

        with psycopg.connect(libpq_url(admin_url(database_url)), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE "{url.rsplit("/", 1)[1]}" WITH (FORCE)')

        restore = run("restore.sh", {**env, "DATABASE_URL": url}, "latest")
        assert restore.returncode == 0, restore.stderr
        assert f"fetching s3://{BUCKET}/{fresh[0]}" in restore.stderr
        assert fingerprint(url) == before

        # Restoring over a database that has data needs --force.
        again = run("restore.sh", {**env, "DATABASE_URL": url}, f"s3://{BUCKET}/{fresh[0]}")
        assert again.returncode == 1 and "--force" in again.stderr
        forced = run("restore.sh", {**env, "DATABASE_URL": url}, f"s3://{BUCKET}/{fresh[0]}", "--force")
        assert forced.returncode == 0, forced.stderr
        assert fingerprint(url) == before


def test_a_download_that_does_not_match_its_checksum_is_refused(s3_env, tmp_path):
    env, s3 = s3_env
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"original bytes")
    key = f"checksum-test/tavern-{_stamp(timedelta(0))}.dump"
    tool = [sys.executable, str(ROOT / "deploy/backup_tool.py")]
    subprocess.run([*tool, "put", str(dump), f"s3://{BUCKET}/{key}"], env=env, check=True, capture_output=True)
    s3.copy_object(
        Bucket=BUCKET, Key=key, CopySource={"Bucket": BUCKET, "Key": key}, Metadata={"sha256": "0" * 64},
        MetadataDirective="REPLACE",
    )  # fmt: skip
    fetched = subprocess.run(
        [*tool, "get", f"s3://{BUCKET}/{key}", str(tmp_path / "y.dump")], env=env, capture_output=True, text=True
    )
    assert fetched.returncode != 0 and "does not match its SHA-256" in fetched.stderr


def test_database_urls_become_libpq_settings_without_passwords_on_command_lines():
    out = subprocess.run(
        [sys.executable, str(ROOT / "deploy/backup_tool.py"), "pg-env",
         "postgresql+psycopg://tavern:p%40ss%20w'rd@db.internal:6543/tavern?sslmode=require"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    shown = 'printf "%s|" "$PGHOST" "$PGPORT" "$PGUSER" "$PGPASSWORD" "$PGDATABASE" "$PGSSLMODE"'
    exported = subprocess.run(["bash", "-c", out + shown], capture_output=True, text=True, check=True).stdout
    assert exported == "db.internal|6543|tavern|p@ss w'rd|tavern|require|"
