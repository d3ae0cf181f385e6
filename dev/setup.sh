#!/usr/bin/env bash
# Set bouncekit up from a fresh clone: .venv with the package (editable) and its dev tools,
# then run the main job on the bundled examples.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "bouncekit needs Python >= 3.11")'
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
echo "== bouncekit is installed: .venv/bin/bouncekit"
bash examples/run.sh
