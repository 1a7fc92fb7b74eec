#!/usr/bin/env bash
# Blue-green deploy behind Nginx: start the idle colour with the new release, migrate, wait for /ready,
# switch Nginx's upstream with a reload, keep the old colour running for rollback, and roll back by itself
# when the new colour is not healthy.
#
#   blue-green.sh deploy IMAGE    release IMAGE on the idle colour and move the traffic to it
#   blue-green.sh rollback        move the traffic back to the previous colour (still running)
#   blue-green.sh status          the live colour and the release of each colour
#
# A driver says how a colour starts, migrates, reports ready, is addressed by Nginx and stops, and how
# Nginx reloads: BLUE_GREEN_DRIVER (default deploy/blue-green.d/compose.sh, for docker-compose.yml).
# Settings: STATE_DIR (var/deploy), UPSTREAM_FILE (deploy/nginx/upstream.conf, the file Nginx includes),
# HEALTH_URL (https://localhost/health, through Nginx), READY_TIMEOUT (180 s), and VERIFY_CHECKS (5) checks
# in a row, VERIFY_INTERVAL (1 s) apart, that must pass within VERIFY_TIMEOUT (60 s) after the switch.
# Migrations must suit both releases (expand, then contract in a later release): the old colour keeps
# running on the migrated database until the next deploy.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
STATE_DIR=${STATE_DIR:-$root/var/deploy}
UPSTREAM_FILE=${UPSTREAM_FILE:-$here/nginx/upstream.conf}
HEALTH_URL=${HEALTH_URL:-https://localhost/health}
READY_TIMEOUT=${READY_TIMEOUT:-180}
VERIFY_CHECKS=${VERIFY_CHECKS:-5}
VERIFY_INTERVAL=${VERIFY_INTERVAL:-1}
VERIFY_TIMEOUT=${VERIFY_TIMEOUT:-60}

log() { printf '%s blue-green: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "$*"; exit 1; }

# shellcheck source=deploy/blue-green.d/compose.sh
source "${BLUE_GREEN_DRIVER:-$here/blue-green.d/compose.sh}"
for hook in colour_start colour_migrate colour_ready colour_upstream colour_stop nginx_reload; do
  declare -F "$hook" >/dev/null || die "the driver does not define $hook"
done

mkdir -p "$STATE_DIR"
live_colour() { cat "$STATE_DIR/live" 2>/dev/null || echo blue; }
other() { if [ "$1" = blue ]; then echo green; else echo blue; fi; }

# Write the upstream atomically (a rename in the same folder) so Nginx never reads half a file, and
# reload; when the new configuration does not load, the previous file is put back.
switch_to() {
  local colour=$1 previous="$STATE_DIR/upstream.previous" next
  next=$(mktemp "$(dirname "$UPSTREAM_FILE")/.upstream.XXXXXX")
  {
    echo "# The live colour: $colour. Written by deploy/blue-green.sh at $(date -u +%Y-%m-%dT%H:%M:%SZ)."
    colour_upstream "$colour"
  } >"$next"
  chmod 644 "$next"
  cp "$UPSTREAM_FILE" "$previous"
  mv "$next" "$UPSTREAM_FILE"
  if ! nginx_reload; then
    cp "$previous" "$UPSTREAM_FILE"
    nginx_reload || true
    return 1
  fi
  echo "$colour" >"$STATE_DIR/live"
}

# Healthy through Nginx VERIFY_CHECKS times in a row within VERIFY_TIMEOUT. A reload is asynchronous: the
# first answers may still come from Nginx workers of the previous configuration.
edge_healthy() {
  local streak=0 deadline=$((SECONDS + VERIFY_TIMEOUT))
  while ((streak < VERIFY_CHECKS)); do
    ((SECONDS < deadline)) || return 1
    sleep "$VERIFY_INTERVAL"
    if curl -fsS -k --max-time 5 -o /dev/null "$HEALTH_URL"; then
      streak=$((streak + 1))
    else
      streak=0
    fi
  done
}

wait_ready() {
  local colour=$1 deadline=$((SECONDS + READY_TIMEOUT))
  until colour_ready "$colour"; do
    ((SECONDS < deadline)) || return 1
    sleep 1
  done
}

deploy() {
  local image=${1:?usage: blue-green.sh deploy IMAGE} live idle
  live=$(live_colour)
  idle=$(other "$live")
  log "live: $live; starting $idle with $image"
  colour_start "$idle" "$image"
  log "migrating with $image"
  if ! colour_migrate "$image"; then
    colour_stop "$idle"
    die "migration failed; $idle stopped, $live still serves"
  fi
  log "waiting for $idle to be ready (up to ${READY_TIMEOUT} s)"
  if ! wait_ready "$idle"; then
    colour_stop "$idle"
    die "ROLLED BACK: $idle never became ready; it is stopped and $live still serves"
  fi
  log "switching Nginx to $idle"
  if ! switch_to "$idle"; then
    colour_stop "$idle"
    die "ROLLED BACK: Nginx refused the $idle upstream; $live still serves"
  fi
  if ! edge_healthy; then
    log "$idle is unhealthy behind Nginx; switching back to $live"
    switch_to "$live" || die "could not switch back to $live: Nginx needs a hand"
    colour_stop "$idle"
    edge_healthy || die "ROLLED BACK to $live, which does not look healthy either: look at it now"
    die "ROLLED BACK: $live serves again and $idle is stopped"
  fi
  echo "$image" >"$STATE_DIR/image-$idle"
  log "done: $idle serves $image; $live keeps running for rollback (blue-green.sh rollback)"
}

rollback() {
  local live previous
  live=$(live_colour)
  previous=$(other "$live")
  colour_ready "$previous" || die "$previous is not running or not ready; deploy its release again instead"
  switch_to "$previous" || die "Nginx refused the $previous upstream; $live still serves"
  edge_healthy || log "warning: $previous does not look healthy through Nginx either"
  log "rolled back: $previous serves $(cat "$STATE_DIR/image-$previous" 2>/dev/null || echo "its release")"
}

status() {
  local live colour
  live=$(live_colour)
  for colour in blue green; do
    printf '%s%s: %s\n' "$colour" "$([ "$colour" = "$live" ] && echo ' (live)')" \
      "$(cat "$STATE_DIR/image-$colour" 2>/dev/null || echo unknown)"
  done
}

case "${1:-}" in
  deploy) deploy "${2:-}" ;;
  rollback) rollback ;;
  status) status ;;
  *) echo "usage: $0 deploy IMAGE | rollback | status" >&2; exit 2 ;;
esac
