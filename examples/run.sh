#!/usr/bin/env bash
# The main job on bundled examples: explain codes and replies.
set -euo pipefail
cd "$(dirname "$0")/.."
bk=.venv/bin/bouncekit
echo "== bouncekit explain 550 5.1.1 reply"
"$bk" explain "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown"
echo
echo "== bouncekit explain 4.7.999 --lang bg (an unregistered code, read by its structure)"
"$bk" explain 4.7.999 --lang bg
