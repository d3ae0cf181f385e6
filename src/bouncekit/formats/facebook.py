"""Facebook's mail service (mailer-daemon@mx.facebook.com): an RFC 3464 report whose
Diagnostic-Code carries Facebook's own response code and a link to its list of codes:

    Diagnostic-Code: smtp; 550 5.1.1 RCP-P2 http://postmaster.facebook.com/response_codes?ip=...#rcp
     Refused due to recipient preferences

The response code names the cause more precisely than the status (5.1.1 for all RCP-P* codes).
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import Facts

NAME = "facebook"

_RESPONSE_CODE = re.compile(r"\b(?P<code>(?:RCP|MSG|POL|DNS|CON|INT)-[PT]\d{1,2})\b")
# Facebook's response codes (postmaster.facebook.com/response_codes): code -> reason.
_CODES: dict[str, str] = {
    "RCP-P1": "userunknown",  # the recipient address does not exist
    "RCP-P2": "filtered",     # refused due to the recipient's preferences
    "RCP-P3": "filtered",     # refused due to the recipient's privacy settings
    "MSG-P1": "mesgtoobig",   # the message exceeds the size limit
}


def sniff(view: MessageView) -> bool:
    return "facebook.com" in view.header("from").lower()


def decode(view: MessageView) -> list[Facts]:
    found = rfc3464.decode(view)
    for facts in found:
        m = _RESPONSE_CODE.search(facts.diagnostic_code)
        if m is not None and m.group("code") in _CODES:
            facts.reason, facts.evidence = _CODES[m.group("code")], f"format:facebook:{m.group('code')}"
    return found
