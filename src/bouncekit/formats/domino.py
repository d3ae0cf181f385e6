"""IBM/HCL Domino bounces ("DELIVERY FAILURE: ..."): a short plain-text notice, often with an RFC 3464
part whose Diagnostic-Code has type X-Notes:

    Your message

      Subject: Hello

    was not delivered to:

      user@example.com

    because:

      User user (user@example.com) not listed in Domino Directory

The "because" text is Domino's own, in the language of the server; the directory wording decides.
"""

from __future__ import annotations

import re

from ..message import MessageView
from . import rfc3464
from .base import Facts, clean_address
from .text import facts_from_diagnostic

NAME = "domino"

_SUBJECT = re.compile(r"^DELIVERY (?:FAILURE|REPORT):", re.IGNORECASE)
_NOTICE = re.compile(r"^[ \t]*was not delivered to:[ \t]*\n(?P<rcpts>.{1,2000}?)^[ \t]*because:[ \t]*\n"
                     r"(?P<why>(?:[ \t]*\n)*(?:[^\n]{1,1000}\n?){1,6})", re.MULTILINE | re.DOTALL)
_ADDRESS_LINE = re.compile(r"^[ \t]*(\S{1,320}@\S{1,255})[ \t]*$", re.MULTILINE)

# Domino and its predecessor Notes say a recipient is not in the directory (English and the
# Japanese editions): the address does not exist there. Shared with the notes decoder.
NOT_IN_DIRECTORY = re.compile(
    r"\bnot listed in (?:the )?(?:Domino Directory|public Name & Address Book)"
    r"|Domino\s*ディレクトリには見つかりません|ディレクトリのリストにありません", re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    if _SUBJECT.match(view.header("subject")):
        return True
    head = view.body_text[:2000]
    return "was not delivered to:" in head and "because:" in head


def decode(view: MessageView) -> list[Facts]:
    text = view.body_text.replace("\r\n", "\n")
    notice = _NOTICE.search(text)
    if notice is None:
        return rfc3464.decode(view)
    why = " ".join(notice.group("why").split())
    dsn = {f.recipient: f for f in rfc3464.decode(view)}
    out = []
    for m in _ADDRESS_LINE.finditer(notice.group("rcpts")):
        facts = facts_from_diagnostic(clean_address(m.group(1)), why)
        structured = dsn.get(facts.recipient) or (next(iter(dsn.values())) if len(dsn) == 1 else None)
        if structured is not None:
            facts.status = structured.status or facts.status
            facts.diagnostic_type = structured.diagnostic_type
            facts.remote_mta = structured.remote_mta or facts.remote_mta
            facts.reporting_mta = structured.reporting_mta
        if NOT_IN_DIRECTORY.search(why):
            facts.reason, facts.evidence = "userunknown", f"format:{NAME}:not-in-directory"
        facts.action = "failed"
        out.append(facts)
    return [f for f in out if f.recipient] or rfc3464.decode(view)
