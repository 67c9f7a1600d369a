#!/usr/bin/env bash
# The README's test command: formatting, lints, then every test in the workspace, with the
# real services the tests use installed and started here (and stopped on exit):
#   - moto server (DynamoDB, STS, Secrets Manager, SES, SNS, KMS and S3 APIs) on 127.0.0.1, from
#     PyPI, into .venv/
#   - an SMTP server (aiosmtpd, from PyPI, into .venv/) on 127.0.0.1:2525
#   - the real client libraries (pycognito, amazon-cognito-identity-js; openid-client, authlib,
#     aws-amplify with esbuild and playwright-core for the OAuth endpoints) into .venv-clients/
#     and tests/clients/node/node_modules, and Debian's chromium (scripts/browser.sh: apt-get,
#     root or passwordless sudo, only when /usr/bin/chromium is missing)
#   - cargo-lambda from PyPI into .venv/, serving the example trigger functions
#     (examples/triggers/) under `cargo lambda watch` on 127.0.0.1:9001
# The black-box SDK tests run twice: on the embedded store, then with the server on DynamoDB.
set -euo pipefail
cd "$(dirname "$0")/.."
# One build per run: incremental caches only cost disk and time here (export
# CARGO_INCREMENTAL=1 to keep them while iterating).
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> template.yaml: cfn-lint"
bash scripts/lambda-check.sh

MOTO_PORT="${MOTO_PORT:-5000}"
echo "==> moto (DynamoDB, STS, IAM, Secrets Manager, SES, SNS, KMS and S3 APIs) on 127.0.0.1:${MOTO_PORT}"
bash scripts/moto.sh start
trap 'bash scripts/moto.sh stop' EXIT
export AWS_ENDPOINT_URL_DYNAMODB="http://127.0.0.1:${MOTO_PORT}"
export AWS_ENDPOINT_URL_STS="http://127.0.0.1:${MOTO_PORT}"
export AWS_ENDPOINT_URL_SECRETS_MANAGER="http://127.0.0.1:${MOTO_PORT}"
export AWS_ENDPOINT_URL_SESV2="http://127.0.0.1:${MOTO_PORT}"
export AWS_ENDPOINT_URL_SNS="http://127.0.0.1:${MOTO_PORT}"
# KMS: the custom senders' data keys (Latchkey) and their decryption (the custom-sender example).
export AWS_ENDPOINT_URL_KMS="http://127.0.0.1:${MOTO_PORT}"
# S3: the Lambda functions' user import files (pre-signed PUT URLs; functions/tests/imports.rs).
export AWS_ENDPOINT_URL_S3="http://127.0.0.1:${MOTO_PORT}"
# IAM: the SAML providers identity pools read (identity_saml.rs).
export AWS_ENDPOINT_URL_IAM="http://127.0.0.1:${MOTO_PORT}"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1

SMTP_PORT="${SMTP_PORT:-2525}"
echo "==> SMTP server (aiosmtpd from PyPI) on 127.0.0.1:${SMTP_PORT}"
bash scripts/smtp.sh start
trap 'bash scripts/smtp.sh stop; bash scripts/moto.sh stop' EXIT
export LATCHKEY_TEST_SMTP_URL="smtp://127.0.0.1:${SMTP_PORT}"
export LATCHKEY_TEST_MAILDIR="${SMTP_MAILDIR:-$PWD/.venv/smtp-${SMTP_PORT}}"

echo "==> example trigger Lambdas under cargo lambda watch (cargo-lambda from PyPI)"
bash scripts/triggers.sh start
trap 'bash scripts/triggers.sh stop; bash scripts/smtp.sh stop; bash scripts/moto.sh stop' EXIT
export AWS_ENDPOINT_URL_LAMBDA="http://127.0.0.1:${TRIGGERS_PORT:-9001}"
export LATCHKEY_REQUIRE_TRIGGERS=1

echo "==> real clients (pycognito, amazon-cognito-identity-js, openid-client, authlib, aws-amplify in chromium)"
bash scripts/clients.sh
export LATCHKEY_REQUIRE_CLIENTS=1

echo "==> cargo test (embedded store)"
cargo test --workspace

echo "==> black-box SDK tests again, with the server on DynamoDB (moto)"
# The same binaries as above (`--workspace` keeps the features, so nothing rebuilds).
# persistence:: is about the SQLite file and real_clients:: and oauth_clients:: only about the
# client libraries, so they run once, above.
LATCHKEY_TEST_STORE=dynamodb cargo test --workspace --test suite --test dynamodb_outage \
  -- --skip persistence:: --skip real_clients:: --skip oauth_clients::
