"""Lotus Notes SMTP gateway bounces ("Undeliverable message"): plain text, the reason above the
recipient address, then the returned message:

    ------- Failure Reasons  --------

    User not listed in public Name & Address Book
    user@example.com

    ------- Returned Message --------
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .domino import NOT_IN_DIRECTORY
from .text import facts_from_diagnostic

NAME = "notes"

_REASONS = re.compile(r"^-{3,}[ \t]*Failure Reasons[ \t]*-{3,}[ \t]*$", re.MULTILINE)
_RETURNED = re.compile(r"^-{3,}[ \t]*Returned Message[ \t]*-{3,}", re.MULTILINE)
_ADDRESS_LINE = re.compile(r"^[ \t]*<?(" + ADDRESS.pattern + r")>?[ \t]*$", re.MULTILINE)
MAX_SECTION_CHARS = 4000


def sniff(view: MessageView) -> bool:
    head = view.body_text[:4000]
    return "Failure Reasons" in head and bool(_REASONS.search(head))  # the literal first: cheap


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    start = _REASONS.search(text)
    if start is None:
        return []
    end = _RETURNED.search(text, start.end())
    section = text[start.end():end.start() if end else start.end() + MAX_SECTION_CHARS]
    out = []
    last = 0
    for m in _ADDRESS_LINE.finditer(section):
        # the reason is written on the lines above each address
        why = " ".join(section[last:m.start()].split())
        last = m.end()
        facts = facts_from_diagnostic(clean_address(m.group(1)), why)
        if NOT_IN_DIRECTORY.search(why):
            facts.reason, facts.evidence = "userunknown", f"format:{NAME}:not-in-directory"
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
