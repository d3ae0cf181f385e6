"""m-FILTER (Digital Arts' mail gateway) bounces: a Japanese notice, the failed addresses one per line,
then sections opened by a row of dashes and a name - the remote server's reply and the SMTP command
it answered:

    (Japanese: this mail could not be sent to the following address)
    user@example.org

    -------server message
    550 5.1.1 <user@example.org>: Recipient address rejected: User unknown

    -------SMTP command
    DATA

    -------original message
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "mfilter"

_SERVER = "-------server message"
_SECTION = re.compile(r"^-------(?P<name>[A-Za-z][A-Za-z ]*)[ \t]*$", re.MULTILINE)
# the command section holds the bare command ("DATA", "RCPT TO:<a@b>"), named as the records name it
_COMMAND = re.compile(r"(?P<cmd>HELO|EHLO|MAIL|RCPT|DATA)\b", re.IGNORECASE)
_ADDRESS_LINE = re.compile(r"^[ \t]*<?(?P<addr>" + ADDRESS.pattern + r")>?[ \t]*$", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    return _SERVER in view.body_text[:5000]


def _sections(text: str) -> dict[str, str]:
    """Each dashed section's text by its lower-cased name; the text before the first is under ''."""
    marks = list(_SECTION.finditer(text))
    found = {"": text[:marks[0].start()] if marks else text}
    for n, m in enumerate(marks):
        end = marks[n + 1].start() if n + 1 < len(marks) else len(text)
        found.setdefault(m.group("name").strip().lower(), text[m.end():end].strip())
    return found


def decode(view: MessageView) -> list[Facts]:
    sections = _sections(view.body_text.replace("\r\n", "\n"))
    reply = " ".join(sections.get("server message", "").split())
    command = _COMMAND.match(sections.get("smtp command", ""))
    out = []
    for line in _ADDRESS_LINE.finditer(sections[""]):
        facts = facts_from_diagnostic(clean_address(line.group("addr")), reply)
        facts.action = "failed"
        if command is not None:
            facts.smtp_command = command.group("cmd").upper()
        out.append(facts)
    return [f for f in out if f.recipient]
