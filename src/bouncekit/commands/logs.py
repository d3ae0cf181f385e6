"""`bouncekit logs`: Postfix, Exim and Sendmail logs (plain or gzip) as records, or as a summary."""

from __future__ import annotations

import argparse
import json
import sys

from ..io import SINKS
from . import EXIT_OK, EXIT_SOME_FAILED, Subparsers


def register(sub: Subparsers) -> None:
    p = sub.add_parser("logs", help="read MTA logs and print one record per delivery result",
                       description="Read Postfix, Exim or Sendmail logs (any syslog prefix; .gz rotations read "
                                   "transparently; - for stdin) and print a Delivery record per delivery result, "
                                   "or a summary. Lines that are not delivery results are skipped and counted.")
    p.add_argument("paths", nargs="+", help="log files, or - for stdin")
    p.add_argument("--summary", action="store_true",
                   help="print counts per status, reason, remote domain and the top remote replies instead")
    p.add_argument("--failures-only", action="store_true", help="leave out delivered (sent) records")
    p.add_argument("--year", type=int, help="year for BSD syslog time stamps, which carry none (default: this year)")
    p.add_argument("--format", choices=sorted(SINKS), default="jsonl",
                   help="output format of records (default: jsonl); with --summary, json gives the summary as JSON")
    p.add_argument("--output", "-o", help="write to this file instead of stdout")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # here, not at the top: other commands start faster
    from ..logs import LogReader, LogStats, open_log, open_stream
    from ..logs.summary import Summary

    out = open(args.output, "w", encoding="utf-8", newline="") if args.output else sys.stdout  # noqa: SIM115
    summary = Summary() if args.summary else None
    sink = None if summary is not None else SINKS[args.format](out)
    total = LogStats()
    failed = 0
    try:
        for path in args.paths:
            reader = LogReader(path, year=args.year)
            try:
                stream = open_stream(sys.stdin.buffer) if path == "-" else open_log(path)
            except OSError as exc:
                failed += 1
                print(f"bouncekit: {path}: {exc.strerror or exc}", file=sys.stderr)
                continue
            with stream:
                try:
                    if summary is not None:
                        reader.summarise(stream, summary, args.failures_only)
                    elif sink is not None:
                        for record in reader.read(stream):
                            if not (args.failures_only and record.action == "delivered"):
                                sink.write(record)
                except BrokenPipeError:
                    raise
                except (OSError, EOFError) as exc:  # a truncated .gz: keep what was read, say where it stopped
                    failed += 1
                    print(f"bouncekit: {path}: line {reader.stats.lines}: {exc}", file=sys.stderr)
            for name in ("lines", "records", "skipped", "unknown"):
                setattr(total, name, getattr(total, name) + getattr(reader.stats, name))
            if reader.stats.unknown and summary is None:
                print(f"bouncekit: {path}: {reader.stats.unknown} of {reader.stats.lines} lines not understood, "
                      "skipped", file=sys.stderr)
        if summary is not None:
            if args.format == "json":
                out.write(json.dumps(summary.to_dict(total), ensure_ascii=False, indent=2) + "\n")
            else:
                out.write(summary.render(total))
    finally:
        if sink is not None:
            sink.close()
        if args.output:
            out.close()
    return EXIT_SOME_FAILED if failed else EXIT_OK
