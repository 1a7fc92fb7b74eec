#!/usr/bin/env bash
# Logical backup of DATABASE_URL to S3: pg_dump (custom format), checked, uploaded, and backups older than
# BACKUP_RETENTION_DAYS (30) pruned. Run it hourly for the 1-hour RPO: `backup.sh --every 3600` loops.
#
# Environment: DATABASE_URL, BACKUP_BUCKET; optional BACKUP_PREFIX (postgres), BACKUP_RETENTION_DAYS (30),
# S3_ENDPOINT_URL or BACKUP_S3_ENDPOINT_URL (MinIO, moto), AWS_REGION and the usual AWS credentials.
# `backup.sh --check [MINUTES]` fails when the newest backup is older than MINUTES (90): for monitoring.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
prefix=${BACKUP_PREFIX:-postgres}
retention=${BACKUP_RETENTION_DAYS:-30}

log() { printf '%s backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
tool() { "$python" "$here/backup_tool.py" "$@"; }

: "${BACKUP_BUCKET:?BACKUP_BUCKET must name the bucket that keeps the backups}"
destination="s3://${BACKUP_BUCKET}/${prefix}/"

# A subshell: its EXIT trap removes this run's folder, whatever happens.
backup_once() (
  : "${DATABASE_URL:?DATABASE_URL must be set}"
  started=$(date +%s)
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  stamp=$(date -u +%Y%m%dT%H%M%SZ)
  dump="$work/tavern-$stamp.dump"
  eval "$(tool pg-env "$DATABASE_URL")"
  pg_dump --format=custom --compress=6 --file="$dump"
  # A dump that pg_restore cannot read is no backup: check it before it replaces anything.
  pg_restore --list "$dump" >/dev/null
  key=$(tool put "$dump" "${destination}tavern-$stamp.dump")
  log "uploaded $key ($(stat -c %s "$dump") bytes, $(($(date +%s) - started)) s)"
  tool prune "$destination" --days "$retention" | while read -r line; do log "$line"; done
)

case "${1:-}" in
  "")
    backup_once
    ;;
  --every)
    interval=${2:?--every needs a number of seconds}
    while true; do
      # A process of its own: `set -e` does not apply inside a function called left of `||`.
      "${BASH_SOURCE[0]}" || log "FAILED; the next attempt is at the next slot"
      sleep $((interval - $(date +%s) % interval))
    done
    ;;
  --check)
    tool latest "$destination" --max-age-minutes "${2:-90}"
    ;;
  *)
    echo "usage: $0 [--every SECONDS | --check [MINUTES]]" >&2
    exit 2
    ;;
esac
