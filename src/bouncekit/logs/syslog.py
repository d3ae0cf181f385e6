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
from datetime import datetime

MONTHS = {m: i for i, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                                      "Dec"), 1)}

# A syslog tag: program name, optional "[pid]", then ": ". RFC 3164 s4.1.3 limits the tag to 32
# characters; Postfix multi-instance names ("postfix-in/smtpd", "postfix/submission/smtpd") stay within 64.
MAX_TAG = 64
_EXIM_STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.\d{1,6})?(?: ([+-]\d{4}))?(?: \[\d+\])? ")
_RFC5424 = re.compile(r"<\d{1,3}>\d{1,2} (\S+) (\S+) (\S+) (\S+) \S+ (?:-|(?:\[[^\]]*\])+) ?")


# The two shapes nearly every log has, read by one regex: BSD "Mon dd hh:mm:ss" or an RFC 3339 time,
# then host and tag. The tag is "program[pid]: " (RFC 3164 s4.1.3 limits it to 32 characters;
# Postfix multi-instance names like "postfix-in/smtpd" stay well within MAX_TAG).
_COMMON = re.compile(
    r"(?:(?P<bsd>(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d)"
    r"|(?P<iso>\d{4}-\d\d-\d\dT[\d:.]{8,20}(?:Z|[+-]\d\d:?\d\d)?)) "
    rf"(?P<host>[^\s]{{1,255}}) (?P<program>[^\s\[:]{{1,{MAX_TAG}}})(?:\[\d{{1,10}}\])?: ")

Prefix = tuple[str, str, str, str, str]
"""(time stamp as written, its kind, host, program, message). The kind is ``bsd`` (no year), ``iso``
(RFC 3339), ``exim`` (date and time, maybe a zone) or ``""`` when the line has no prefix."""


def split_prefix(line: str) -> Prefix:
    """The prefix of one log line; a line with none comes back whole as the message."""
    m = _COMMON.match(line)
    if m is not None:
        bsd, iso, host, program = m.group(1, 2, 3, 4)
        return (bsd, "bsd", host, program, line[m.end():]) if bsd else (iso, "iso", host, program, line[m.end():])
    first = line[:1]
    if first.isdigit() and len(line) > 20 and line[4] == "-" and line[10] == " ":
        e = _EXIM_STAMP.match(line)
        if e is not None:
            zone = e.group(2)
            stamp = e.group(1).replace(" ", "T") + (f"{zone[:3]}:{zone[3:]}" if zone else "")
            return stamp, "exim", "", "", line[e.end():]
    elif first == "<":
        r = _RFC5424.match(line)
        if r is not None:
            return r.group(1), "iso", r.group(2), r.group(3), line[r.end():]
    return "", "", "", "", line


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
