#!/usr/bin/env bash
# smtp.sh: a real SMTP server (aiosmtpd, from PyPI) on loopback for the message-delivery
# tests and for local runs. Every message it receives is kept in a Maildir.
#
#   scripts/smtp.sh install   create .venv/ and install aiosmtpd into it (if missing)
#   scripts/smtp.sh start     install if needed, start the server on 127.0.0.1:$SMTP_PORT
#                             (default 2525) in the background, wait until it answers
#   scripts/smtp.sh stop      stop the server this script started
#   scripts/smtp.sh status    say whether it is running
#
# Every subcommand is idempotent. Needs python3 (3.9+) and pip, and PyPI; no sudo.
# Mail is kept in $SMTP_MAILDIR (default .venv/smtp-$SMTP_PORT/, a Maildir: one file per
# message under new/). Plain SMTP without AUTH, as aiosmtpd serves it on loopback.
#
# Point Latchkey at it with:
#   cargo run --profile server -p latchkey-server -- --smtp-url smtp://127.0.0.1:2525 \
#     --email-from 'My App <no-reply@example.com>'
set -euo pipefail

AIOSMTPD_VERSION="1.4.6"
PORT="${SMTP_PORT:-2525}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PIDFILE="$VENV/smtp-$PORT.pid"
LOGFILE="$VENV/smtp-$PORT.log"
MAILDIR="${SMTP_MAILDIR:-$VENV/smtp-$PORT}"
NAME="smtp.sh"
SERVICE="aiosmtpd"
OWN_CMDLINE="aiosmtpd"
USAGE_ENV="SMTP_PORT, default 2525"
# shellcheck source=scripts/service.sh
. "$ROOT/scripts/service.sh"

install() {
    if "$VENV/bin/python" -c "import aiosmtpd, sys; sys.exit(aiosmtpd.__version__ != '$AIOSMTPD_VERSION')" 2>/dev/null; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        # The same virtualenv as moto (moto.sh knows how to make one without ensurepip).
        bash "$ROOT/scripts/moto.sh" install
    fi
    log "installing aiosmtpd==$AIOSMTPD_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "aiosmtpd==$AIOSMTPD_VERSION"
}

answers() {
    # An SMTP greeting (220) on the port.
    "$VENV/bin/python" - "$PORT" <<'PY' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    sys.exit(0 if s.recv(512).startswith(b"220") else 1)
PY
}

start() {
    install
    if running && answers; then
        return 0
    fi
    if ! running; then
        mkdir -p "$MAILDIR/tmp" "$MAILDIR/new" "$MAILDIR/cur"
        log "starting aiosmtpd on 127.0.0.1:$PORT, mail kept in $MAILDIR (log: $LOGFILE)"
        nohup "$VENV/bin/python" -m aiosmtpd -n -l "127.0.0.1:$PORT" \
            -c aiosmtpd.handlers.Mailbox "$MAILDIR" >"$LOGFILE" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    await_answer
}

stop() {
    if running; then
        local pid
        pid="$(cat "$PIDFILE")"
        terminate "$pid"
        log "stopped aiosmtpd (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

service_main "$@"
