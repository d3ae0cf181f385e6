"""Microsoft Exchange 2007 and later, Exchange Online (Office 365): an RFC 3464 report whose human
part ends with "Diagnostic information for administrators:" and whose replies carry Exchange's
component codes and Microsoft's own enhanced codes:

    Diagnostic information for administrators:
    Generating server: mx.example.com
    user@example.com
    #550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient ##

    Status: 5.4.316
    Diagnostic-Code: smtp;550 5.4.316 Message expired, connection refused

The component code (RESOLVER.*, QUEUE.*) and Microsoft's three-digit details (X.4.312, X.4.316)
mean more than the class-level status, so a table of them decides first.
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import Facts, OwnWording, apply_own_wording

NAME = "exchange"

_MARKER = "Diagnostic information for administrators"
_NDR_HEADER = "x-ms-exchange-message-is-ndr"
# Exchange component codes (learn.microsoft.com, "Non-delivery reports in Exchange Online"):
# (regex, reason, rule id), tried in order on the diagnostic.
_COMPONENT_CODES: OwnWording = tuple(
    (re.compile(p, re.IGNORECASE), reason, rule) for p, reason, rule in (
        (r"\bRESOLVER\.ADR\.(?:Ex)?Recip(?:ient)?NotFound\b", "userunknown", "recip-not-found"),
        (r"\bRESOLVER\.RST\.RecipSizeLimit\b", "mesgtoobig", "recip-size-limit"),
        (r"\bRESOLVER\.RST\.AuthRequired\b", "securityerror", "auth-required"),
        (r"\bQUEUE\.Expired\b", "expired", "queue-expired"),
    ))
# Microsoft's own enhanced codes beyond the RFC 3463 registry: detail -> (reason, rule id).
_MICROSOFT_DETAILS: dict[str, tuple[str, str]] = {
    "4.300": ("expired", "message-expired"),      # the message expired with no answer from the far end
    "4.312": ("networkerror", "dns-query-failed"),  # the DNS query for the recipient domain failed
    "4.316": ("expired", "connection-refused"),   # retried until expiry, each connection refused
}


def sniff(view: MessageView) -> bool:
    return bool(view.header(_NDR_HEADER)) or _MARKER in view.body_text[:20_000]


def decode(view: MessageView) -> list[Facts]:
    found = rfc3464.decode(view)
    for facts in found:
        if not apply_own_wording(facts, _COMPONENT_CODES, facts.diagnostic_code, "exchange"):
            detail = facts.status.partition(".")[2]
            if detail in _MICROSOFT_DETAILS:
                reason, rule = _MICROSOFT_DETAILS[detail]
                facts.reason, facts.evidence = reason, f"format:exchange:{rule}"
    return found
