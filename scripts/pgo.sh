#!/usr/bin/env bash
# pgo.sh: build the standalone server with profile-guided optimization (issue 24).
#
#   scripts/pgo.sh            build target/pgo/<host triple>/server/latchkey, printing its path last
#
# Three steps, each in its own target directory (their RUSTFLAGS differ, so sharing one would
# rebuild every crate at every step):
#   1. the server profile built with `-Cprofile-generate` (target/pgo-gen);
#   2. that build run on the in-memory store under the training load: `http_load` (built by the
#      server profile in target/, wrk from scripts/wrk.sh) runs GetUser and REFRESH_TOKEN_AUTH,
#      the requests most of a deployment's traffic is (docs/cost.md's profile), then the server
#      stops on SIGINT and writes its profile;
#   3. the server profile built again with `-Cprofile-use` on the merged profile (target/pgo).
# `--target` keeps RUSTFLAGS off build scripts and proc macros. Only Rust code is profiled:
# aws-lc (the RSA signatures) and SQLite are C and built as usual.
# Needs rustup's `llvm-tools` component (for llvm-profdata), which it adds when missing.
# PGO_PORT (default 9314) is the training server's port.
set -euo pipefail
cd "$(dirname "$0")/.."

ROOT=$(pwd)
TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
PROFILES="$ROOT/target/pgo-data"
PORT=${PGO_PORT:-9314}

# llvm-profdata must match rustc's LLVM, so it comes from the toolchain, not from Debian.
rustup component list --installed 2>/dev/null | grep -q '^llvm-tools' \
    || rustup component add llvm-tools \
    || echo "pgo: could not add rustup's llvm-tools component" >&2
PROFDATA=$(ls "$(rustc --print sysroot)"/lib/rustlib/*/bin/llvm-profdata 2>/dev/null | head -1)
if [ -z "$PROFDATA" ]; then
    echo "pgo: no llvm-profdata in $(rustc --print sysroot); run: rustup component add llvm-tools" >&2
    exit 1
fi

bash scripts/wrk.sh >/dev/null
cargo build --profile server -p latchkey-bench --bin http_load

rm -rf "$PROFILES" && mkdir -p "$PROFILES"
echo "pgo: step 1 of 3, the instrumented build" >&2
RUSTFLAGS="-Cprofile-generate=$PROFILES" CARGO_TARGET_DIR="$ROOT/target/pgo-gen" \
    cargo build --profile server --target "$TRIPLE" -p latchkey-server --bin latchkey

echo "pgo: step 2 of 3, the training load" >&2
# The training server is waited for as the test services are (scripts/service.sh), so one that
# exits (its port taken) or does not start stops the script with its log.
NAME=pgo
SERVICE="the instrumented server"
PIDFILE="$PROFILES/server.pid"
LOGFILE="$PROFILES/server.log"
OWN_CMDLINE="pgo-gen/.*/latchkey --in-memory"
# Its banner, printed once it listens: a connect alone would also pass on another process's port.
answers() { grep -q "Latchkey is running at" "$LOGFILE"; }
# shellcheck source=scripts/service.sh
. "$ROOT/scripts/service.sh"
"target/pgo-gen/$TRIPLE/server/latchkey" --in-memory --port "$PORT" >"$LOGFILE" 2>&1 &
SERVER=$!
echo "$SERVER" >"$PIDFILE"
trap 'kill "$SERVER" 2>/dev/null || true' EXIT
await_answer
target/server/http_load --url "http://127.0.0.1:$PORT" --server-pid "$SERVER" \
    --seconds 3 --runs 2 >"$PROFILES/load.txt"
kill -INT "$SERVER"
wait "$SERVER" || true
trap - EXIT
"$PROFDATA" merge -o "$PROFILES/merged.profdata" "$PROFILES"/*.profraw
# Named by its content: the flag, and so cargo's fingerprint, changes with the profile, and
# every crate is rebuilt with the new one (a fixed name would keep unchanged crates' old code).
MERGED="$PROFILES/$(sha256sum "$PROFILES/merged.profdata" | cut -c1-16).profdata"
mv "$PROFILES/merged.profdata" "$MERGED"

echo "pgo: step 3 of 3, the optimized build" >&2
RUSTFLAGS="-Cprofile-use=$MERGED" CARGO_TARGET_DIR="$ROOT/target/pgo" \
    cargo build --profile server --target "$TRIPLE" -p latchkey-server --bin latchkey
echo "$ROOT/target/pgo/$TRIPLE/server/latchkey"
