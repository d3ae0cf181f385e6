"""KDDI au one net (auone-net.jp, dion.ne.jp) bounces: a Japanese paragraph, then the server's
English lines, one recipient per notice:

    Your mail sent on: Thu, 29 Apr 2013 23:45:22 +0900
         Could not be delivered to: <user@example.dion.ne.jp>
         As their mailbox is full.

The line after the recipient is the reason in the server's words; the classifier reads it.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address
from .text import facts_from_diagnostic

NAME = "kddi"

_SENT_ON = "Your mail sent on:"
_RECIPIENT = re.compile(r"^[ \t]*Could not be delivered to:[ \t]*<(?P<addr>[^>\n]{1,320})>[ \t]*\n"
                        r"(?P<why>(?:[ \t]*\S[^\n]{0,400}\n?){0,4})", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    head = view.body_text[:4000]
    return _SENT_ON in head and "Could not be delivered to:" in head


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    out = []
    for m in _RECIPIENT.finditer(text):
        facts = facts_from_diagnostic(clean_address(m.group("addr")), " ".join(m.group("why").split()))
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
