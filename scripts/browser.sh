#!/usr/bin/env bash
# browser.sh: installs the browser the Amplify redirect test (tests/clients/node/amplify_redirect.mjs)
# drives through playwright-core: Debian's `chromium` at /usr/bin/chromium. playwright-core is
# pinned in tests/clients/node/package.json (installed by clients.sh) and downloads no browser
# of its own.
#
# Idempotent: does nothing when /usr/bin/chromium exists. Otherwise it runs apt-get
# (non-interactive, quiet), which needs root or passwordless sudo; without either it says so
# and fails. LATCHKEY_SKIP_BROWSER=1 skips it (the Amplify test then skips, or fails under
# LATCHKEY_REQUIRE_CLIENTS=1).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

log() { echo "browser.sh: $*" >&2; }

if [[ "${LATCHKEY_SKIP_BROWSER:-}" == 1 ]]; then
    log "LATCHKEY_SKIP_BROWSER=1: not installing chromium"
    exit 0
fi
if [[ -x "$CHROMIUM" ]]; then
    log "chromium present ($("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"))"
    exit 0
fi

if [[ "$(id -u)" == 0 ]]; then
    as_root=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    log "chromium is missing and installing it needs root or passwordless sudo:"
    log "  sudo apt-get install -y chromium   (or set LATCHKEY_SKIP_BROWSER=1)"
    exit 1
fi
command -v apt-get >/dev/null || { log "no apt-get: install chromium at $CHROMIUM yourself"; exit 1; }

log "installing Debian chromium (apt-get)"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null
[[ -x "$CHROMIUM" ]] || { log "apt-get ran but $CHROMIUM is still missing"; exit 1; }
log "installed $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
