# service.sh: what moto.sh and triggers.sh share, sourced by them (not run). Each keeps one
# background server per port, recorded in $PIDFILE, and is driven by the same four
# subcommands.
#
# The sourcing script sets:
#   NAME        its name, for messages
#   SERVICE     what it runs, for messages ("moto server", "cargo lambda watch")
#   PIDFILE     LOGFILE   PORT
#   OWN_CMDLINE a pattern the command line of its process matches (a reused pid does not)
#   USAGE_ENV   the variable that sets the port and its default, for the usage line
# and defines install, start, stop and answers (the server on $PORT is the expected one).

log() { echo "$NAME: $*" >&2; }

# The recorded process is alive and is still ours (not a reused pid).
running() {
    [ -f "$PIDFILE" ] || return 1
    local pid
    pid="$(cat "$PIDFILE")"
    kill -0 "$pid" 2>/dev/null || return 1
    [ ! -r "/proc/$pid/cmdline" ] || tr '\0' ' ' <"/proc/$pid/cmdline" | grep -Eq "$OWN_CMDLINE"
}

# Waits up to 20 s for the started server to answer; on failure prints its log.
await_answer() {
    for _ in $(seq 1 100); do
        if answers; then
            log "$SERVICE is answering on http://127.0.0.1:$PORT"
            return 0
        fi
        if ! running; then
            log "$SERVICE exited; its log:"
            cat "$LOGFILE" >&2 || true
            rm -f "$PIDFILE"
            return 1
        fi
        sleep 0.2
    done
    log "$SERVICE did not answer within 20 s; its log:"
    cat "$LOGFILE" >&2 || true
    return 1
}

# SIGTERM to process $1, up to 5 s to exit, then SIGKILL.
terminate() {
    kill "$1" 2>/dev/null || true
    for _ in $(seq 1 50); do
        kill -0 "$1" 2>/dev/null || break
        sleep 0.1
    done
    kill -9 "$1" 2>/dev/null || true
}

# install | start | stop | status
service_main() {
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
        echo "usage: $0 install|start|stop|status   (env $USAGE_ENV)" >&2
        exit 2
        ;;
    esac
}
