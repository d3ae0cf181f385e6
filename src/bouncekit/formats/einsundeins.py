"""1&1 / IONOS (kundenserver.de, "Mail Delivery System") bounces: Exim-like plain text, in one of two
layouts, followed by "--- The header of the original message is following. ---":

    The following address failed:

    user@example.org

    For the following reason:

    Mail size limit exceeded. For explanation visit ...

or, with the remote server's reply (1&1 calls the message body the TEXT command):

    The following address(es) failed:

    user@example.fr:
    SMTP error from remote server for TEXT command, host: mx.example.fr (192.0.2.1) reason: 550 5.2.0 ...
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "einsundeins"

_FROM = re.compile(r"\bmailer-daemon@(?:[\w-]+\.)*(?:kundenserver\.de|1and1\.\w{2,6}|ionos\.\w{2,6})\b", re.I)
# The sentence may wrap: "This is a permanent error. The following address(es)\nfailed:"
_FAILED = re.compile(r"\bThe following address(?:\(es\)|es)?[ \t]*\n?[ \t]*failed:[ \t]*$", re.MULTILINE)
_END = re.compile(r"^-{3} The header of the original message is following\. -{3}", re.MULTILINE)
_ADDRESS_LINE = re.compile(r"^[ \t]*<?(?P<addr>" + ADDRESS.pattern + r")>?:?[ \t]*$", re.MULTILINE)
_REASON = re.compile(r"^For the following reason:[ \t]*$", re.MULTILINE)
# "SMTP error from remote server for TEXT command, host: mx.example.fr (192.0.2.1) reason: 550 ..."
_REMOTE = re.compile(r"\bSMTP error from remote server (?:for|after) (?P<cmd>[A-Z]{4}) command,[ \t]*"
                     r"host:[ \t]*(?P<host>[\w.-]{1,255})[^\n]{0,80}?\breason:[ \t]*", re.I)
_COMMANDS = {"TEXT": "DATA", "DATA": "DATA", "RCPT": "RCPT", "MAIL": "MAIL", "HELO": "HELO", "EHLO": "EHLO"}
MAX_SECTION_CHARS = 4000


def sniff(view: MessageView) -> bool:
    # The closing marker is 1&1's own wording; the sender domain alone may be a customer's relay.
    head = view.body_text[:6000]
    if "failed:" not in head:  # cheap: _FAILED needs it (case-sensitive)
        return False
    return bool(_FAILED.search(head)) and bool(_FROM.search(view.header("from")) or _END.search(head))


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    start = _FAILED.search(text)
    if start is None:
        return []
    end = _END.search(text, start.end())
    section = text[start.end():end.start() if end else start.end() + MAX_SECTION_CHARS]
    reason = _REASON.search(section)
    anchors = list(_ADDRESS_LINE.finditer(section, 0, reason.start() if reason else len(section)))
    out = []
    for n, m in enumerate(anchors):
        if reason is not None:
            block = section[reason.end():]
        else:
            block = section[m.end():anchors[n + 1].start() if n + 1 < len(anchors) else len(section)]
        remote = _REMOTE.search(block)
        diagnostic = block[remote.end():] if remote else block
        facts = facts_from_diagnostic(clean_address(m.group("addr")), " ".join(diagnostic.split()))
        if remote is not None:
            facts.smtp_command = _COMMANDS.get(remote.group("cmd").upper(), facts.smtp_command)
            facts.remote_mta = remote.group("host")
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient]
