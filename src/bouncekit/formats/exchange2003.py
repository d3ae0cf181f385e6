"""Microsoft Exchange 2000/2003 non-delivery reports: plain text that repeats the original's To,
Subject and Sent lines, then one block per recipient with Exchange's words and an MSEXCH code:

    Your message

      To:      user@example.com
      Subject: Hello
      Sent:    Thu, 29 Apr 2010 00:00:00 -0000

    did not reach the following recipient(s):       (or "The following recipient(s) could not be reached:")

    user@example.com on Thu, 29 Apr 2010 00:00:00 -0000
        The recipient name is not recognized
        MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import error_text

NAME = "exchange2003"

_LIST_START = re.compile(r"did not reach the following recipient|following recipient\(s\) could not be reached",
                         re.IGNORECASE)
_RECIPIENT = re.compile(r"^[ \t]*(?P<addr>" + ADDRESS.pattern + r") on [^\n]{1,80}$", re.MULTILINE)
_MSEXCH = re.compile(r"\bMSEXCH:[^\n]{0,200}?\((?P<code>[0-9A-F]{8})\)", re.IGNORECASE)
# Exchange's hexadecimal error numbers: code -> (reason, rule id).
_CODES: dict[str, tuple[str, str]] = {
    "000C05A6": ("userunknown", "unknown-recipient"),  # "The recipient name is not recognized"
}
MAX_BLOCK_CHARS = 2000


def sniff(view: MessageView) -> bool:
    return "MSEXCH:" in view.body_text[:20_000] and bool(_LIST_START.search(view.body_text[:5000]))


def decode(view: MessageView) -> list[Facts]:
    text = error_text(view).replace("\r\n", "\n")
    start = _LIST_START.search(text)
    if start is None:
        return []
    anchors = list(_RECIPIENT.finditer(text, start.end()))
    out = []
    for n, m in enumerate(anchors):
        end = anchors[n + 1].start() if n + 1 < len(anchors) else len(text)
        diagnostic = " ".join(text[m.end():end][:MAX_BLOCK_CHARS].split())
        facts = Facts(recipient=clean_address(m.group("addr")), action="failed", diagnostic_code=diagnostic)
        code = _MSEXCH.search(diagnostic)
        if code is not None and code.group("code").upper() in _CODES:
            facts.reason, rule = _CODES[code.group("code").upper()]
            facts.evidence = f"format:exchange2003:{rule}"
        out.append(facts)
    return [f for f in out if f.recipient]
