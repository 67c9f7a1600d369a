#!/usr/bin/env bash
# dynalite.sh: dynalite (a DynamoDB-API server on Node.js, from npm) on loopback, for the scale
# benchmark (bench/src/bin/scale_bench.rs), which needs pools far larger than moto holds in
# reasonable time.
#
#   scripts/dynalite.sh install   npm-install dynalite into .dynalite/ (if missing)
#   scripts/dynalite.sh start     install if needed, start dynalite on 127.0.0.1:$DYNALITE_PORT
#                                 (default 4567) in the background, wait until it answers
#   scripts/dynalite.sh stop      stop the server this script started
#   scripts/dynalite.sh status    say whether it is running
#
# Every subcommand is idempotent. Needs node (20+) and npm, and the npm registry; no sudo.
# The store is in memory unless DYNALITE_PATH names a folder (LevelDB on disk). The Node heap
# is raised to DYNALITE_HEAP_MB (default 8192) so a million-user table fits.
#
# dynalite serves the single-item and batch operations, Query and Scan, but not
# TransactWriteItems, TransactGetItems or UpdateTimeToLive (it answers
# UnknownOperationException): users with alias claims, sign-in's refresh token and the
# adapter's create_table TTL step need moto (scripts/moto.sh). docs/scale.md has the list.
#
# Point a client at it with:
#   AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$DYNALITE_PORT AWS_ACCESS_KEY_ID=testing \
#   AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
set -euo pipefail

DYNALITE_VERSION="4.0.0"
PORT="${DYNALITE_PORT:-4567}"
HEAP_MB="${DYNALITE_HEAP_MB:-8192}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="$ROOT/.dynalite"
CLI="$PREFIX/node_modules/dynalite/cli.js"
PIDFILE="$PREFIX/dynalite-$PORT.pid"
LOGFILE="$PREFIX/dynalite-$PORT.log"
NAME="dynalite.sh"
SERVICE="dynalite"
OWN_CMDLINE="dynalite"
USAGE_ENV="DYNALITE_PORT, default 4567"
# shellcheck source=scripts/service.sh
. "$ROOT/scripts/service.sh"

installed_version() {
    node -p "require('$PREFIX/node_modules/dynalite/package.json').version" 2>/dev/null
}

install() {
    if [ -f "$CLI" ] && [ "$(installed_version)" = "$DYNALITE_VERSION" ]; then
        return 0
    fi
    command -v npm >/dev/null || {
        log "npm is needed (apt-get install nodejs npm)"
        return 1
    }
    mkdir -p "$PREFIX"
    log "installing dynalite@$DYNALITE_VERSION into $PREFIX"
    # A package.json of its own, so npm does not climb to a parent folder's.
    [ -f "$PREFIX/package.json" ] || echo '{"private": true}' >"$PREFIX/package.json"
    npm install --prefix "$PREFIX" --no-audit --no-fund --silent "dynalite@$DYNALITE_VERSION"
}

answers() {
    # Any DynamoDB-API answer to ListTables (dynalite accepts any credentials).
    curl -sf -m 1 -X POST "http://127.0.0.1:$PORT/" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H 'X-Amz-Target: DynamoDB_20120810.ListTables' \
        -H 'X-Amz-Date: 20200101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=testing/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host;x-amz-date, Signature=0' \
        -d '{}' 2>/dev/null | grep -q TableNames
}

start() {
    install
    if running; then
        if answers; then
            return 0
        fi
    elif answers; then
        log "a DynamoDB-API server not started by this script answers on 127.0.0.1:$PORT; using it"
        return 0
    fi
    if ! running; then
        local store=()
        if [ -n "${DYNALITE_PATH:-}" ]; then
            mkdir -p "$DYNALITE_PATH"
            store=(--path "$DYNALITE_PATH")
        fi
        log "starting dynalite on 127.0.0.1:$PORT (log: $LOGFILE)"
        # createTableMs 0: a new table is ACTIVE at once (the adapter waits for it anyway).
        nohup node --max-old-space-size="$HEAP_MB" "$CLI" --host 127.0.0.1 --port "$PORT" \
            --createTableMs 0 "${store[@]}" >"$LOGFILE" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    await_answer
}

stop() {
    if running; then
        local pid
        pid="$(cat "$PIDFILE")"
        terminate "$pid"
        log "stopped dynalite (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

service_main "$@"
