#!/usr/bin/env bash
# Lints the SAM template: installs cfn-lint from PyPI into .venv/ (created if missing) and runs
# it on template.yaml, failing on errors (warnings are printed). The template/workspace
# consistency check (every function crate has its resource and routes) is a Rust test:
# `cargo test -p latchkey-lambda-tests --test template`, part of `cargo test --workspace`.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
if ! .venv/bin/cfn-lint --version >/dev/null 2>&1; then
  echo "==> installing cfn-lint into .venv"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check 'cfn-lint>=1,<2'
fi

echo "==> cfn-lint template.yaml ($(.venv/bin/cfn-lint --version))"
.venv/bin/cfn-lint --non-zero-exit-code error -- template.yaml
echo "cfn-lint: no errors"
