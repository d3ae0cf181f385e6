#!/usr/bin/env bash
# The main job on bundled examples: read bounces into records, and explain codes and replies.
set -euo pipefail
cd "$(dirname "$0")/.."
bk=.venv/bin/bouncekit
echo "== bouncekit parse examples/bounces --format table"
"$bk" parse examples/bounces --format table
echo
echo "== bouncekit explain: a whole reply, both codes and the verdict"
"$bk" explain "550 5.1.1 <jane@example.com>: Recipient address rejected: User unknown"
echo
echo "== bouncekit explain 4.7.999 --lang bg (an unregistered code, read by its structure)"
"$bk" explain 4.7.999 --lang bg
