#!/usr/bin/env bash
# The project's test command: installs everything the tests need (the venv with the project
# and its test extras, the real Segment SDKs from PyPI and npm, Debian's chromium when
# missing), then runs the linters, the type checker and the whole pytest suite.
#   scripts/test.sh                 # everything
#   scripts/test.sh tests/ingest    # extra arguments go to pytest
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="${VENV:-$ROOT/.venv}"
export VENV

bash scripts/install-test-deps.sh

echo "test: ruff" >&2
"$VENV/bin/ruff" check inspector tests benchmarks scripts
"$VENV/bin/ruff" format --check inspector tests benchmarks scripts
echo "test: mypy" >&2
"$VENV/bin/mypy" inspector
echo "test: pytest" >&2
set +e
"$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
code=$?
set -e
# pytest exits 5 when a selection collects no test: that is a broken selection, say so.
if [ "$code" -eq 5 ]; then
    echo "test: pytest collected no tests for: $*" >&2
    exit 1
fi
exit "$code"
