"""au EZweb (KDDI's mobile mail, ezweb.ne.jp) bounces: "Mail System Error - Returned Mail" from
Postmaster@ezweb.ne.jp, a Japanese paragraph, one English sentence saying what happened, and the
recipients, each either alone in angle brackets or with the SMTP transcript of its rejection:

    Each of the following recipients was rejected by a remote mail server.

        Recipient: <user@example.com>
        >>> RCPT TO:<user@example.com>
        <<< 550 <user@example.com>: User unknown

Some notices carry an RFC 3464 part as well; its Status is kept. The English sentence is EZweb's
own and decides when no remote reply is quoted (EZweb's receiving filter, disabled accounts,
messages that expired in its queue).
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "ezweb"

_FROM = re.compile(r"\b(?:postmaster|mailer-daemon)@ezweb\.ne\.jp\b", re.IGNORECASE)
_RECIPIENT = re.compile(r"^[ \t]*(?:Recipient:[ \t]*)?<(?P<addr>" + ADDRESS.pattern + r")>:?(?P<rest>[^\n]{0,400})$",
                        re.MULTILINE)
_SENT = re.compile(r"^[ \t]*>>>[ \t]*(?P<cmd>[A-Za-z]{4})\b", re.MULTILINE)
_REPLY = re.compile(r"^[ \t]*<<<[ \t]*(?P<reply>[^\n]{1,1000})$", re.MULTILINE)
_COMMANDS = {"MAIL": "MAIL", "RCPT": "RCPT", "DATA": "DATA", "HELO": "HELO", "EHLO": "EHLO"}
MAX_BLOCK_CHARS = 3000

# EZweb's own sentences: (regex, reason, rule id). "rejected by a remote mail server" without a
# quoted reply is EZweb's own receiving filter (the recipient's domain or address filter).
_NOTICES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\bThe user\(s\) account is disabled\b", re.I), "suspend", "account-disabled"),
    (re.compile(r"\bYour message was not delivered within \d{1,4} days and \d{1,4} hours\b", re.I), "expired",
     "not-delivered-within"),
    (re.compile(r"\brecipients? (?:was|were) rejected by a\s+remote\s+mail server\b", re.I), "filtered",
     "rejected-by-remote"),
)


def sniff(view: MessageView) -> bool:
    return bool(_FROM.search(view.header("from")))


def _notice(text: str) -> tuple[str, str, str]:
    """The first of EZweb's own sentences found: (sentence, reason, rule id), or empty strings."""
    for pattern, reason, rule in _NOTICES:
        m = pattern.search(text)
        if m is not None:
            return m.group(0), reason, rule
    return "", "", ""


def decode(view: MessageView) -> list[Facts]:
    text = "\n".join(p.text for p in view.parts if p.content_type == "text/plain").replace("\r\n", "\n")
    sentence, reason, rule = _notice(text)
    dsn = {f.recipient: f for f in rfc3464.decode(view)}
    anchors = list(_RECIPIENT.finditer(text))
    out: list[Facts] = []
    for n, m in enumerate(anchors):
        recipient = clean_address(m.group("addr"))
        if not recipient or any(f.recipient == recipient for f in out):
            continue
        end = anchors[n + 1].start() if n + 1 < len(anchors) else len(text)
        block = text[m.end():min(end, m.end() + MAX_BLOCK_CHARS)]
        replies = [r.group("reply").strip() for r in _REPLY.finditer(block)]
        said = " ".join(replies) or m.group("rest").strip()
        facts = facts_from_diagnostic(recipient, said or sentence)
        sent = list(_SENT.finditer(block))
        if sent:
            facts.smtp_command = _COMMANDS.get(sent[-1].group("cmd").upper(), facts.smtp_command)
        # The disabled-account notice decides even over a quoted reply; the others only without one.
        if reason and (not said or rule == "account-disabled"):
            facts.reason, facts.evidence = reason, f"format:{NAME}:{rule}"
        structured = dsn.get(recipient)
        if structured is not None:
            facts.status = structured.status or facts.status
            facts.reporting_mta = structured.reporting_mta
        facts.action = "failed"
        out.append(facts)
    return out
