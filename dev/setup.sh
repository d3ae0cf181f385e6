#!/usr/bin/env bash
# Set bouncekit up from a fresh clone: .venv with the package (editable) and its dev tools,
# then run the main job on the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bouncekit needs Python >= 3.11")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev,server]'
# Byte-compile the package as a regular install would: an editable one leaves it to the first import,
# which never writes the .pyc where PYTHONDONTWRITEBYTECODE is set (each start would compile ~70 modules).
.venv/bin/python -m compileall -q src/bouncekit
# The browser test drives Debian's chromium (playwright never downloads a browser here).
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    else
        echo "== /usr/bin/chromium is missing: as root, apt-get install chromium (the browser test is skipped)" >&2
    fi
fi
echo "== bouncekit is installed: .venv/bin/bouncekit"
bash examples/run.sh
