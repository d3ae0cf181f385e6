"""Yahoo! Mail bounces ("Failure Notice" from MAILER-DAEMON@yahoo.*): plain text, one block per
recipient, the remote reply either after "Remote host said:" with the SMTP stage in brackets, or
as "<code>: <reply>", or Yahoo's own words:

    Sorry, we were unable to deliver your message to the following address.

    <user@example.org>:
    Remote host said: 550 5.1.1 <user@example.org>... User Unknown [RCPT_TO]

    <other@example.net>:
    550: 5.2.2 <other@example.net>... Mailbox Full

    --- Below this line is a copy of the message.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, OwnWording, apply_own_wording, clean_address
from .text import error_text, facts_from_diagnostic

NAME = "yahoo"

_MARKER = "Sorry, we were unable to deliver your message to the following address"
_RECIPIENT = re.compile(r"^<(?P<addr>" + ADDRESS.pattern + r")>:[ \t]*$", re.MULTILINE)
_REMOTE_SAID = re.compile(r"^Remote host said:[ \t]*", re.IGNORECASE)
# "550: 5.2.2 ..." and "550: : User unknown": Yahoo glues a colon to the reply code. Only that colon
# goes; the reply's own text stays as it was (": User unknown" is KDDI's reply with the address left out).
_CODE_COLON = re.compile(r"^([2-5]\d\d):[ \t]*")
# "[RCPT_TO]": the SMTP stage whose reply this was.
_STAGE = re.compile(r"\[(?P<stage>RCPT_TO|MAIL_FROM|DATA|CONNECT|EHLO|HELO)\][ \t]*$")
_STAGE_COMMANDS = {"RCPT_TO": "RCPT", "MAIL_FROM": "MAIL", "DATA": "DATA", "CONNECT": "CONN",
                   "EHLO": "EHLO", "HELO": "HELO"}
# Yahoo's own words when there was no remote reply: (regex, reason, rule id).
_OWN_ERRORS: OwnWording = tuple(
    (re.compile(p, re.IGNORECASE), reason, rule) for p, reason, rule in (
        # a domain without MX accepts no mail (RFC 7505 spirit), as OpenSMTPD's "No MX found" too
        (r"^No mx record found for domain", "notaccept", "no-mx"),
    ))
MAX_BLOCK_LINES = 12


def sniff(view: MessageView) -> bool:
    return _MARKER in view.body_text[:5000]


def decode(view: MessageView) -> list[Facts]:
    text = error_text(view).replace("\r\n", "\n")
    anchors = list(_RECIPIENT.finditer(text))
    out = []
    for n, m in enumerate(anchors):
        end = anchors[n + 1].start() if n + 1 < len(anchors) else len(text)
        lines: list[str] = []
        for line in text[m.end():end].strip("\n").split("\n")[:MAX_BLOCK_LINES]:
            if not line.strip():
                break
            lines.append(line.strip())
        diagnostic = _CODE_COLON.sub(r"\1 ", _REMOTE_SAID.sub("", " ".join(lines)))
        stage = _STAGE.search(diagnostic)
        if stage is not None:
            diagnostic = diagnostic[:stage.start()].rstrip()
        facts = facts_from_diagnostic(clean_address(m.group("addr")), diagnostic)
        facts.action = "failed"
        if stage is not None:
            facts.smtp_command = _STAGE_COMMANDS[stage.group("stage")]
        apply_own_wording(facts, _OWN_ERRORS, diagnostic, "yahoo")
        out.append(facts)
    return [f for f in out if f.recipient]
