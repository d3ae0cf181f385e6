"""MTA logs: one Delivery record per delivery result in Postfix, Exim and Sendmail logs.

``parse_log_line(line)`` reads one line alone; ``LogReader`` reads a whole log and ties the lines of
one message together by queue id (correlate.py), so records carry the sender and Message-ID.
Each line is split into its syslog prefix (syslog.py), handed to the reader of the program that
wrote it (READERS), and what that reader finds is classified like a bounce (record.py). Lines of
other programs and garbled lines yield nothing and are counted, never fatal.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, cast

from ..model import Delivery
from . import exim, postfix, sendmail
from .correlate import Correlation
from .record import LogFacts, to_delivery, verdict
from .summary import Summary
from .syslog import Prefix, current_year, iso_timestamp, split_prefix

Reader = Callable[[str, Correlation | None], list[LogFacts] | None]

# syslog program name (before any "/service" and "[pid]") -> (reader, decoded_by)
READERS: dict[str, tuple[Reader, str]] = {
    "postfix": (postfix.read, "postfix-log"),
    "exim": (exim.read, "exim-log"),
    "exim4": (exim.read, "exim-log"),
    "sendmail": (sendmail.read, "sendmail-log"),
    "sm-mta": (sendmail.read, "sendmail-log"),
    "sm-msp-queue": (sendmail.read, "sendmail-log"),
}
# A message without a syslog prefix (Exim's own main log, `journalctl -o cat`, grok test lines):
# its shape decides, most common first.
BARE_READERS: tuple[tuple[Reader, str], ...] = (READERS["postfix"], READERS["exim"], READERS["sendmail"])
# Longer lines are not log lines of these MTAs (Postfix cuts at line_length_limit = 2048, syslog
# daemons at 8 KiB by default); they are counted as garbled rather than read.
MAX_LINE = 32 * 1024
GZIP_MAGIC = b"\x1f\x8b"


def _reader_for(program: str) -> tuple[Reader, str] | None:
    name = program.split("/", 1)[0]
    found = READERS.get(name)
    if found is None and name.startswith("postfix"):  # multi-instance: postfix-in/smtpd, postfix-out/smtp
        found = READERS["postfix"]
    return found


@dataclass(slots=True)
class LogStats:
    """What reading a log met: lines, records, lines of the MTAs without a result, lines not understood."""

    lines: int = 0
    records: int = 0
    skipped: int = 0
    """Lines of a known MTA that state no delivery result (connects, queue bookkeeping, warnings)."""
    unknown: int = 0
    """Lines no reader understood: other programs, garbled or truncated lines. Skipped, never fatal."""


class LogReader:
    """Reads one log line by line, keeping what each queue id said so far (sender, Message-ID, client)."""

    def __init__(self, source: str = "", year: int | None = None, correlate: bool = True) -> None:
        self.source = source
        self.year = year or current_year()
        self.state = Correlation() if correlate else None
        self.stats = LogStats()
        self._readers: dict[str, tuple[Reader, str] | None] = {}

    def _facts(self, line: str) -> tuple[list[LogFacts], Prefix, str]:
        """What one line states, its prefix and the reader that understood it; counts the line."""
        stats = self.stats
        stats.lines += 1
        if len(line) > MAX_LINE:
            stats.unknown += 1
            return [], ("", "", "", "", ""), ""
        prefix = split_prefix(line.rstrip("\r\n"))
        found: list[LogFacts] | None = None
        decoded_by = ""
        program = prefix[3]
        if program:
            try:
                reader = self._readers[program]
            except KeyError:
                reader = self._readers[program] = _reader_for(program)
            if reader is not None:
                found = reader[0](prefix[4], self.state) or []
                decoded_by = reader[1]
        elif prefix[1] == "exim":
            found, decoded_by = exim.read(prefix[4], self.state), "exim-log"
        else:
            for read, name in BARE_READERS:
                found = read(prefix[4], self.state)
                if found is not None:
                    decoded_by = name
                    break
        if found is None:
            stats.unknown += 1
            return [], prefix, ""
        if not found:
            stats.skipped += 1
        else:
            stats.records += len(found)
        return found, prefix, decoded_by

    def feed(self, line: str, number: int | None = None) -> list[Delivery]:
        """The records one line states (usually none or one)."""
        found, prefix, decoded_by = self._facts(line)
        if not found:
            return []
        timestamp = iso_timestamp(prefix[0], prefix[1], self.year) if prefix[0] else ""
        return [to_delivery(facts, self.source, number, timestamp, prefix[2], decoded_by) for facts in found]

    def read(self, lines: Iterable[str], first_line: int = 1) -> Iterator[Delivery]:
        """Every record of *lines*, numbered from *first_line*."""
        for number, line in enumerate(lines, first_line):
            try:
                records = self.feed(line, number)
            except Exception:
                self.stats.unknown += 1
                continue
            yield from records

    def summarise(self, lines: Iterable[str], summary: Summary, failures_only: bool = False) -> None:
        """Count every result of *lines* into *summary* without building Delivery records (the fast
        path of ``logs --summary``: the same facts and verdicts, none of the per-record objects)."""
        for line in lines:
            try:
                found = self._facts(line)[0]
                for facts in found:
                    if failures_only and facts.action == "delivered":
                        continue
                    reason = verdict(facts)[0] if facts.action != "delivered" else "delivered"
                    summary.count(facts.action, facts.log_status, facts.recipient, reason, facts.diagnostic_code)
            except Exception:
                self.stats.unknown += 1


def parse_log_line(line: str, source: str = "", line_number: int | None = None) -> list[Delivery]:
    """The Delivery records one MTA log line states (none for a line that is not a delivery result).

    Reads Postfix, Exim and Sendmail lines with any common syslog prefix, or bare messages. A line
    alone carries no sender or Message-ID: use ``LogReader`` on the whole log for those.
    """
    return LogReader(source, correlate=False).feed(line, line_number)


def open_log(path: str) -> IO[str]:
    """A log file as text lines; gzip-compressed rotations (``maillog.2.gz``) are read transparently."""
    return open_stream(open(path, "rb"))


def open_stream(stream: IO[bytes]) -> IO[str]:
    """Standard input or any byte stream as text lines, gunzipped when it starts with the gzip magic."""
    buffered: Any = stream if hasattr(stream, "peek") else io.BufferedReader(cast(Any, stream))
    if buffered.peek(2)[:2] == GZIP_MAGIC:
        return io.TextIOWrapper(gzip.GzipFile(fileobj=buffered), encoding="utf-8", errors="replace")
    return io.TextIOWrapper(buffered, encoding="utf-8", errors="replace")


__all__ = ["LogReader", "LogStats", "Summary", "open_log", "open_stream", "parse_log_line"]
