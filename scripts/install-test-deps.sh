#!/usr/bin/env bash
# Install everything the test suite needs, including the real Segment SDKs the end-to-end
# tests drive (tests/e2e):
#   1. the project and its test extras (segment-analytics-python from PyPI, pytest, ...)
#      into the venv (.venv, or $VENV);
#   2. the npm packages pinned in tests/e2e/node/package-lock.json (@segment/analytics-node,
#      @segment/analytics-next, playwright-core) with `npm ci`;
#   3. Debian's chromium (and curl) via apt-get when /usr/bin/chromium (or $CHROMIUM) is missing.
# Any step that fails stops the script with the reason; nothing is skipped silently.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
NODE_DIR="$ROOT/tests/e2e/node"

die() {
    echo "install-test-deps: FAILED: $*" >&2
    exit 1
}
step() { echo "install-test-deps: $*" >&2; }

# 1. Python: the project, its test extras and the Python SDK.
if [ ! -x "$VENV/bin/python" ]; then
    step "creating the venv at $VENV"
    python3 -m venv "$VENV" || die "cannot create a venv at $VENV (is python3-venv installed?)"
fi
step "pip install -e '.[test]' into $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e "$ROOT[test]" \
    || die "pip install -e '.[test]' failed (PyPI unreachable?)"
"$VENV/bin/python" -c "import segment.analytics" \
    || die "segment-analytics-python is not importable after pip install"

# 2. Node and the npm packages, exactly as locked.
command -v node >/dev/null 2>&1 || die "node is not on PATH; install Node 18 or newer"
command -v npm >/dev/null 2>&1 || die "npm is not on PATH; install Node 18 or newer with npm"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 18 ] || die "Node $node_major is too old; the SDKs need Node 18 or newer"
step "npm ci in tests/e2e/node"
(cd "$NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error) \
    || die "npm ci in tests/e2e/node failed (npm registry unreachable?)"
for pkg in @segment/analytics-node @segment/analytics-next playwright-core; do
    [ -f "$NODE_DIR/node_modules/$pkg/package.json" ] || die "$pkg missing after npm ci"
done

# 3. Chromium for the analytics.js test (Debian's package, never a downloaded browser) and
#    curl for the snippet test, via apt-get when missing.
PKGS=""
[ -x "$CHROMIUM" ] || PKGS="chromium"
command -v curl >/dev/null 2>&1 || PKGS="$PKGS curl"
if [ -n "$PKGS" ]; then
    command -v apt-get >/dev/null 2>&1 \
        || die "missing:$PKGS and apt-get is not available; install them (set CHROMIUM=/path/to/chromium)"
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "missing:$PKGS; run as root (or with sudo) to apt-get install them"
        SUDO="sudo"
    fi
    step "apt-get install$PKGS"
    $SUDO apt-get update -q || die "apt-get update failed (Debian mirror unreachable?)"
    # shellcheck disable=SC2086  # one word per package
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $PKGS \
        || die "apt-get install$PKGS failed"
    [ -x "$CHROMIUM" ] || die "apt-get installed chromium but $CHROMIUM does not exist; set CHROMIUM"
fi
"$CHROMIUM" --version >/dev/null 2>&1 || die "$CHROMIUM does not run ($CHROMIUM --version failed)"

step "ok: $("$VENV/bin/python" -c 'from segment.analytics.version import VERSION; print("analytics-python", VERSION)'), node $(node --version), $("$CHROMIUM" --version 2>/dev/null | head -1)"
