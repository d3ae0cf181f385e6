"""An unnamed MTA's "There was an error sending your mail" notice (Sisimai's Lhost::X6): one line per
failed recipient after "N error(s):", the remote reply in square brackets.

    We had trouble delivering your message. Full details follow:
    ...
    1 error(s):

    SMTP Server <mx.example.org> rejected recipient <user@example.org> (Error following RCPT command).
    It responded as follows: [550 5.1.1 User unknown]
    The following recipients returned permanent errors: user@example.org. Reason: SMTP Server
    <192.0.2.1> refused to accept your message (DATA), with the following error message: [554 ...]
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "x6"

_BANNER = "We had trouble delivering your message. Full details follow:"
_ERRORS = re.compile(r"^\d{1,5} error\(s\):[ \t]*$", re.MULTILINE)
_RECIPIENT = re.compile(r"(?:rejected recipient <|returned (?:permanent|temporary) errors: )(?P<addr>" + ADDRESS.pattern
                        + r")")
_COMMAND = re.compile(r"\((?:Error following )?(?P<cmd>MAIL|RCPT|DATA|EHLO|HELO)(?: command)?\)")
_REPLY = re.compile(r"\[(?P<reply>[245]\d\d[^\]\n]{0,1000})\]")


def sniff(view: MessageView) -> bool:
    return _BANNER in view.body_text[:2000]


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    start = _ERRORS.search(text)
    if start is None:
        return []
    out = []
    for line in text[start.end():start.end() + 20000].split("\n"):
        recipient = _RECIPIENT.search(line)
        if recipient is None:
            continue
        reply = _REPLY.search(line)
        facts = facts_from_diagnostic(clean_address(recipient.group("addr")), reply.group("reply") if reply else line)
        command = _COMMAND.search(line)
        if command is not None:
            facts.smtp_command = command.group("cmd")
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
