#!/usr/bin/env bash
# Install the inspector into .venv (once) and start it. Arguments go to `inspector`:
#   scripts/run.sh                          # endpoint + terminal UI on http://127.0.0.1:8787
#   scripts/run.sh serve --headless --port 0
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
if [ ! -x "$VENV/bin/inspector" ] || [ "$ROOT/pyproject.toml" -nt "$VENV/bin/inspector" ]; then
    echo "inspector: installing into $VENV (first run, about 30 s)..." >&2
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT"
fi
exec "$VENV/bin/inspector" "$@"
