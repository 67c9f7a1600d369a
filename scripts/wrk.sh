#!/usr/bin/env bash
# wrk.sh: make sure the `wrk` HTTP load tool (Debian package `wrk`) is installed.
#
#   scripts/wrk.sh            install wrk if it is missing, then print its path
#
# Idempotent: does nothing when `wrk` is already on PATH. Uses apt-get, so it needs root (or
# sudo) and a Debian/Ubuntu machine. bench's `http_load` drives wrk (issue 24's CPU figures).
set -euo pipefail

if ! command -v wrk >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
    # The package index may be absent on a fresh container.
    $SUDO apt-get install -y --no-install-recommends wrk \
        || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends wrk; }
fi
command -v wrk
