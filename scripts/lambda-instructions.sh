#!/usr/bin/env bash
# Instructions each Lambda function executes at start, counted by callgrind: a figure that, unlike
# the cold-start times of `lambda-bench`, does not move with the machine's load.
#
# Each release binary in target/release (hello-lambda and the eight functions; build them as the
# lambda-bench docs say) is started with the settings lambda-bench gives it (the list below repeats
# lambda-bench's `function_env`) and a Runtime API
# address that refuses connections: it runs its whole init, fails its first poll and exits. The
# count is from exec to exit, so it includes the loader and the teardown; the functions'
# difference from hello-world is their init. Nothing is contacted: building SDK clients does not
# connect. Needs valgrind (Debian package `valgrind`).
#
#   bash scripts/lambda-instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "lambda-instructions.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
bins=(hello-lambda sign-up sign-in token-refresh credentials jwks cognito-api admin hosted-ui)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "| binary | instructions, exec to exit | × hello |"
echo "|---|---:|---:|"
hello=""
for b in "${bins[@]}"; do
  bin=target/release/$b
  [ -x "$bin" ] || { echo "lambda-instructions.sh: $bin is missing; build it first" >&2; exit 1; }
  env -i \
    AWS_LAMBDA_FUNCTION_NAME=bench AWS_LAMBDA_FUNCTION_MEMORY_SIZE=1024 \
    AWS_LAMBDA_FUNCTION_VERSION='$LATEST' AWS_LAMBDA_LOG_GROUP_NAME=/aws/lambda/bench \
    AWS_LAMBDA_LOG_STREAM_NAME=bench AWS_REGION=us-east-1 \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_SESSION_TOKEN=testing \
    LATCHKEY_ISSUER_BASE_URL=https://auth.example.com LATCHKEY_ACCOUNT_ID=123456789012 \
    LATCHKEY_LOG=warn LATCHKEY_TABLE=latchkey-bench \
    LATCHKEY_ADMIN_ACCESS_KEY_ID=AKIDBENCHADMIN LATCHKEY_ADMIN_SECRET_ACCESS_KEY=bench-secret \
    AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:1 AWS_LAMBDA_RUNTIME_API=127.0.0.1:1 \
    valgrind --tool=callgrind --callgrind-out-file="$out/$b" "$bin" >/dev/null 2>"$out/$b.log" || true
  # A binary that stops before its poll (a setting missing here, say) would give a smaller count.
  grep -q ConnectionRefused "$out/$b.log" || {
    echo "lambda-instructions.sh: $b did not reach its first Runtime API poll:" >&2; cat "$out/$b.log" >&2; exit 1; }
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$out/$b.log")
  [ -n "$ir" ] || { echo "lambda-instructions.sh: no count for $b:" >&2; cat "$out/$b.log" >&2; exit 1; }
  hello=${hello:-$ir}
  printf '| %s | %s | %s |\n' "$b" "$ir" "$(awk -v a="$ir" -v h="$hello" 'BEGIN{printf "%.2f", a/h}')"
done
