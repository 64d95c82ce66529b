#!/usr/bin/env bash
# Install Debian's Chromium, driven headless by the web UI's browser tests (tests/ui/) through
# Playwright with executable_path=/usr/bin/chromium. Idempotent: does nothing when
# /usr/bin/chromium already exists. Never runs `playwright install` (no browser downloads).
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
    echo "chromium: already installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "chromium is missing; install it as root, e.g.:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y chromium" >&2
    exit 1
fi

apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
echo "chromium: installed ($(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium))"
