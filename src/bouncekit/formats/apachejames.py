"""Apache James bounces (its Bounce mailet's template; Verizon's SMS gateway vtext.com sends them too):
the failure in James's own words, the remote reply under "Error message below:", and the envelope
under "Message details:":

    Error: Invalid user address

    Error message below:
    550 - Requested action not taken: no such user here

    Message details:
      Subject: Test message
      MAIL FROM: sender@example.org
      RCPT TO: user@example.com
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address
from .text import facts_from_diagnostic

NAME = "apachejames"

_BELOW_MARKER = "\nError message below:"
_DETAILS_MARKER = "\nMessage details:"
_BELOW = re.compile(r"^Error message below:[ \t]*\n(?P<reply>(?:[^\n]{1,1000}\n?){1,10}?)(?:[ \t]*\n|\Z)", re.MULTILINE)
_RCPT = re.compile(r"^[ \t]*RCPT TO:[ \t]*(?P<addr>[^\n]{1,320})$", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    head = view.body_text[:5000]
    return _BELOW_MARKER in head and _DETAILS_MARKER in head


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    below, rcpt = _BELOW.search(text), _RCPT.search(text)
    recipient = clean_address(rcpt.group("addr")) if rcpt else ""
    if below is None or not recipient:
        return []
    facts = facts_from_diagnostic(recipient, " ".join(below.group("reply").split()))
    facts.action = "failed"
    return [facts]
