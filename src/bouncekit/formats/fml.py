"""fml, the Japanese mailing-list manager: it answers a post it refuses with a notice of its own,
sent from the list's admin address and marked with an ``X-MLServer: fml ...`` header.

    Subject: You sender@example.org are not member (neko ML)
    X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]

    You are not a member of this mailing list <neko@example.org>.

The refused "recipient" is the list itself; fml's fixed wording says why it refused.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, clean_address

NAME = "fml"
PRIORITY = 30

# fml's own notices (fml 4 messages catalogue) and what they mean for the poster.
_NOTICES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"\bare not (?:a )?member", re.I), "rejected", "not-a-member"),
    (re.compile(r"\bloop alert|\bduplicated message-id", re.I), "systemerror", "loop-alert"),
    (re.compile(r"\b(?:mail|message) (?:size )?(?:is )?too (?:big|large)", re.I), "mesgtoobig", "too-big"),
)
_LIST_ADDRESS = re.compile(r"mailing list <(?P<addr>" + ADDRESS.pattern + r")>|(?P<alone>" + ADDRESS.pattern + r")",
                           re.I)


def sniff(view: MessageView) -> bool:
    return view.header("x-mlserver").lower().startswith("fml")


def decode(view: MessageView) -> list[Facts]:
    text = f"{view.header('subject')}\n{view.body_text[:4000]}"
    for pattern, reason, rule in _NOTICES:
        if pattern.search(text):
            m = _LIST_ADDRESS.search(view.body_text[:4000])
            recipient = clean_address(m.group(0)) if m else ""
            recipient = recipient or clean_address(view.header("from"))
            if not recipient:
                return []
            first_line = next((line.strip() for line in view.body_text.splitlines() if line.strip()), "")
            return [Facts(recipient=recipient, reason=reason, evidence=f"format:{NAME}:{rule}",
                          diagnostic_code=first_line[:500], action="failed")]
    return []
