"""Verizon Wireless bounces from its SMS/MMS gateways (vtext.com, vzwpix.com), one recipient each.

The SMS gateway quotes the remote reply and lists the envelope under "Message details:":

    Error: Invalid user address

    Error message below:
    550 - Requested action not taken: no such user here

    Message details:
      RCPT TO: 5555550100@vtext.com

The MMS centre (MMSC) says only why, and names the recipient in the copy of the headers:

    Message could not be delivered to mobile.
    Error: No valid recipients for this MM

    Original Message:
    To: 5555550100@vzwpix.com
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address
from .text import facts_from_diagnostic

NAME = "verizon"

_FROM = re.compile(r"@(?:[\w-]+\.)*(?:vtext|vzwpix)\.com\b", re.IGNORECASE)
_ERROR = re.compile(r"^Error:[ \t]*(?P<error>[^\n]{1,300})$", re.MULTILINE)
_BELOW = re.compile(r"^Error message below:[ \t]*\n(?P<reply>(?:[^\n]{1,1000}\n?){1,10}?)(?:[ \t]*\n|\Z)", re.MULTILINE)
_RCPT = re.compile(r"^[ \t]*RCPT TO:[ \t]*(?P<addr>[^\n]{1,320})$", re.MULTILINE)
_ORIGINAL = re.compile(r"^Original Message:[ \t]*$", re.MULTILINE)
_TO = re.compile(r"^To:[ \t]*(?P<addr>[^\n]{1,1000})$", re.MULTILINE)
MAX_ORIGINAL_CHARS = 2000
# The MMS centre is the final destination and says itself that the number is not a subscriber's.
_NO_SUBSCRIBER = re.compile(r"^No valid recipients for this MM\b", re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    return bool(_FROM.search(view.header("from")))


def _text(view: MessageView) -> str:
    # The SMS gateway's nested multipart/alternative has a broken boundary parameter, so its text
    # arrives as one leaf typed multipart/*: read every leaf that is not the returned message.
    return "\n".join(p.text for p in view.parts
                     if p.content_type.startswith(("text/", "multipart/"))).replace("\r\n", "\n")


def decode(view: MessageView) -> list[Facts]:
    text = _text(view)
    error = _ERROR.search(text)
    if error is None:
        return []
    below = _BELOW.search(text)
    diagnostic = " ".join(below.group("reply").split()) if below else error.group("error").strip()
    rcpt = _RCPT.search(text)
    recipient = clean_address(rcpt.group("addr")) if rcpt else ""
    if not recipient:
        original = _ORIGINAL.search(text)
        to = _TO.search(text[original.end():original.end() + MAX_ORIGINAL_CHARS]) if original else None
        recipient = clean_address(to.group("addr")) if to else ""
    if not recipient:
        return []
    facts = facts_from_diagnostic(recipient, diagnostic)
    if below is None and _NO_SUBSCRIBER.match(diagnostic):
        facts.reason, facts.evidence = "userunknown", f"format:{NAME}:no-valid-recipients"
    facts.action = "failed"
    return [facts]
