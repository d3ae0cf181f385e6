"""PowerMTA delivery status notifications: RFC 3464 reports whose recipient blocks carry PowerMTA's
own verdict, ``X-PowerMTA-BounceCategory`` (bad-mailbox, quota-issues, spam-related, ...), beside
the usual fields. The category is PowerMTA's classification of the remote reply, so it decides the
reason where it names one; the rest of the report is read as any RFC 3464 report.

    Final-Recipient: rfc822;user@example.jp
    Action: failed
    Status: 5.2.1 (mailbox disabled, not accepting messages)
    Diagnostic-Code: smtp;550 5.2.1 <user@example.jp>... User Unknown
    X-PowerMTA-BounceCategory: bad-mailbox
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import Facts

NAME = "powermta"
PRIORITY = 40

# PowerMTA's bounce categories (PowerMTA User's Guide, "bounce categories") and the reasons they mean.
CATEGORY_REASONS = {
    "bad-mailbox": "userunknown", "bad-domain": "hostunknown", "inactive-mailbox": "suspend",
    "quota-issues": "mailboxfull", "message-expired": "expired", "no-answer-from-host": "networkerror",
    "bad-connection": "networkerror", "routing-errors": "networkerror", "relaying-issues": "norelaying",
    "spam-related": "spamdetected", "virus-related": "virusdetected", "content-related": "contenterror",
    "policy-related": "policyviolation", "invalid-sender": "rejected", "protocol-errors": "syntaxerror",
}
_CATEGORY = re.compile(r"^X-PowerMTA-BounceCategory:[ \t]*([\w-]{1,40})", re.IGNORECASE | re.MULTILINE)


def sniff(view: MessageView) -> bool:
    return any("X-PowerMTA-BounceCategory" in p.text for p in view.reports)


def decode(view: MessageView) -> list[Facts]:
    found = rfc3464.decode(view)
    categories = [m.group(1).lower() for p in view.reports for m in _CATEGORY.finditer(p.text)]
    if len(categories) == len(found):
        for facts, category in zip(found, categories, strict=True):
            reason = CATEGORY_REASONS.get(category)
            if reason is not None:
                facts.reason, facts.evidence = reason, f"format:powermta:{category}"
    return found
