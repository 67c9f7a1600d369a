#!/usr/bin/env bash
# triggers.sh: the example Cognito triggers (examples/triggers/) served over the Lambda Invoke
# API on loopback by `cargo lambda watch`, for the trigger tests and for local runs.
#
#   scripts/triggers.sh install   create .venv/ and install cargo-lambda from PyPI (if missing)
#   scripts/triggers.sh start     install if needed, build the examples, start `cargo lambda
#                                 watch` on 127.0.0.1:$TRIGGERS_PORT (default 9001) in the
#                                 background, wait until it answers, and invoke each function
#                                 once with its events/triggers/ sample so later calls are warm
#   scripts/triggers.sh stop      stop the server this script started, and its functions
#   scripts/triggers.sh status    say whether it is running
#
# Every subcommand is idempotent. Needs cargo, curl, python3 (3.9+) with pip, and PyPI; no sudo.
#
# The functions answer POST /2015-03-31/functions/<name>/invocations, where <name> is the bare
# binary name (auto-confirm, add-claims, migrate-user, custom-sender). cargo lambda watch does not accept a
# function ARN there (404 "that function doesn't exist as a binary in your project"), so an
# invoker must pass the name from the ARN's last part. A function that returns an error is
# answered with HTTP 500 and {"errorType","errorMessage"} (real Lambda answers 200 with an
# X-Amz-Function-Error header).
#
# auto-confirm refuses sign-ups from the e-mail domains in DENIED_EMAIL_DOMAINS (comma-separated);
# this script sets it to "blocked.example" unless the variable is set (set it empty for none).
#
# custom-sender (CustomEmailSender / CustomSMSSender) decrypts codes with the AWS Encryption SDK
# and a KMS keyring on the key in KEY_ARN, and appends what it "sends" as JSON lines to
# CUSTOM_SENDER_OUTBOX (default .venv/custom-sender-$TRIGGERS_PORT.jsonl, emptied at start).
# When AWS_ENDPOINT_URL_KMS is set (moto), start makes the key alias/latchkey-custom-sender there
# if it is missing (boto3 from moto's .venv) and hands its ARN, the KMS endpoint and the AWS
# credentials and region to the functions. Without it the function starts but refuses codes.
#
# Point Latchkey at it with:
#   AWS_ENDPOINT_URL_LAMBDA=http://127.0.0.1:$TRIGGERS_PORT AWS_ACCESS_KEY_ID=testing \
#   AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
set -euo pipefail

CARGO_LAMBDA_VERSION="1.9.2"
PORT="${TRIGGERS_PORT:-9001}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PIDFILE="$VENV/triggers-$PORT.pid"
LOGFILE="$VENV/triggers-$PORT.log"
ENVFILE="$VENV/triggers-$PORT.env"
OUTBOX="${CUSTOM_SENDER_OUTBOX:-$VENV/custom-sender-$PORT.jsonl}"
KEY_ALIAS="alias/latchkey-custom-sender"
PACKAGE="latchkey-example-triggers"
BASE="http://127.0.0.1:$PORT/2015-03-31/functions"
# function name and the sample event it is warmed with
FUNCTIONS=(
    "auto-confirm:pre-sign-up.json"
    "add-claims:pre-token-generation-v2.json"
    "migrate-user:user-migration-authentication.json"
    "custom-sender:custom-email-sender-no-code.json"
)

NAME="triggers.sh"
SERVICE="cargo lambda watch"
OWN_CMDLINE="cargo-lambda"
USAGE_ENV="TRIGGERS_PORT, default 9001"
# shellcheck source=scripts/service.sh
. "$ROOT/scripts/service.sh"

install() {
    if [ -x "$VENV/bin/cargo-lambda" ] &&
        "$VENV/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "^cargo-lambda $CARGO_LAMBDA_VERSION "; then
        return 0
    fi
    if [ ! -x "$VENV/bin/python" ]; then
        log "creating virtualenv at $VENV"
        python3 -m venv "$VENV"
    fi
    log "installing cargo-lambda==$CARGO_LAMBDA_VERSION"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "cargo-lambda==$CARGO_LAMBDA_VERSION"
}

