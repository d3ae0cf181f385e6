"""Active!hunter (an anti-spam gateway) bounces: sendmail-like text in a multipart/report whose MIME
boundary names the product ("------=_Active!Hunter_...").

      ----- The following addresses had permanent fatal errors -----
    >>> user@example.org <user@example.org>

      ----- Transcript of session follows -----
    550 sorry, no mailbox here by that name (#5.1.1 - chkusr)
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "activehunter"

_RECIPIENT = re.compile(r"^>>> (?P<addr>" + ADDRESS.pattern + r")", re.MULTILINE)
_TRANSCRIPT = re.compile(r"^[ \t]*-{3,}[ \t]*Transcript of session follows[ \t]*-{3,}[ \t]*$",
                         re.MULTILINE | re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    return "Active!Hunter" in view.header("content-type")


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    transcript = _TRANSCRIPT.search(text)
    if transcript is None:
        return []
    diagnostic = text[transcript.end():transcript.end() + 2000].strip().split("\n\n", 1)[0]
    out = [facts_from_diagnostic(clean_address(m.group("addr")), diagnostic)
           for m in _RECIPIENT.finditer(text[:transcript.start()])]
    for facts in out:
        facts.action = "failed"
    return [f for f in out if f.recipient]
