"""An unnamed MTA's "Delivery status notification" (Sisimai's Lhost::X3): a framed notice listing the
recipients with '*', then the technical details of the failure (absent when there are none).

    ============================================================================
          This is an automatically generated Delivery Status Notification.

    Delivery to the following recipients failed permanently:       (its "Delevery" typo too)

       * user@example.com

    ============================================================================
                                 Technical details:

    SMTP:RCPT host 192.0.2.8: 553 5.3.0 <user@example.com>... No such user here
    ============================================================================

"... was aborted after 5.0 hour(s):" means the MTA gave up retrying.
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "x3"

_BANNER = "This is an automatically generated Delivery Status Notification."
_HEADING = re.compile(
    r"^Del[ie]very to the following recipients (?P<how>failed permanently|was aborted after[^:\n]{0,40}):",
    re.MULTILINE)
_RECIPIENT = re.compile(r"^[ \t]{1,8}\* (?P<addr>" + ADDRESS.pattern + r")[ \t]*$", re.MULTILINE)
_DETAILS = re.compile(r"^[ \t]*Technical details:[ \t]*$", re.MULTILINE)
_FRAME = re.compile(r"^={20,}[ \t]*$", re.MULTILINE)
# "SMTP:RCPT host 192.0.2.8: 553 ..." names the command the reply answered.
_SMTP_DETAIL = re.compile(r"^SMTP:(?P<cmd>[A-Z]{4})\b")


def sniff(view: MessageView) -> bool:
    return _BANNER in view.body_text[:2000] and _HEADING.search(view.body_text[:4000]) is not None


def decode(view: MessageView) -> list[Facts]:
    if rfc3464.decode(view):
        return []  # a DSN part with recipient blocks states more (x3-06: Status and Diagnostic-Code)
    text = view.body_text.replace("\r\n", "\n")
    heading = _HEADING.search(text)
    if heading is None:
        return []
    details = _DETAILS.search(text, heading.end())
    listed = text[heading.end():details.start() if details else len(text)]
    diagnostic = ""
    if details is not None:
        frame = _FRAME.search(text, details.end())
        diagnostic = text[details.end():frame.start() if frame else details.end() + 4000].strip()
    expired = heading.group("how").startswith("was aborted")
    out = []
    for m in _RECIPIENT.finditer(listed):
        facts = facts_from_diagnostic(clean_address(m.group("addr")), diagnostic)
        command = _SMTP_DETAIL.match(diagnostic)
        if command is not None:
            facts.smtp_command = command.group("cmd")
        if expired:
            facts.reason, facts.evidence = "expired", f"format:{NAME}:aborted-after"
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
