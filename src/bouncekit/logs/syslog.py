"""Split a log line into its syslog prefix (time, host, program) and the program's own message.

Shapes read, tried by a cheap look at fixed positions before any regex:

- BSD / RFC 3164: ``Feb 11 16:49:24 host postfix/smtp[123]: msg`` (no year, no zone);
- RFC 3339 (rsyslog's high-precision template) and journald ``short-iso``:
  ``2024-08-29T01:08:59.764590+00:00 host postfix/smtpd[1938053]: msg``;
- RFC 5424: ``<22>1 2024-08-29T01:08:59Z host postfix/smtp 123 - - msg``;
- Exim's own main log: ``2020-06-19 04:51:49[.345] [+0200] [pid] msg`` (no host, no program);
- a bare message (what grok pattern tests and ``journalctl -o cat`` give): no prefix at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), 1)}

# A syslog tag: program name, optional "[pid]", then ": ". RFC 3164 s4.1.3 limits the tag to 32
# characters; Postfix multi-instance names ("postfix-in/smtpd", "postfix/submission/smtpd") stay within 64.
MAX_TAG = 64
_EXIM_STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d{1,6})?(?: ([+-]\d{4}))?(?: \[\d+\])? ")
_RFC5424 = re.compile(r"<\d{1,3}>\d{1,2} (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[[^\]]*\])+) ?")


@dataclass(slots=True)
class Prefix:
    """What the syslog prefix says: when (as written), where, which program, and where its message starts."""

    stamp: str = ""
    stamp_kind: str = ""
    """``bsd`` (no year), ``iso`` (RFC 3339), ``exim`` (date and time, maybe a zone), or ``""``."""
    host: str = ""
    program: str = ""
    message: str = ""


def _tag(line: str, start: int, prefix: Prefix) -> Prefix:
    """Read ``host program[pid]: message`` from *start*; without a tag the rest is the message."""
    space = line.find(" ", start)
    if space < 0:
        prefix.message = line[start:]
        return prefix
    colon = line.find(": ", space + 1, space + 2 + MAX_TAG)
    tag = line[space + 1:colon] if colon > 0 else ""
    if not tag or " " in tag:
        prefix.message = line[start:]
        return prefix
    prefix.host = line[start:space]
    bracket = tag.find("[")
    prefix.program = tag[:bracket] if bracket >= 0 else tag
    prefix.message = line[colon + 2:]
    return prefix


def split_prefix(line: str) -> Prefix:
    """The prefix of one log line; a line with none comes back whole as the message."""
    prefix = Prefix()
    if len(line) > 16 and line[3] == " " and line[6] == " " and line[9] == ":" and line[:3] in MONTHS:
        prefix.stamp, prefix.stamp_kind = line[:15], "bsd"
        return _tag(line, 16, prefix)
    first = line[:1]
    if first.isdigit() and len(line) > 20 and line[4] == "-":
        if line[10] == "T":
            space = line.find(" ", 19)
            if space > 0:
                prefix.stamp, prefix.stamp_kind = line[:space], "iso"
                return _tag(line, space + 1, prefix)
        elif line[10] == " ":
            m = _EXIM_STAMP.match(line)
            if m is not None:
                zone = m.group(2)
                prefix.stamp = m.group(1).replace(" ", "T") + (f"{zone[:3]}:{zone[3:]}" if zone else "")
                prefix.stamp_kind = "exim"
                prefix.message = line[m.end():]
                return prefix
    elif first == "<":
        m = _RFC5424.match(line)
        if m is not None:
            prefix.stamp, prefix.stamp_kind, prefix.host = m.group(1), "iso", m.group(2)
            prefix.program, prefix.message = m.group(3), line[m.end():]
            return prefix
    prefix.message = line
    return prefix


def iso_timestamp(stamp: str, kind: str, year: int) -> str:
    """ISO 8601 for a prefix's time; BSD stamps carry no year, so *year* is the caller's best guess."""
    if kind == "bsd":
        month = MONTHS.get(stamp[:3], 0)
        day = stamp[4:6].strip()
        if not month or not day.isdigit():
            return ""
        return f"{year:04d}-{month:02d}-{int(day):02d}T{stamp[7:15]}"
    if kind == "iso":
        if stamp.endswith("Z"):
            return stamp[:-1] + "+00:00"
        # journald short-iso writes "+0000"; RFC 3339 wants "+00:00"
        if len(stamp) > 5 and stamp[-5] in "+-" and stamp[-4:].isdigit():
            return f"{stamp[:-2]}:{stamp[-2:]}"
        return stamp
    return stamp


def current_year() -> int:
    return datetime.now().year
