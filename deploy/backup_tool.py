"""Helpers of backup.sh and restore.sh: libpq settings from DATABASE_URL, and S3 transfers with boto3."""

import argparse
import hashlib
import os
import re
import shlex
import sys
import urllib.parse
from datetime import UTC, datetime, timedelta

# libpq reads these from the environment, so no password ever appears on a command line.
PG_ENV = {
    "host": "PGHOST",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
}
STAMP = re.compile(r"(\d{8}T\d{6}Z)")


def pg_settings(url: str) -> dict[str, str]:
    """The libpq settings of a SQLAlchemy or libpq URL (postgresql+psycopg://user:pass@host:port/db?...)."""
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith(("postgresql", "postgres")):
        raise SystemExit(f"not a PostgreSQL URL: {parts.scheme}://...")
    settings = {
        "host": parts.hostname or "",
        "port": str(parts.port or ""),
        "user": urllib.parse.unquote(parts.username or ""),
        "password": urllib.parse.unquote(parts.password or ""),
        "dbname": urllib.parse.unquote(parts.path.lstrip("/")),
    }
    for key, values in urllib.parse.parse_qs(parts.query).items():
        if key in PG_ENV:
            settings[key] = values[-1]
    return {key: value for key, value in settings.items() if value}


def cmd_pg_env(args) -> None:
    for key, value in pg_settings(args.url).items():
        print(f"export {PG_ENV[key]}={shlex.quote(value)}")


def s3_client():
    import boto3
    from botocore.config import Config

    endpoint = os.environ.get("BACKUP_S3_ENDPOINT_URL") or os.environ.get("S3_ENDPOINT_URL") or None
    config = Config(
        signature_version="s3v4",
        s3={"addressing_style": "path" if endpoint else "auto"},
        retries={"max_attempts": 5, "mode": "standard"},
    )
    return boto3.client(
        "s3", endpoint_url=endpoint, region_name=os.environ.get("AWS_REGION", "us-east-1"), config=config
    )


def split_s3(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc:
        raise SystemExit(f"not an s3://bucket/key URL: {url}")
    return parts.netloc, parts.path.lstrip("/")


def sha256_of(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def cmd_put(args) -> None:
    bucket, key = split_s3(args.url)
    extra = {"Metadata": {"sha256": sha256_of(args.file)}}
    if os.environ.get("BACKUP_SSE"):  # e.g. aws:kms; unset, the bucket's default encryption applies
        extra["ServerSideEncryption"] = os.environ["BACKUP_SSE"]
    s3_client().upload_file(args.file, bucket, key, ExtraArgs=extra)
    print(f"s3://{bucket}/{key}")


def cmd_get(args) -> None:
    bucket, key = split_s3(args.url)
    client = s3_client()
    expected = client.head_object(Bucket=bucket, Key=key).get("Metadata", {}).get("sha256")
    client.download_file(bucket, key, args.file)
    if expected and sha256_of(args.file) != expected:
        raise SystemExit(f"s3://{bucket}/{key}: the download does not match its SHA-256; refusing to use it")


def _backups(url: str) -> list[tuple[datetime, str]]:
    """(time in the key's name, key) of every backup under the prefix, oldest first."""
    bucket, prefix = split_s3(url)
    found = []
    for page in s3_client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            match = STAMP.search(item["Key"].rsplit("/", 1)[-1])
            if match and item["Key"].endswith(".dump"):
                stamp = datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
                found.append((stamp, item["Key"]))
    return sorted(found)


def cmd_latest(args) -> None:
    bucket, _ = split_s3(args.url)
    backups = _backups(args.url)
    if not backups:
        raise SystemExit(f"no backups under {args.url}")
    stamp, key = backups[-1]
    age = datetime.now(UTC) - stamp
    if args.max_age_minutes is not None and age > timedelta(minutes=args.max_age_minutes):
        raise SystemExit(f"the newest backup, s3://{bucket}/{key}, is {age} old")
    print(f"s3://{bucket}/{key}")


def cmd_prune(args) -> None:
    """Delete backups older than --days, judged by the time in their names; the newest one always stays."""
    bucket, _ = split_s3(args.url)
    backups = _backups(args.url)
    cutoff = datetime.now(UTC) - timedelta(days=args.days)
    doomed = [key for stamp, key in backups[:-1] if stamp < cutoff]
    client = s3_client()
    for start in range(0, len(doomed), 1000):
        batch = [{"Key": key} for key in doomed[start : start + 1000]]
        client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
    for key in doomed:
        print(f"pruned s3://{bucket}/{key}")


def cmd_ensure_bucket(args) -> None:
    """Create buckets that do not exist yet (for MinIO in docker-compose; Terraform makes them on AWS)."""
    client = s3_client()
    existing = {b["Name"] for b in client.list_buckets().get("Buckets", [])}
    for name in args.names:
        if name not in existing:
            client.create_bucket(Bucket=name)
            print(f"created bucket {name}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    pg_env = commands.add_parser("pg-env", help="print `export PG...=...` lines for a database URL")
    pg_env.add_argument("url")
    pg_env.set_defaults(run=cmd_pg_env)
    put = commands.add_parser("put", help="upload a file, with its SHA-256 as metadata")
    put.add_argument("file")
    put.add_argument("url")
    put.set_defaults(run=cmd_put)
    get = commands.add_parser("get", help="download an object and check its SHA-256")
    get.add_argument("url")
    get.add_argument("file")
    get.set_defaults(run=cmd_get)
    latest = commands.add_parser("latest", help="print the newest backup under a prefix")
    latest.add_argument("url")
    latest.add_argument("--max-age-minutes", type=int, help="fail when the newest backup is older")
    latest.set_defaults(run=cmd_latest)
    prune = commands.add_parser("prune", help="delete backups older than --days (never the newest)")
    prune.add_argument("url")
    prune.add_argument("--days", type=int, required=True)
    prune.set_defaults(run=cmd_prune)
    ensure = commands.add_parser("ensure-bucket", help="create the named buckets if missing")
    ensure.add_argument("names", nargs="+")
    ensure.set_defaults(run=cmd_ensure_bucket)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
