# shellcheck shell=bash
# blue-green.sh driver for docker-compose.yml on one host: the colours are the services app-blue and
# app-green (APP_REPLICAS instances each); the release task is the one-shot service `migrate`.

COMPOSE_FILE=${COMPOSE_FILE:-$root/docker-compose.yml}
HEALTH_URL=${HEALTH_URL:-https://localhost/health}

# Each colour's image is remembered, so any later `docker compose` call recreates what really runs.
compose() {
  local images="$STATE_DIR/images.env"
  (
    # shellcheck source=/dev/null
    [ -f "$images" ] && set -a && source "$images" && set +a
    docker compose -f "$COMPOSE_FILE" "$@"
  )
}

remember_image() { # COLOUR IMAGE
  local name images="$STATE_DIR/images.env"
  name="$(tr '[:lower:]' '[:upper:]' <<<"$1")_IMAGE"
  touch "$images"
  grep -v "^$name=" "$images" >"$images.next" || true
  echo "$name=$2" >>"$images.next"
  mv "$images.next" "$images"
}

colour_start() { # COLOUR IMAGE
  remember_image "$1" "$2"
  compose up -d --no-deps --force-recreate --scale "app-$1=${APP_REPLICAS:-2}" "app-$1"
}

colour_migrate() { # IMAGE
  TAVERN_IMAGE=$1 compose run --rm --no-deps migrate
}

colour_ready() { # COLOUR: every instance answers /ready with 200
  local ids id
  ids=$(compose ps -q "app-$1")
  [ -n "$ids" ] || return 1
  for id in $ids; do
    docker exec "$id" python deploy/healthcheck.py /ready >/dev/null 2>&1 || return 1
  done
}

colour_upstream() { # COLOUR: Nginx resolves the service name to every instance at each reload
  echo "server app-$1:8000 max_fails=1 fail_timeout=10s;"
}

colour_stop() { # COLOUR
  compose stop "app-$1"
}

nginx_reload() {
  compose exec -T nginx nginx -t && compose exec -T nginx nginx -s reload
}
