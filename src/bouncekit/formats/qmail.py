"""qmail-send bounces ("failure notice"): plain text, one block per recipient.

    Hi. This is the qmail-send program at mx.example.org.
    I'm afraid I wasn't able to deliver your message to the following addresses.
    This is a permanent error; I've given up. Sorry it didn't work out.

    <user@example.com>:
    192.0.2.1 does not like recipient.
    Remote host said: 550 5.1.1 <user@example.com>... User Unknown
    Giving up on 192.0.2.1.

    --- Below this line is a copy of the message.

The first line of a block is qmail's own account of where the SMTP dialogue stopped ("does not like
recipient", "but sender was rejected", "failed after I sent the message"); the remote reply follows
"Remote host said:". Without a remote reply the block holds qmail's own error (qmail-remote.c,
qmail-local.c, and the qmail-ldap and vpopmail add-ons), often ending in "(#5.x.y)".
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, OwnWording, apply_own_wording, clean_address
from .text import facts_from_diagnostic

NAME = "qmail"

_BANNER = re.compile(r"\bThis is the qmail-send program at\b|\bqmail-send\b.{0,40}\bdeliver", re.IGNORECASE)
_END = re.compile(r"^-{2,} (?:Below this line is|Enclosed (?:is|are)|Partial message is)", re.MULTILINE)
# "<user@example.com>:" alone at the start of a line opens a recipient's block.
_RECIPIENT = re.compile(r"^<([^>\n]{1,320})>:[ \t]*$", re.MULTILINE)
MAX_BLOCK_CHARS = 4000

# qmail-remote's account of the stage the dialogue reached (qmail-remote.c), so the command the
# remote reply answered.
_STAGES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bbut my name was rejected\b", re.I), "HELO"),
    (re.compile(r"\bbut sender was rejected\b", re.I), "MAIL"),
    (re.compile(r"\bdoes not like recipient\b", re.I), "RCPT"),
    (re.compile(r"\bfailed on DATA command\b", re.I), "DATA"),
    (re.compile(r"\bfailed after I sent the message\b", re.I), "DATA"),
    (re.compile(r"\bmost progress was RCPT TO response\b", re.I), "RCPT"),
    (re.compile(r"\bmost progress was MAIL FROM response\b", re.I), "MAIL"),
)

# qmail's own errors, when no remote server answered: (regex, reason, rule id). qmail-remote calls a
# domain without MX and A records a domain that accepts no mail; "any host named" is a bad name.
_OWN_ERRORS: OwnWording = (
    (re.compile(r"\bSorry, I couldn't find a mail exchanger or IP address\b", re.I), "notaccept", "no-mx"),
    (re.compile(r"\bSorry, I couldn't find any host (?:named|by that name)\b", re.I), "hostunknown", "no-host"),
    (re.compile(r"\bSorry, no mailbox here by that name\b", re.I), "userunknown", "no-mailbox"),
    (re.compile(r"\bUnable to (?:contact|connect to) LDAP server\b", re.I), "systemerror", "ldap"),
    (re.compile(r"\bThis message is looping\b", re.I), "networkerror", "looping"),
)
_REMOTE_SAID = re.compile(r"\bRemote host said:|\bremote host \S{1,255} said:", re.I)
# "I'm not going to try again; this message has been in the queue too long." (qmail-send.c) and
# "Giving up on 192.0.2.1." are qmail's notes on its retries, not part of the failure.
_GAVE_UP = re.compile(r"I'm not going to try again;\s+this\s+message has been in the queue too long\.?", re.I)
_GIVING_UP_ON = re.compile(r"^Giving up on \S{1,255}[ \t]*$", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    # cheap: both banners name qmail-send
    if view.head_folded and view.head_folded.find("qmail-send", 0, 1500) < 0:
        return False
    return bool(_BANNER.search(view.body_text[:1500]))


def _blocks(text: str) -> list[tuple[str, str]]:
    anchors = list(_RECIPIENT.finditer(text))
    out = []
    for n, m in enumerate(anchors):
        end = anchors[n + 1].start() if n + 1 < len(anchors) else len(text)
        out.append((clean_address(m.group(1)), text[m.end():min(end, m.end() + MAX_BLOCK_CHARS)].strip()))
    return [(address, block) for address, block in out if address]


def _facts(recipient: str, block: str) -> Facts:
    gave_up = _GAVE_UP.search(block) is not None
    block = _GIVING_UP_ON.sub("", _GAVE_UP.sub("", block)).strip()
    said = _REMOTE_SAID.search(block)
    facts = facts_from_diagnostic(recipient, block[said.end():] if said else block)
    facts.diagnostic_code = " ".join(block.split())
    for pattern, command in _STAGES:
        if pattern.search(block):
            facts.smtp_command = command
            break
    if facts.smtp_command == "HELO":
        # qmail says the remote refused its own host name: the sending host is refused (REASONS.md
        # "blocked"), whatever the reply code (often 501, which alone would read as a syntax error).
        facts.reason, facts.evidence = "blocked", f"format:{NAME}:helo-rejected"
    elif said is None and not apply_own_wording(facts, _OWN_ERRORS, block, NAME) and gave_up and not facts.status:
        facts.reason, facts.evidence = "expired", f"format:{NAME}:queue-too-long"
    return facts


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    end = _END.search(text)
    if end is not None:
        text = text[:end.start()]
    # qmail-send writes this notice only when it has given up: it is never a delay warning.
    out = [_facts(recipient, block) for recipient, block in _blocks(text)]
    for facts in out:
        facts.action, facts.temporary = "failed", False
    return out
