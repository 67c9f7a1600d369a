#!/usr/bin/env bash
# moto.sh: a real DynamoDB-API server (moto) on loopback for the DynamoDB adapter's tests.
#
#   scripts/moto.sh install   create .venv/ and install moto[server] into it (if missing)
#   scripts/moto.sh start     install if needed, start moto on 127.0.0.1:$MOTO_PORT
#                             (default 5000) in the background, wait until it answers
#   scripts/moto.sh stop      stop the server this script started
#   scripts/moto.sh status    say whether it is running
#
# Every subcommand is idempotent. Needs python3 (3.9+) and pip, and PyPI; no sudo.
#
# The server is moto's own WSGI app (what `moto_server -H 127.0.0.1 -p PORT` runs) behind one
# lock, so requests are applied one at a time. moto's threaded server is not safe under
# concurrent DynamoDB writes: its TransactWriteItems deep-copies whole tables while other
# threads change them (HTTP 500 "dictionary changed size during iteration") and restores that
# copy when a condition fails, losing other requests' writes. Real DynamoDB applies each
# request atomically, so serialising keeps its guarantees; the race tests still send their
# requests concurrently over many connections.
#
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
NAME="moto.sh"
SERVICE="moto server"
OWN_CMDLINE="moto"
USAGE_ENV="MOTO_PORT, default 5000"
# shellcheck source=scripts/service.sh
. "$ROOT/scripts/service.sh"

# moto_server's own main, with the app wrapped in a lock (see above).
SERVER_PY='
import sys, threading
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

app = DomainDispatcherApplication(create_backend_app)
lock = threading.Lock()

def serialized(environ, start_response):
    with lock:
        return list(app(environ, start_response))

run_simple(sys.argv[1], int(sys.argv[2]), serialized, threaded=True)
'

install() {
    if [ -x "$VENV/bin/moto_server" ] &&
        "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv at $VENV"
        if ! python3 -m venv "$VENV"; then
            # A system python without ensurepip (Debian's without python3-venv): take
            # virtualenv from PyPI into a scratch folder and let it make the venv.
            log "python3 -m venv failed; trying virtualenv from PyPI"
            rm -rf "$VENV"
            local tools
            tools="$(mktemp -d)"
            python3 -m pip install --quiet --disable-pip-version-check --target "$tools" virtualenv
            PYTHONPATH="$tools" python3 -m virtualenv --quiet "$VENV"
            rm -rf "$tools"
        fi
    fi
    log "installing moto[server]==$MOTO_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "moto[server]==$MOTO_VERSION"
}

answers() {
    # moto's dashboard answers on /moto-api/; anything else on the port does not count.
    "$VENV/bin/python" - "$PORT" <<'EOF' 2>/dev/null
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1) as r:
    sys.exit(0 if b"moto" in r.read(65536).lower() else 1)
EOF
}

start() {
    install
    if running; then
        if answers; then
            return 0
        fi
    elif answers; then
        log "a moto server not started by this script answers on 127.0.0.1:$PORT; using it"
        return 0
    fi
    if ! running; then
        log "starting moto server on 127.0.0.1:$PORT (log: $LOGFILE)"
        MOTO_PORT="$PORT" nohup "$VENV/bin/python" -c "$SERVER_PY" 127.0.0.1 "$PORT" \
            >"$LOGFILE" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    await_answer
}

stop() {
    if running; then
        local pid
        pid="$(cat "$PIDFILE")"
        terminate "$pid"
        log "stopped moto server (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

service_main "$@"
