"""Zoho Mail bounces (X-Mailer: Zoho Mail): plain text, one line per recipient with Zoho's label and
the remote reply split into "ERROR_CODE" fields:

    user@example.com Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <user@example.com>... User Unknown

Delay warnings list the recipients in brackets:

    [Status: Error, Address: <user@example.com>, ResponseCode 421, , Host not reachable.]

"Host not reachable" is Zoho's own: it never reached a server to answer it, and gave up.
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import ADDRESS, Facts, OwnWording, apply_own_wording, clean_address
from .text import facts_from_diagnostic

NAME = "zoho"

_LINE = re.compile(r"^[ \t]*<?(?P<addr>" + ADDRESS.pattern + r")>?[ \t]+(?P<label>[A-Za-z][\w ]{0,40}),[ \t]*"
                   r"ERROR_CODE[ \t]*:[ \t]*(?P<code>\d{3})?[ \t]*,[ \t]*"
                   r"ERROR_CODE[ \t]*:[ \t]*(?P<words>[^\n]{0,1000})$",
                   re.MULTILINE)
_DELAY = re.compile(r"^\[Status:[ \t]*(?P<label>[^,\n]{1,40}),[ \t]*Address:[ \t]*<(?P<addr>[^>\n]{1,320})>,[ \t]*"
                    r"ResponseCode[ \t]*(?P<code>\d{3})?[ \t]*,(?P<words>[^\n]{0,1000})\]$", re.MULTILINE)
_OWN_ERRORS: OwnWording = (
    (re.compile(r"^,?[ \t]*Host not reachable\.?$", re.I), "expired", "host-not-reachable"),
)
_DELAYED = re.compile(r"\bTHIS IS A WARNING MESSAGE ONLY\b|\bwill be retried\b", re.I)


def sniff(view: MessageView) -> bool:
    return view.header("x-mailer").strip().lower().startswith("zoho mail") or "x-zohomail" in view.headers


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    delayed = bool(_DELAYED.search(text[:3000]))
    out = []
    for m in sorted([*_LINE.finditer(text), *_DELAY.finditer(text)], key=lambda m: m.start()):
        words = m.group("words").strip()
        code = m.group("code") or ""
        facts = facts_from_diagnostic(clean_address(m.group("addr")), f"{code} {words}".strip())
        apply_own_wording(facts, _OWN_ERRORS, words, NAME, anchored=True)
        facts.action, facts.temporary = ("delayed", True) if delayed else ("failed", False)
        out.append(facts)
    return [f for f in out if f.recipient]
