#!/usr/bin/env bash
# Headless Chromium for the report's browser test and screenshots (tests/chromium.py):
#
#   scripts/chromium.sh        print the path of Chromium, installing Debian's package if missing
#
# Looks for chromium-headless-shell, then chromium (Debian's packages); when neither is on PATH,
# installs Debian's `chromium-headless-shell` (apt-get, as root or through passwordless sudo; the
# way scripts/postgres.sh installs PostgreSQL), falling back to `chromium` where that package does
# not exist. The last line of output is the binary's path; messages go to stderr.
set -euo pipefail

say() { echo "chromium.sh: $*" >&2; }
die() { say "error: $*"; exit 1; }

find_binary() {
    local name
    for name in chromium-headless-shell chromium; do
        if command -v "$name" >/dev/null; then
            command -v "$name"
            return 0
        fi
    done
    return 1
}

install_chromium() {
    local sudo=()
    if [[ $EUID -ne 0 ]]; then
        sudo -n true 2>/dev/null || die "Chromium is not installed and this user cannot install it. Install Debian's package: sudo apt-get install chromium-headless-shell"
        sudo=(sudo -n)
    fi
    local started=$SECONDS
    local log="${TMPDIR:-/tmp}/email-analytics-elt-apt-chromium.log"
    say "installing Debian's Chromium (apt-get)..."
    "${sudo[@]}" apt-get update -qq >"$log" 2>&1 || { cat "$log" >&2; die "apt-get update failed"; }
    local package
    for package in chromium-headless-shell chromium; do
        if DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
            "$package" >>"$log" 2>&1; then
            say "installed $package in $((SECONDS - started)) s"
            return 0
        fi
    done
    cat "$log" >&2
    die "apt-get install chromium-headless-shell (and chromium) failed"
}

if ! find_binary >/dev/null; then
    install_chromium
fi
find_binary || die "Chromium was installed but neither chromium-headless-shell nor chromium is on PATH"
