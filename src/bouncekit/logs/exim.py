"""Exim main log (and rejectlog) messages that state delivery results.

After the time stamp (and an optional ``[pid]``) a line about a message starts with its id and a flag
(Exim specification, "Log files" chapter, "Flags in log lines"):

    1jmH1s-000AVD-5t <= sender H=.. P=esmtp S=1234 id=<Message-ID>      arrival
    1jmH1s-000AVD-5t => rcpt <original> R=router T=transport H=host [ip] C="250 2.0.0 Ok"   delivery
    1jmH1s-000AVD-5t -> rcpt ...                                         another address, same delivery
    1jmH1s-000AVD-5t == rcpt R=.. T=.. defer (-44) H=host [ip]: SMTP error from remote mail server after
                     RCPT TO:<rcpt>: 450 ...
    1jmH1s-000AVD-5t ** rcpt R=.. T=.. H=host [ip]: SMTP error from remote mail server after end of data: 554 ...
    1jmH1s-000AVD-5t Completed

Refusals of incoming mail name the client and the recipient:
``H=host [ip]:port F=<sender> rejected RCPT <rcpt>: text`` (``temporarily rejected`` for 4xx).
"""

from __future__ import annotations

import re

from .correlate import Correlation
from .record import LogFacts

# Message ids: 6-6-2 base-62 (Exim < 4.97) and 6-11-4 (Exim >= 4.97).
_MESSAGE_ID = re.compile(r"[0-9A-Za-z]{6}-[0-9A-Za-z]{6,11}-[0-9A-Za-z]{2,4} ")
FLAGS = {"=>": "delivered", "->": "delivered", "==": "delayed", "**": "failed"}
# Exim's words when a retry period ends without delivery (retry rules, "Retry timeout exceeded").
_RETRY_OVER = ("retry timeout exceeded", "retry time not reached for any host after a long failure period")
_HOST = re.compile(r"(?:^| )H=(?P<host>\(?[^\s\[(]{1,255}\)?(?: \([^)\s]{0,255}\))?) \[(?P<ip>[^\]\s:]{1,64})")


def _split_text(fields: str) -> tuple[str, str]:
    """Fields and the text after the first ': ' that is not inside a quoted value (DN="...:...")."""
    start = 0
    colon = fields.find(": ")
    while colon >= 0:
        quote = fields.find('"', start, colon)
        if quote < 0:
            break  # no quoted value opens before it
        close = fields.find('"', quote + 1)
        if close < 0:
            break
        start = close + 1
        if colon < start:  # (else it is still the first ': ' from start on: no search runs ahead again)
            colon = fields.find(": ", start)
    if colon < 0:
        return fields, ""
    return fields[:colon], fields[colon + 2:]


def _quoted(fields: str, name: str) -> str:
    start = fields.find(f' {name}="')
    if start < 0:
        return ""
    start += len(name) + 3
    end = fields.find('"', start)
    return fields[start:end] if end >= 0 else fields[start:]


def _delivery(queue_id: str, flag: str, rest: str, state: Correlation | None) -> list[LogFacts]:
    address, _, fields = rest.partition(" ")
    if address.endswith(":"):  # "** rcpt: retry timeout exceeded" - no fields at all
        address, fields = address[:-1], ": " + fields
    if not address:
        return []
    original = ""
    if fields.startswith("<"):
        close = fields.find(">")
        if close > 0:
            original, fields = fields[1:close], fields[close + 1:].lstrip()
    if "@" not in address and original:
        address, original = original, ""
    fields, text = _split_text(" " + fields)
    action = FLAGS[flag]
    host = _HOST.search(fields)
    relay = f"{host.group('host')} [{host.group('ip')}]" if host else ""
    facts = LogFacts(recipient=address, original_recipient=original, action=action, log_status=flag,
                     diagnostic_code=text.strip() if action != "delivered" else _quoted(fields, "C"),
                     relay=relay, remote_mta=host.group("host").split(" ", 1)[0].strip("()") if host else "",
                     queue_id=queue_id)
    if action == "failed" and text.strip().lower().startswith(_RETRY_OVER):
        facts.reason, facts.evidence = "expired", "log:exim-retry-timeout"
    if state is not None:
        state.attach(facts)
    return [facts]


def _rejected(message: str, at: int) -> list[LogFacts]:
    """``H=host [ip] F=<sender> [temporarily ]rejected RCPT <rcpt>: text``."""
    start = at + len(" rejected RCPT <")
    close = message.find(">", start, start + 512)
    if close < 0:
        return []
    recipient = message[start:close]
    text = message[close + 1:].lstrip(":").strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1]
    head = message[:at]
    temporary = head.endswith(" temporarily")
    sender = ""
    f = head.find("F=<")
    if f >= 0:
        end = head.find(">", f)
        sender = head[f + 3:end] if end > 0 else ""
    host = _HOST.search(head)
    return [LogFacts(recipient=recipient, action="delayed" if temporary else "failed",
                     log_status="temporarily rejected" if temporary else "rejected", diagnostic_code=text, inbound=True,
                     smtp_command="RCPT", client=f"{host.group('host')} [{host.group('ip')}]" if host else "",
                     sender=sender)]


def read(message: str, state: Correlation | None) -> list[LogFacts] | None:
    """The delivery results one Exim log message states; [] for another Exim line; None if not Exim's."""
    m = _MESSAGE_ID.match(message)
    if m is not None:
        queue_id = m.group(0)[:-1]
        flag = message[m.end():m.end() + 3]
        if flag[:2] in FLAGS and flag[2:] == " ":
            return _delivery(queue_id, flag[:2], message[m.end() + 3:], state)
        if state is not None:
            if flag == "<= ":
                _arrival(queue_id, message[m.end() + 3:], state)
            elif message.endswith(" Completed"):
                state.forget(queue_id)
        rejected = message.find(" rejected RCPT <")
        return _rejected(message, rejected) if rejected > 0 else []
    rejected = message.find(" rejected RCPT <")
    if rejected > 0:
        return _rejected(message, rejected)
    if message.startswith(("H=", "SMTP ", "no host name found", "TLS error", "Start queue run", "End queue run")) \
            or " authenticator failed for " in message:
        return []
    return None


def _arrival(queue_id: str, rest: str, state: Correlation) -> None:
    info = state.info(queue_id)
    info.sender = rest.split(" ", 1)[0].strip("<>")
    at = rest.find(" id=")
    if at >= 0:
        info.message_id = rest[at + 4:].split(" ", 1)[0].strip("<>")
