#!/usr/bin/env bash
# Release task, run once per deploy before traffic moves: migrate the database, then publish the static
# files where Nginx serves them (STATIC_PUBLISH_DIR, when set).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

flask db upgrade
if [ -n "${STATIC_PUBLISH_DIR:-}" ]; then
  cp -R static/. "$STATIC_PUBLISH_DIR/"
  echo "release: static files published to $STATIC_PUBLISH_DIR"
fi
