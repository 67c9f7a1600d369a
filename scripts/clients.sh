#!/usr/bin/env bash
# clients.sh: installs the real client libraries that tests/tests/real_clients.rs (SRP sign-in,
# TOTP MFA) and tests/tests/oauth_clients.rs (the OAuth 2.0 / OIDC endpoints) drive against the
# server, into the repo and nowhere else:
#
#   .venv-clients/                      python3 venv with pycognito, pyotp, moto, pytest, authlib
#                                       and requests, pinned in tests/clients/requirements.txt, and
#                                       moto's sdist unpacked (its tests, for tests/clients/moto/run.sh)
#   tests/clients/node/node_modules/    amazon-cognito-identity-js, otplib, openid-client, jose,
#                                       aws-amplify, esbuild, playwright-core and axe-core (the
#                                       console's accessibility check), pinned in
#                                       tests/clients/node/package.json and package-lock.json
#   /usr/bin/chromium                   Debian's chromium for the Amplify redirect test, through
#                                       scripts/browser.sh (apt-get: needs root or passwordless
#                                       sudo, only when chromium is missing;
#                                       LATCHKEY_SKIP_BROWSER=1 skips it)
#
# Idempotent: each part is (re)installed only when missing or when its pin file changed (a
# stamp holds the pin file's hash). Needs python3 (3.9+) with pip and venv, node 20+ with npm,
# and the PyPI and npm registries. The two folders are git-ignored.
#
# Then: LATCHKEY_REQUIRE_CLIENTS=1 cargo test -p latchkey-tests --test suite -- real_clients::
#       LATCHKEY_REQUIRE_CLIENTS=1 cargo test -p latchkey-tests --test suite -- oauth_clients::
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv-clients"
REQS="$ROOT/tests/clients/requirements.txt"
NODE_DIR="$ROOT/tests/clients/node"

log() { echo "clients.sh: $*" >&2; }

hash_of() { sha256sum "$@" | sha256sum | cut -c1-64; }

install_python() {
    local want stamp="$VENV/.latchkey-stamp"
    want="$(hash_of "$REQS")"
    if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
        log "python clients up to date ($VENV)"
        return
    fi
    command -v python3 >/dev/null || { log "python3 not found"; exit 1; }
    if [[ ! -x "$VENV/bin/python" ]]; then
        log "creating $VENV"
        python3 -m venv "$VENV"
    fi
    log "installing $(grep -v '^#' "$REQS" | xargs) into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQS"
    "$VENV/bin/python" -c 'import pycognito, pyotp, boto3, moto, pytest, authlib, requests' # fails loudly if broken
    install_moto_tests
    echo "$want" >"$stamp"
}

# moto's own Cognito tests, from the sdist of the pinned moto (the wheel has no tests); the
# package source is removed so the tests import the installed moto.
install_moto_tests() {
    local version src
    version="$(sed -n 's/^moto\[cognitoidp\]==//p' "$REQS")"
    src="$VENV/moto-$version"
    [[ -d "$src/tests/test_cognitoidp" ]] && return
    log "unpacking moto $version's tests into $src"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-binary :all: \
        --no-deps -d "$VENV" "moto==$version"
    tar -xzf "$VENV/moto-$version.tar.gz" -C "$VENV"
    rm -rf "$src/moto"
    ln -sfn "moto-$version" "$VENV/moto-src"
}

install_node() {
    local want stamp="$NODE_DIR/node_modules/.latchkey-stamp"
    command -v node >/dev/null || { log "node not found"; exit 1; }
    command -v npm >/dev/null || { log "npm not found"; exit 1; }
    if [[ -f "$NODE_DIR/package-lock.json" ]]; then
        want="$(hash_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
        if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
            log "node clients up to date ($NODE_DIR/node_modules)"
            return
        fi
        log "npm ci in $NODE_DIR"
        (cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    else
        # First install: resolves the pins and writes package-lock.json (commit it).
        log "npm install in $NODE_DIR (writes package-lock.json)"
        (cd "$NODE_DIR" && npm install --no-audit --no-fund --loglevel=error)
        want="$(hash_of "$NODE_DIR/package.json" "$NODE_DIR/package-lock.json")"
    fi
    (cd "$NODE_DIR" && node -e 'require("amazon-cognito-identity-js"); require("otplib")' \
        && node --input-type=module -e 'await import("openid-client"); await import("jose");
            await import("aws-amplify"); await import("esbuild"); await import("playwright-core")')
    echo "$want" >"$stamp"
}

install_python
install_node
bash "$ROOT/scripts/browser.sh"
log "ready: .venv-clients/, tests/clients/node/node_modules/ and /usr/bin/chromium"
