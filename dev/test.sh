#!/usr/bin/env bash
# Run bouncekit's checks: ruff (lint), mypy (types), pytest (tests). Needs dev/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check
.venv/bin/mypy
.venv/bin/pytest "$@"
