#!/usr/bin/env bash
# Restore a backup made by backup.sh into DATABASE_URL: `restore.sh [latest | s3://bucket/key] [--force]`.
# A missing database is created; a database that already has tables is only overwritten with --force.
#
# Environment: DATABASE_URL (the target), BACKUP_BUCKET and BACKUP_PREFIX (to find "latest"), and the
# same S3 settings as backup.sh.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
log() { printf '%s restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
tool() { "$python" "$here/backup_tool.py" "$@"; }

source_url=latest
force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    latest | s3://*) source_url=$arg ;;
    *) echo "usage: $0 [latest | s3://bucket/key] [--force]" >&2; exit 2 ;;
  esac
done
: "${DATABASE_URL:?DATABASE_URL must name the database to restore into}"
if [ "$source_url" = latest ]; then
  : "${BACKUP_BUCKET:?BACKUP_BUCKET must be set to find the latest backup}"
  source_url=$(tool latest "s3://${BACKUP_BUCKET}/${BACKUP_PREFIX:-postgres}/")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dump="$work/restore.dump"
log "fetching $source_url"
tool get "$source_url" "$dump"
pg_restore --list "$dump" >/dev/null

eval "$(tool pg-env "$DATABASE_URL")"
target=${PGDATABASE:?DATABASE_URL names no database}
exists=$(PGDATABASE=postgres psql -X -tAc "SELECT 1 FROM pg_database WHERE datname = '${target//\'/\'\'}'")
if [ "$exists" != 1 ]; then
  log "creating database $target"
  createdb --maintenance-db=postgres "$target"
fi
tables=$(psql -X -tAc "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
options=(--no-owner --no-privileges --exit-on-error --single-transaction)
if [ "$tables" -gt 0 ]; then
  if [ "$force" != true ]; then
    log "database $target already has $tables tables; add --force to replace them with the backup"
    exit 1
  fi
  options+=(--clean --if-exists)
fi
log "restoring into $target"
pg_restore "${options[@]}" --dbname="$target" "$dump"
revision=$(psql -X -tAc "SELECT version_num FROM alembic_version" 2>/dev/null || echo unknown)
log "done: $target is at migration $revision"
