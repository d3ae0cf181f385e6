"""BIGLOBE (biglobe.ne.jp) bounces: plain text in two dashed sections, the recipients and then
BIGLOBE's explanation in English:

       ----- The following addresses had delivery problems -----
    user@example.ne.jp

       ----- Non-delivered information -----
    The number of messages in recipient's mailbox exceeded the local limit.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "biglobe"

_FROM = re.compile(r"@(?:[\w-]+\.)*biglobe\.ne\.jp\b", re.IGNORECASE)
_RECIPIENTS = re.compile(r"^[ \t]*-{3,}[ \t]*The following addresses had delivery problems[ \t]*-{3,}[ \t]*$",
                         re.MULTILINE | re.IGNORECASE)
_INFORMATION = re.compile(r"^[ \t]*-{3,}[ \t]*Non-delivered information[ \t]*-{3,}[ \t]*\n"
                          r"(?P<why>(?:[ \t]*\S[^\n]{0,1000}\n?){1,6})", re.MULTILINE | re.IGNORECASE)
_ADDRESS_LINE = re.compile(r"^[ \t]*<?(" + ADDRESS.pattern + r")>?[ \t]*$", re.MULTILINE)
MAX_SECTION_CHARS = 4000


def sniff(view: MessageView) -> bool:
    return bool(_FROM.search(view.header("from"))) and bool(_RECIPIENTS.search(view.body_text[:4000]))


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    start = _RECIPIENTS.search(text)
    if start is None:
        return []
    information = _INFORMATION.search(text, start.end())
    end = information.start() if information else start.end() + MAX_SECTION_CHARS
    why = " ".join(information.group("why").split()) if information else ""
    out = []
    for m in _ADDRESS_LINE.finditer(text, start.end(), end):
        facts = facts_from_diagnostic(clean_address(m.group(1)), why)
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
