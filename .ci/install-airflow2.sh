#!/usr/bin/env bash
# Create .venv-airflow2: Python 3.11 with Apache Airflow 2.10 (its own venv, because Airflow 2.10
# needs SQLAlchemy<2 and assetbridge needs SQLAlchemy>=2). Tests of `assetbridge export
# --target airflow2` and the Airflow 2.10 lineage fixtures run this venv's `airflow`.
# Idempotent: does nothing when the venv already imports the pinned Airflow.
#
# No constraints file is used (CI reaches PyPI only), so the pins below are the ones Airflow 2.10.5
# needs to import and to run `airflow db migrate` with today's PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=.venv-airflow2
AIRFLOW_VERSION=2.10.5
PINS=(
    "apache-airflow==${AIRFLOW_VERSION}"
    "sqlalchemy>=1.4.36,<2.0"
    "flask-appbuilder==4.5.3"
    "marshmallow<4"
    "marshmallow-sqlalchemy<0.29"
    "flask-session<0.6"
    "connexion[flask]<3.0"
    "werkzeug<3"
    "flask<2.3"
    "pendulum<4"
    "setuptools<81"
)

if [[ -x "$VENV/bin/airflow" ]] \
    && "$VENV/bin/python" -c "import airflow, sys; sys.exit(airflow.__version__ != '${AIRFLOW_VERSION}')" 2>/dev/null; then
    echo "airflow2: already installed ($VENV, apache-airflow ${AIRFLOW_VERSION})"
    exit 0
fi

PYTHON=""
for candidate in python3.11 "$HOME/.pyenv/versions/3.11.7/bin/python3.11" /usr/bin/python3.11; do
    if command -v "$candidate" > /dev/null 2>&1 \
        && "$candidate" -c "import sys; sys.exit(sys.version_info[:2] != (3, 11))" 2>/dev/null; then
        PYTHON="$candidate"
        break
    fi
done
if [[ -z "$PYTHON" ]]; then
    echo "airflow2: no Python 3.11 interpreter found (need python3.11 on PATH)" >&2
    exit 1
fi

rm -rf "$VENV"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${PINS[@]}"
"$VENV/bin/python" -c "import airflow; print('airflow2: installed', airflow.__version__)"
