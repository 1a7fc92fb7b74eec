# shellcheck shell=bash
# blue-green.sh driver for the tests: a colour is Gunicorn processes on loopback ports (BG_PORTS_BLUE,
# BG_PORTS_GREEN) run from the working tree, its "image" is the version it reports on /health, and the
# release named "broken" cannot reach its database. Nginx is the test's own (NGINX_BIN, NGINX_CONF, NGINX_PREFIX).

: "${root:?sourced by deploy/blue-green.sh}" "${BG_RUN:?}" "${BG_GUNICORN:?}" "${BG_FLASK:?}" "${NGINX_BIN:?}" "${NGINX_CONF:?}" "${NGINX_PREFIX:?}"

colour_ports() {
  local var
  var="BG_PORTS_$(tr '[:lower:]' '[:upper:]' <<<"$1")"
  echo "${!var}"
}

colour_start() { # COLOUR IMAGE
  local port database=$DATABASE_URL
  [ "$2" = broken ] && database="postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
  colour_stop "$1"
  for port in $(colour_ports "$1"); do
    (
      cd "$root" || exit 1
      DATABASE_URL=$database APP_VERSION=$2 setsid "$BG_GUNICORN" -c deploy/gunicorn.conf.py \
        --bind "127.0.0.1:$port" --pid "$BG_RUN/$1-$port.pid" >>"$BG_RUN/$1-$port.log" 2>&1 </dev/null &
    )
  done
}

colour_migrate() { # IMAGE
  (cd "$root" && "$BG_FLASK" db upgrade >>"$BG_RUN/migrate.log" 2>&1)
}

colour_ready() { # COLOUR
  local port
  for port in $(colour_ports "$1"); do
    curl -fsS --max-time 3 -o /dev/null "http://127.0.0.1:$port/ready" 2>/dev/null || return 1
  done
}

colour_upstream() { # COLOUR
  local port
  for port in $(colour_ports "$1"); do
    echo "server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"
  done
}

colour_stop() { # COLOUR: gracefully, by the PID each master wrote
  local pidfile pid i
  for pidfile in "$BG_RUN/$1"-*.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

nginx_reload() {
  "$NGINX_BIN" -c "$NGINX_CONF" -p "$NGINX_PREFIX" -t -q && "$NGINX_BIN" -c "$NGINX_CONF" -p "$NGINX_PREFIX" -s reload
}
