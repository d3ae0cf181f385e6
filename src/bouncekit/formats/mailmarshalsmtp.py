"""Trustwave (Marshal) MailMarshal SMTP "Undeliverable Mail" notices: the reason, then the recipients.

    Your message:
       From:    sender@example.com
       Subject: Hello

    Could not be delivered because of

    550 5.1.1 User unknown

    The following recipients were affected:
        user@example.com

    Additional Information
    ======================
    Original Sender:    <sender@example.com>
    Remote-MTA:         <192.0.2.2>
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address
from .text import facts_from_diagnostic

NAME = "mailmarshalsmtp"

_BECAUSE = re.compile(r"^Could not be delivered because of[ \t]*$", re.MULTILINE | re.IGNORECASE)
_AFFECTED = re.compile(r"^The following recipients were affected:[ \t]*$", re.MULTILINE | re.IGNORECASE)
_RECIPIENT = re.compile(r"^[ \t]+(?P<addr>" + ADDRESS.pattern + r")[ \t]*$")
_REMOTE_MTA = re.compile(r"^Remote-MTA:[ \t]*<(?P<host>[^>\n]{1,255})>", re.MULTILINE)


def sniff(view: MessageView) -> bool:
    if view.head_folded and view.head_folded.find("could not be delivered because of", 0, 4000) < 0:
        return False  # cheap: _BECAUSE needs it
    text = view.body_text[:4000]
    return _BECAUSE.search(text) is not None and _AFFECTED.search(text) is not None


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    because, affected = _BECAUSE.search(text), _AFFECTED.search(text)
    if because is None or affected is None or affected.start() < because.end():
        return []
    diagnostic = text[because.end():affected.start()].strip()
    remote = _REMOTE_MTA.search(text, affected.end())
    out: list[Facts] = []
    for line in text[affected.end():affected.end() + 20000].split("\n")[1:]:
        if not line.strip():
            if out:
                break
            continue
        m = _RECIPIENT.match(line)
        if m is None:
            break
        facts = facts_from_diagnostic(clean_address(m.group("addr")), diagnostic)
        facts.remote_mta = remote.group("host") if remote else facts.remote_mta
        facts.action = "failed"
        out.append(facts)
    return out
