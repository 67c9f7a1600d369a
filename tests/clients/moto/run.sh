#!/usr/bin/env bash
# Runs moto's own Cognito tests that moto verified against real AWS (`-m aws_verified`, the
# @cognitoidp_aws_verified ones) against a Cognito endpoint, as plain boto3:
#
#   bash tests/clients/moto/run.sh http://127.0.0.1:9229 [pytest args...]
#
# With MOTO_TEST_ALLOW_AWS_REQUEST=true moto's decorator makes real boto3 calls; the endpoint
# variables send the Cognito ones to ENDPOINT. Only IAM (the MFA tests' SNS caller role) stays
# in moto's in-process mock (latchkey_iam_shim.py). Needs scripts/clients.sh first.
set -euo pipefail
ENDPOINT="${1:?usage: run.sh ENDPOINT [pytest args...]}"
shift
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="$HERE/../../../.venv-clients"
cd "$VENV/moto-src"
exec env -u AWS_PROFILE -u AWS_ENDPOINT_URL -u AWS_IGNORE_CONFIGURED_ENDPOINT_URLS \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER="$ENDPOINT" \
    AWS_ENDPOINT_URL_COGNITO_IDENTITY="$ENDPOINT" \
    AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-west-2 \
    AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null \
    MOTO_TEST_ALLOW_AWS_REQUEST=true PYTHONPATH="$HERE" \
    "$VENV/bin/python" -m pytest -p latchkey_iam_shim -p no:cacheprovider --color=no \
    tests/test_cognitoidp/test_cognitoidp.py -m aws_verified "$@"
