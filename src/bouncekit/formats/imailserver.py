"""Ipswitch IMail Server bounces ("X-Mailer: <SMTP32 v...>"): plain text, one line per recipient
in the form "<IMail's error>: <address>", or "undeliverable to <address>" followed by the remote
server's reply after "Body of message generated response:".

    Unknown user: user@example.com

    Original message follows.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, OwnWording, apply_own_wording, clean_address
from .text import facts_from_diagnostic

NAME = "imailserver"

_MAILER = re.compile(r"^<SMTP32 v[\w.]{1,20}>$")
_END = re.compile(r"^Original message follows\.", re.MULTILINE)
# "Unknown user: a@b" ... the error is IMail's own and comes before the address.
_ERROR_LINE = re.compile(r"^[ \t]*(?P<error>[A-Za-z][^:\n]{2,120}):[ \t]*<?(?P<addr>" + ADDRESS.pattern + r")>?[ \t]*$",
                         re.MULTILINE)
_UNDELIVERABLE = re.compile(r"^[ \t]*undeliverable to[ \t]+<?(?P<addr>" + ADDRESS.pattern + r")>?[ \t]*$",
                            re.MULTILINE | re.IGNORECASE)
_RESPONSE = re.compile(r"^Body of message generated response:[ \t]*$", re.MULTILINE | re.IGNORECASE)
MAX_RESPONSE_CHARS = 2000

# IMail's own wording: (regex, reason, rule id).
_OWN_ERRORS: OwnWording = (
    (re.compile(r"^(?:Unknown user|Invalid final delivery userid)$", re.I), "userunknown", "unknown-user"),
    (re.compile(r"^User mailbox exceeds allowed size$", re.I), "mailboxfull", "mailbox-size"),
    (re.compile(r"^Delivery failed \d{1,6} attempts$", re.I), "expired", "attempts"),
)
# Header-like lines that IMail copies into the notice ("To: ...") are not errors.
_NOT_ERRORS = frozenset({"to", "cc", "from", "date", "subject", "reply-to", "x-rcpt-to"})


def sniff(view: MessageView) -> bool:
    return bool(_MAILER.match(view.header("x-mailer").strip()))


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    end = _END.search(text)
    if end is not None:
        text = text[:end.start()]
    out: list[Facts] = []
    for m in _ERROR_LINE.finditer(text):
        error = m.group("error").strip()
        if error.lower() in _NOT_ERRORS:
            continue
        facts = facts_from_diagnostic(clean_address(m.group("addr")), error)
        apply_own_wording(facts, _OWN_ERRORS, error, NAME, anchored=True)
        out.append(facts)
    for m in _UNDELIVERABLE.finditer(text):
        response = _RESPONSE.search(text, m.end())
        words = text[response.end():response.end() + MAX_RESPONSE_CHARS] if response else ""
        out.append(facts_from_diagnostic(clean_address(m.group("addr")), words.strip()))
    for facts in out:
        facts.action = "failed"
    return [f for f in out if f.recipient]
