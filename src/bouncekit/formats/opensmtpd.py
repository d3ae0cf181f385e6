"""OpenSMTPD bounces: "Delivery status notification: error|failed|warning|delayed", plain text with one
line per recipient (newer versions add a DSN part whose Status is only 5.0.0 / 4.0.0):

        Hi!

        This is the MAILER-DAEMON, please DO NOT REPLY to this email.

        An error has occurred while attempting to deliver a message for
        the following list of recipients:

    user@example.org: 550 5.1.1 <user@example.org>: Recipient address rejected: User unknown
    other@example.net: Domain does not exist

        Below is a copy of the original message:

The line text is the remote reply, or smtpd's own words when there was none (mta.c, mta_session.c).
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, OwnWording, apply_own_wording, clean_address
from .text import facts_from_diagnostic, section

NAME = "opensmtpd"

_MARKER = "This is the MAILER-DAEMON, please DO NOT REPLY"
_LIST_START = re.compile(r"following\s+list\s+of\s+recipients:", re.IGNORECASE)
_LIST_END = re.compile(r"^[ \t]*(?:Below is a copy of the original message|Please note that this is only)",
                       re.MULTILINE | re.IGNORECASE)
_LINE = re.compile(r"^(?P<addr>" + ADDRESS.pattern + r"):[ \t]*(?P<text>.{0,2000})$", re.MULTILINE)
# smtpd's own words for failures that came with no remote reply: (regex, reason, rule id).
_OWN_ERRORS: OwnWording = tuple(
    (re.compile(p, re.IGNORECASE), reason, rule) for p, reason, rule in (
        (r"^Envelope expired", "expired", "envelope-expired"),
        (r"^Domain does not exist", "hostunknown", "no-domain"),
        (r"^Invalid domain name", "hostunknown", "invalid-domain"),
        # a domain with no MX (and no usable address) accepts no mail at all (RFC 7505 spirit)
        (r"^No MX found for domain", "notaccept", "no-mx"),
        (r"^Network error on destination MXs", "networkerror", "network-error"),
        (r"^No valid route to (?:remote )?MX", "networkerror", "no-route"),
        (r"^Temporary failure in MX lookup", "networkerror", "mx-lookup"),
        (r"^Loop detected", "networkerror", "loop"),
        (r"^Destination seem to reject all mails", "blocked", "reject-all"),
    ))


def sniff(view: MessageView) -> bool:
    return _MARKER in view.body_text[:3000]


def decode(view: MessageView) -> list[Facts]:
    found = section(view.body_text.replace("\r\n", "\n"), _LIST_START, _LIST_END)
    if found is None:
        return []
    block = found[1]
    out = []
    for line in _LINE.finditer(block):
        words = line.group("text").strip()
        facts = facts_from_diagnostic(clean_address(line.group("addr")), words)
        apply_own_wording(facts, _OWN_ERRORS, words, NAME)
        # The reference analyser reports smtpd's code-less errors with a permanent pseudo status even
        # in a "delayed" notice; follow it so results stay comparable (the action still says delayed).
        facts.temporary = False
        facts.action = "delayed" if "delayed" in view.header("subject").lower() else "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
