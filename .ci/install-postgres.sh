#!/usr/bin/env bash
# Install the PostgreSQL server binaries that tests/_postgres.py starts for @pytest.mark.postgres
# tests. Idempotent: does nothing when /usr/lib/postgresql/*/bin/initdb already exists.
set -euo pipefail

if compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null; then
    echo "postgresql: already installed ($(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1))"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "postgresql server binaries are missing; install them as root, e.g.:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y postgresql" >&2
    exit 1
fi

apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql
echo "postgresql: installed ($(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1))"
