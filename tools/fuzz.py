#!/usr/bin/env python3
"""Coverage-guided fuzzing of every reader of untrusted text: parse_message, classify_reply,
parse_log_line and parse_transcript must never raise (libFuzzer through atheris).

    python3 -m venv /tmp/fuzz-venv && /tmp/fuzz-venv/bin/pip install atheris
    mkdir -p /tmp/fuzz-work /tmp/fuzz-crashes
    /tmp/fuzz-venv/bin/python tools/fuzz.py -max_len=20000 -timeout=10 \\
        -artifact_prefix=/tmp/fuzz-crashes/ /tmp/fuzz-work ../shared/corpus/bounces/maildir/*/

The first byte of an input picks the reader (two of four inputs go to parse_message); the rest is
its input. A crash is written to the artifact prefix: read it with parse_message(data[1:]) to see
the traceback. Hangs show as timeouts (-timeout seconds for one input). Not part of the tests: a run
finds what it finds in its minutes, and its findings become tests (tests/test_engine.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import atheris  # type: ignore[import-not-found]

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

with atheris.instrument_imports(include=["bouncekit"]):
    from bouncekit.engine import classify_reply, parse_message
    from bouncekit.logs import parse_log_line
    from bouncekit.transcript import parse_transcript


def one_input(data: bytes) -> None:
    if not data:
        return
    reader, body = data[0] % 4, data[1:]
    if reader < 2:
        parse_message(body)
    elif reader == 2:
        text = body.decode("utf-8", "replace")
        classify_reply(text)
        parse_log_line(text)
    else:
        parse_transcript(body.decode("utf-8", "replace"))


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
