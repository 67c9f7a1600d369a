#!/usr/bin/env bash
# moto.sh: a real DynamoDB-API server (moto) on loopback for the DynamoDB adapter's tests.
#
#   scripts/moto.sh install   create .venv/ and install moto[server] into it (if missing)
#   scripts/moto.sh start     install if needed, start moto_server on 127.0.0.1:$MOTO_PORT
#                             (default 5000) in the background, wait until it answers
#   scripts/moto.sh stop      stop the server this script started
#   scripts/moto.sh status    say whether it is running
#
# Every subcommand is idempotent. Needs python3 (3.9+) with the venv module; no sudo.
# Point the tests at it with:
#   AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$MOTO_PORT AWS_ACCESS_KEY_ID=testing \
#   AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
set -euo pipefail

MOTO_VERSION="5.1.22"
PORT="${MOTO_PORT:-5000}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PIDFILE="$VENV/moto-$PORT.pid"
LOGFILE="$VENV/moto-$PORT.log"

log() { echo "moto.sh: $*" >&2; }

install() {
    if [ -x "$VENV/bin/moto_server" ] &&
        "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv at $VENV"
        python3 -m venv "$VENV"
    fi
    log "installing moto[server]==$MOTO_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION"
}

running() {
    [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

answers() {
    # Any HTTP answer on the port means the server is up.
    "$VENV/bin/python" - "$PORT" <<'EOF' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1)
except urllib.error.HTTPError:
    pass
EOF
}

start() {
    install
    if running; then
        if answers; then
            return 0
        fi
    elif answers; then
        log "something already answers on 127.0.0.1:$PORT; using it"
        return 0
    fi
    if ! running; then
        log "starting moto_server on 127.0.0.1:$PORT (log: $LOGFILE)"
        nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOGFILE" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    for _ in $(seq 1 100); do
        if answers; then
            log "moto is answering on http://127.0.0.1:$PORT"
            return 0
        fi
        if ! running; then
            log "moto_server exited; its log:"
            cat "$LOGFILE" >&2 || true
            rm -f "$PIDFILE"
            return 1
        fi
        sleep 0.2
    done
    log "moto_server did not answer within 20 s; its log:"
    cat "$LOGFILE" >&2 || true
    return 1
}

stop() {
    if running; then
        local pid
        pid="$(cat "$PIDFILE")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
        log "stopped moto_server (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

case "${1:-}" in
install) install ;;
start) start ;;
stop) stop ;;
status)
    if running && answers; then
        echo "running on http://127.0.0.1:$PORT (pid $(cat "$PIDFILE"))"
    else
        echo "not running"
        exit 1
    fi
    ;;
*)
    echo "usage: $0 install|start|stop|status   (env MOTO_PORT, default 5000)" >&2
    exit 2
    ;;
esac