answers() {
    # cargo lambda watch's default-function route answers 404 "Default function disabled",
    # naming the available functions, without starting any (it logs two ERROR lines each
    # time); anything else on the port does not count.
    curl -s -m 2 -X POST -d '{}' "$BASE/_/invocations" 2>/dev/null |
        grep 'Default function disabled' | grep -q 'auto-confirm'
}

warm() {
    # The first invoke of each function starts it (`cargo run`, a no-op build after ours, but
    # it waits for the build directory lock while another build holds it).
    local entry name sample status
    for entry in "${FUNCTIONS[@]}"; do
        name="${entry%%:*}"
        sample="$ROOT/events/triggers/${entry#*:}"
        status="$(curl -s -m 900 -o /dev/null -w '%{http_code}' -X POST \
            --data-binary "@$sample" "$BASE/$name/invocations" || true)"
        if [ "$status" != 200 ]; then
            log "warming $name answered HTTP $status; the log ($LOGFILE):"
            tail -n 40 "$LOGFILE" >&2 || true
            return 1
        fi
    done
    log "functions warm: ${FUNCTIONS[*]%%:*}"
}

kms_key_arn() {
    # The custom sender's key on the KMS-API server: made (with its alias) if missing.
    KEY_ALIAS="$KEY_ALIAS" "$VENV/bin/python" - <<'EOF'
import os
import boto3
kms = boto3.client("kms", endpoint_url=os.environ["AWS_ENDPOINT_URL_KMS"],
                   region_name=os.environ.get("AWS_REGION", "us-east-1"))
alias = os.environ["KEY_ALIAS"]
try:
    arn = kms.describe_key(KeyId=alias)["KeyMetadata"]["Arn"]
except kms.exceptions.NotFoundException:
    arn = kms.create_key(Description="Latchkey custom sender codes")["KeyMetadata"]["Arn"]
    kms.create_alias(AliasName=alias, TargetKeyId=arn)
print(arn)
EOF
}

write_env() {
    # --env-var splits its value at commas, so the variables go through a file.
    {
        echo "DENIED_EMAIL_DOMAINS=${DENIED_EMAIL_DOMAINS-blocked.example}"
        echo "CUSTOM_SENDER_OUTBOX=$OUTBOX"
        if [ -n "${AWS_ENDPOINT_URL_KMS:-}" ]; then
            echo "KEY_ARN=$(kms_key_arn)"
            echo "AWS_ENDPOINT_URL_KMS=$AWS_ENDPOINT_URL_KMS"
            echo "AWS_REGION=${AWS_REGION:-us-east-1}"
            echo "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing}"
            echo "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}"
        else
            log "AWS_ENDPOINT_URL_KMS is not set: custom-sender will refuse encrypted codes"
        fi
    } >"$ENVFILE"
}

start() {
    install
    if running && answers; then
        warm
        return 0
    fi
    if ! running && answers; then
        log "a cargo lambda watch not started by this script answers on 127.0.0.1:$PORT; using it"
        warm
        return 0
    fi
    log "building $PACKAGE"
    (cd "$ROOT" && cargo build --quiet -p "$PACKAGE")
    if ! running; then
        log "starting cargo lambda watch on 127.0.0.1:$PORT (log: $LOGFILE)"
        write_env
        : >"$OUTBOX"
        cd "$ROOT"
        nohup "$VENV/bin/cargo-lambda" lambda watch --package "$PACKAGE" \
            --ignore-changes --invoke-address 127.0.0.1 --invoke-port "$PORT" \
            --env-file "$ENVFILE" >"$LOGFILE" 2>&1 &
        echo $! >"$PIDFILE"
    fi
    await_answer && warm
}

stop() {
    if running; then
        local pid children
        pid="$(cat "$PIDFILE")"
        # The function processes are its children, each in its own process group; it stops
        # them on SIGTERM, and they are killed here if it does not.
        children="$(ps -o pid= --ppid "$pid" 2>/dev/null || true)"
        terminate "$pid"
        local child
        for child in $children; do
            # Only if it is still one of the example functions (not a reused pid).
            if [ -r "/proc/$child/cmdline" ] && tr '\0' ' ' <"/proc/$child/cmdline" |
                grep -Eq "/(auto-confirm|add-claims|migrate-user|custom-sender)( |$)"; then
                kill -9 "$child" 2>/dev/null || true
            fi
        done
        log "stopped cargo lambda watch (pid $pid)"
    fi
    rm -f "$PIDFILE"
}

service_main "$@"
