"""Amazon SES receiving: a bounce that a receipt rule's Bounce action sent back, reported by
inbound-smtp.<region>.amazonaws.com as an RFC 3464 report. The domain's owner picks the reply
from SES's fixed templates, so the reply states the owner's rule, not a fact about the mailbox:

    Reporting-MTA: dns; inbound-smtp.us-west-2.amazonaws.com
    Diagnostic-Code: smtp; 550 5.1.1 Mailbox does not exist
    Diagnostic-Code: smtp; 450 4.0.0 Temporary failure
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import Facts

NAME = "receivingses"
PRIORITY = 40  # before amazonses: an SES report too, with its own meaning

_REPORTER = re.compile(r"^Reporting-MTA:[ \t]*dns;[ \t]*inbound-smtp\.[\w-]+\.amazonaws\.com", re.IGNORECASE | re.M)
# The Bounce action's templates whose words do not tell what happened: (regex, reason, rule id).
_TEMPLATES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), reason, rule) for p, reason, rule in (
        # the owner's rule refused the mail with the "mailbox does not exist" template
        (r"^550 5\.1\.1 Mailbox does not exist$", "filtered", "rule-no-mailbox"),
        # the template's 5.6.1 names the content, whatever its words suggest
        (r"^500 5\.6\.1 Message content rejected$", "contenterror", "rule-content"),
        # "Temporary failure" says nothing of the cause
        (r"^450 4\.0\.0 Temporary failure$", "onhold", "rule-temporary"),
    ))


def sniff(view: MessageView) -> bool:
    return any(_REPORTER.search(p.text[:2000]) for p in view.reports)


def decode(view: MessageView) -> list[Facts]:
    found = rfc3464.decode(view)
    for facts in found:
        for pattern, reason, rule in _TEMPLATES:
            if pattern.search(facts.diagnostic_code.strip()):
                facts.reason, facts.evidence = reason, f"format:receivingses:{rule}"
    return found
