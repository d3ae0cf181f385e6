"""`bouncekit parse`: bounce emails from files, directories, mbox, Maildir or stdin, as records."""

from __future__ import annotations

import argparse
import sys

from ..engine import parse_message
from ..io import SINKS, Problem, iter_inputs
from . import EXIT_OK, EXIT_SOME_FAILED, Subparsers


def register(sub: Subparsers) -> None:
    p = sub.add_parser("parse", help="read bounce emails and print one record per recipient",
                       description="Read files, directories (recursively), mbox files, Maildir folders or - "
                                   "(stdin) and print a Delivery record per recipient.")
    p.add_argument("paths", nargs="+", help="files, directories, mbox files, Maildir folders, or - for stdin")
    p.add_argument("--format", choices=sorted(SINKS), default="jsonl", help="output format (default: jsonl)")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    sink = SINKS[args.format](out)
    failed = 0
    try:
        for item in iter_inputs(args.paths):
            if isinstance(item, Problem):
                failed += 1
                print(f"bouncekit: {item}", file=sys.stderr)
                continue
            try:
                records = parse_message(item.data, item.source, item.index)
            except Exception as exc:  # one broken message never stops the run
                failed += 1
                print(f"bouncekit: {Problem(item.source, item.index, f'cannot parse: {exc!r}')}", file=sys.stderr)
                continue
            for record in records:
                sink.write(record)
    finally:
        sink.close()
        if args.output:
            out.close()
    return EXIT_SOME_FAILED if failed else EXIT_OK


