"""Trend Micro InterScan Messaging Security Suite notices: a framed text part, then the message.

    *************************************************************
    Message from InterScan Messaging Security Suite
    Unable to deliver message to <user@example.jp> (and other recipients in the same domain).
    *************************************************************

or a session excerpt ("Sent <<< RCPT TO:<user@example.jp>" / "Received >>> 550 5.1.1 ...").
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address
from .text import facts_from_diagnostic

NAME = "interscanmss"

_BANNER = "InterScan Messaging Security Suite"
_UNABLE = re.compile(r"Unable to deliver message to <(?P<addr>[^>\n]{1,320})>(?P<rest>[^\n]{0,300})")
_SENT = re.compile(r"^Sent <<< (?P<cmd>[A-Z]{4})[^\n]{0,20}<(?P<addr>[^>\n]{1,320})>", re.MULTILINE)
_RECEIVED = re.compile(r"^Received >>> (?P<reply>[^\n]{1,2000})", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    return _BANNER in view.body_text[:3000] or _BANNER in view.header("received")


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    out = []
    for sent in _SENT.finditer(text):
        reply = _RECEIVED.search(text, sent.end())
        facts = facts_from_diagnostic(clean_address(sent.group("addr")), reply.group("reply") if reply else "")
        facts.smtp_command = sent.group("cmd")
        out.append(facts)
    if not out:
        for m in _UNABLE.finditer(text):
            facts = facts_from_diagnostic(clean_address(m.group("addr")), m.group(0))
            # InterScan's own wording when the next hop refused the address ("Please check if address
            # is correct."): it gives no reply, and means the recipient does not exist there.
            facts.reason, facts.evidence = "userunknown", f"format:{NAME}:unable-to-deliver"
            out.append(facts)
    for facts in out:
        facts.action = "failed"
    return [f for f in out if f.recipient]
