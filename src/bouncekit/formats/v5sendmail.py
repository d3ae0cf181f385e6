"""Sendmail 5 (and other pre-DSN sendmail) bounces: a session transcript, then the unsent message.

       ----- Transcript of session follows -----
    While talking to mx.example.org:
    >>> RCPT To:<user@example.org>
    <<< 550 <user@example.org>... User unknown
    550 <user@example.org>... User unknown
    554 <other@example.net>... 550 Host unknown (Authoritative answer from name server)
    421 example.com (smtp)... Deferred: Connection timed out during user open with example.com

       ----- Unsent message follows -----

A "NNN <address>... text" line closes the report on one recipient; the remote reply that caused it
is the "<<<" line of the session just before it (if that reply was not already used), else the text.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address, original_headers, read_fields
from .text import facts_from_diagnostic

NAME = "v5sendmail"

_START = re.compile(r"^[ \t]*-{3,}[ \t]*Transcript of session follows[ \t]*-{3,}", re.MULTILINE | re.IGNORECASE)
_END = re.compile(r"^[ \t]*-{3,}[ \t]*Unsent message follows[ \t]*-{3,}", re.MULTILINE | re.IGNORECASE)
_TALKING = re.compile(r"^While talking to (?P<host>[\w.-]{1,255}?)\.?:", re.IGNORECASE)
_SENT = re.compile(r"^>>> (?P<cmd>[A-Za-z]{4})")
_RECEIVED = re.compile(r"^<<< (?P<reply>.{1,2000})$")
_RECIPIENT = re.compile(r"^[245]\d\d <(?P<addr>[^>\s]{1,320})>\.\.\. ?(?P<text>.{0,2000})$")
_HOST_ERROR = re.compile(r"^(?P<code>[245]\d\d) [\w.-]{1,255} \(\w{1,16}\)\.\.\. ?(?P<text>.{0,2000})$")
# sendmail's own subject when the queue lifetime ran out ("Cannot send message for 5 days").
_GAVE_UP = re.compile(r"\bcannot send message for \d{1,4} (?:day|hour)", re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    text = view.body_text
    if text.isascii():  # cheap: the literals both markers need (lower() and re.IGNORECASE agree on ASCII)
        lowered = text.lower()
        if "unsent message follows" not in lowered or "transcript of session follows" not in lowered:
            return False
    return _END.search(text) is not None and _START.search(text) is not None


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    start = _START.search(text)
    if start is None:
        return []
    end = _END.search(text, start.end())
    transcript = text[start.end():end.start() if end else start.end() + 20000].split("\n")
    out: list[Facts] = []
    host = command = reply = ""
    quitting = False
    host_errors: list[str] = []
    for line in (raw.strip() for raw in transcript):
        if (m := _TALKING.match(line)) is not None:
            host, command, reply, quitting = m.group("host"), "", "", False
        elif (m := _SENT.match(line)) is not None:
            # QUIT only ends the session (RFC 5321 s4.1.1.10): the failure is the reply before it
            quitting = m.group("cmd").upper() == "QUIT"
            command = command if quitting else m.group("cmd").upper()
        elif (m := _RECEIVED.match(line)) is not None:
            if quitting and reply:
                continue  # the answer to QUIT ("421 ... closing"), not the failure
            reply = m.group("reply")
            if host and not command and reply[:1] in ("4", "5"):
                # refused before any command of the session (or answered only its QUIT, which Sendmail
                # sends first when the greeting failed): at the greeting, RFC 5321 s3.1
                command = "CONN"
        elif (m := _RECIPIENT.match(line)) is not None:
            facts = facts_from_diagnostic(clean_address(m.group("addr")), reply or m.group("text"))
            if reply:
                facts.smtp_command, facts.remote_mta = command, host
            out.append(facts)
            reply = ""  # one remote reply explains one recipient
        elif (m := _HOST_ERROR.match(line)) is not None:
            host_errors.append(line)
    if not out and host_errors:
        # No recipient line: the failure concerned a whole host; the returned message names whom.
        pasted = read_fields(text[end.end():].lstrip("\n").split("\n\n", 1)[0]) if end else {}
        listed = original_headers(view).get("to", "") or pasted.get("to", "")
        recipients = [clean_address(a) for a in listed.split(",")]
        first = _HOST_ERROR.match(host_errors[0])
        words = f"{first.group('code')} {first.group('text')}" if first else host_errors[0]
        out = [facts_from_diagnostic(r, words) for r in recipients if r]
    gave_up = _GAVE_UP.search(view.header("subject")) is not None
    for facts in out:
        facts.action = "failed"
        if gave_up:
            facts.reason, facts.evidence = "expired", f"format:{NAME}:cannot-send-for"
    return [f for f in out if f.recipient]
