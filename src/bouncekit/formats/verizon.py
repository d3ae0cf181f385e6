"""Verizon Wireless bounces from its MMS centre (vzwpix.com), one recipient each. (Its SMS gateway,
vtext.com, sends Apache James bounces: see apachejames.py.)

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

_FROM = re.compile(r"@(?:[\w-]+\.)*vzwpix\.com\b", re.IGNORECASE)
_ERROR = re.compile(r"^Error:[ \t]*(?P<error>[^\n]{1,300})$", re.MULTILINE)
_ORIGINAL = re.compile(r"^Original Message:[ \t]*$", re.MULTILINE)
_TO = re.compile(r"^To:[ \t]*(?P<addr>[^\n]{1,1000})$", re.MULTILINE)
MAX_ORIGINAL_CHARS = 2000
# The MMS centre is the final destination and says itself that the number is not a subscriber's.
_NO_SUBSCRIBER = re.compile(r"^No valid recipients for this MM\b", re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    return bool(_FROM.search(view.header("from")))


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    error = _ERROR.search(text)
    original = _ORIGINAL.search(text)
    if error is None or original is None:
        return []
    to = _TO.search(text[original.end():original.end() + MAX_ORIGINAL_CHARS])
    recipient = clean_address(to.group("addr")) if to else ""
    if not recipient:
        return []
    diagnostic = error.group("error").strip()
    facts = facts_from_diagnostic(recipient, diagnostic)
    if _NO_SUBSCRIBER.match(diagnostic):
        facts.reason, facts.evidence = "userunknown", f"format:{NAME}:no-valid-recipients"
    facts.action = "failed"
    return [facts]
