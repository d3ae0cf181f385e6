"""DragonFly Mail Agent (dma) bounces: plain text, one recipient per message.

    This is the DragonFly Mail Agent v0.13 at df.example.jp.

    There was an error delivering your mail to <user@example.org>.

    mx.example.org [192.0.2.25] did not like our RCPT TO:
    550 5.1.1 <user@example.org>: Recipient address rejected: User unknown

    Message headers follow.            (or "Original message follows.")

dma's own errors replace the host line: "DNS lookup failure: host example.org not found",
"Could not deliver for the last 432000 seconds. Giving up."
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, OwnWording, apply_own_wording, clean_address
from .text import facts_from_diagnostic

NAME = "dragonfly"

_BANNER = "This is the DragonFly Mail Agent"
_RECIPIENT = re.compile(r"^There was an error delivering your mail to <([^>\n]{1,320})>", re.MULTILINE)
_END = re.compile(r"^(?:Message headers follow|Original message follows)\.?[ \t]*$", re.MULTILINE)
# "<host> [<address>] did not like our <command>:" (dma net.c); the command names are dma's own.
_REMOTE = re.compile(r"^(?P<host>[\w.-]{1,255}) \[[^\]\n]{0,64}\] did not like our (?P<cmd>[A-Za-z ]{2,20}):",
                     re.MULTILINE)
_COMMANDS = {"final data": "DATA", "data": "DATA", "rcpt to": "RCPT", "mail from": "MAIL", "ehlo": "EHLO",
             "helo": "HELO", "auth": "AUTH", "starttls": "STARTTLS"}
# dma's fixed wording when it never got a reply: (regex, reason, rule id).
_OWN_ERRORS: OwnWording = (
    (re.compile(r"^DNS lookup failure: host \S{1,255} not found", re.MULTILINE), "hostunknown", "dns-lookup"),
    (re.compile(r"^Could not deliver for the last \d{1,12} seconds\. Giving up\.", re.MULTILINE), "expired",
     "giving-up"),
)


def sniff(view: MessageView) -> bool:
    return _BANNER in view.body_text[:2000]


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    found = _RECIPIENT.search(text)
    if found is None:
        return []
    recipient = clean_address(found.group(1))
    end = _END.search(text, found.end())
    error = text[found.end():end.start() if end else found.end() + 4000].strip().strip(".").strip()
    remote = _REMOTE.search(error)
    if remote is not None:
        facts = facts_from_diagnostic(recipient, error[remote.end():])
        facts.smtp_command = _COMMANDS.get(remote.group("cmd").strip().lower(), facts.smtp_command)
        facts.remote_mta = remote.group("host")
    else:
        facts = facts_from_diagnostic(recipient, error)
        apply_own_wording(facts, _OWN_ERRORS, error, NAME)
    # dma sends this notice only when it has given up on the message: it is never a delay warning.
    facts.action, facts.temporary = "failed", False
    return [facts] if facts.recipient else []
