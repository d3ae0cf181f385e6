"""Gmail and Google Workspace bounces, from mailer-daemon@googlemail.com, in two layouts.

The older one is plain text:

    Delivery to the following recipient failed permanently:      (or "... has been delayed:")

         user@example.org

    Technical details of permanent failure:                      (or "... temporary failure:")
    Google tried to deliver your message, but it was rejected by the server for the recipient
    domain example.org by mx.example.org. [192.0.2.1].

    The error that the other server returned was:
    550 550 5.1.1 <user@example.org>... User Unknown (state 14).

    ----- Original message -----

The newer one is an RFC 3464 report whose human part is a headline ("** Address not found **")
and "The response was:" followed by the remote reply or Google's own words ("DNS Error: ...").
Its Status is often only 5.0.0 / 4.0.0 while the reply carries the precise code.
"""

from __future__ import annotations

import re

from ..message import MessageView
from ..reply import parse_reply
from . import rfc3464
from .base import ADDRESS, Facts, OwnWording, apply_own_wording, clean_address
from .text import error_text

NAME = "gmail"

_SENDERS = ("mailer-daemon@googlemail.com", "mailer-daemon@google.com", "mailer-daemon@gmail.com")
_RECIPIENTS_START = re.compile(
    r"^Delivery to the following recipients? (?:failed permanently|has been delayed|failed)[^\n]{0,40}:",
    re.MULTILINE | re.IGNORECASE)
_DETAILS = re.compile(r"^Technical details of (?P<kind>permanent|temporary) failure:[ \t]*$",
                      re.MULTILINE | re.IGNORECASE)
_REMOTE_SAID = re.compile(r"The error that the other server returned was:\s*", re.IGNORECASE)
_ADDRESS_LINE = re.compile(r"^[ \t]+(?P<addr>" + ADDRESS.pattern + r")[ \t]*$", re.MULTILINE)
# Gmail quotes the remote reply with its code twice: "550 550 5.1.1 <a@b>... User Unknown".
_DOUBLED_CODE = re.compile(r"^([2-5]\d\d)[ \t]+\1(?=[ \t])")
# "(state N)": the SMTP stage at which Gmail's client got the reply. A generic code (5.7.0, none)
# says nothing more, so the stage decides: 6 is the TLS negotiation, 18 the end of DATA (the
# content was refused). Other stages (13 MAIL, 14 RCPT) leave the decision to the reply's words.
_STATE = re.compile(r"\(state (\d{1,3})\)")
_STATE_REASONS = {"6": "systemerror", "18": "filtered"}
_GENERIC_STATUS = re.compile(r"^[45]\.(?:0\.0|7\.0|7\.1)$")

# Google's own words, written when there was no remote reply or above it: (regex, reason, rule id).
_OWN_ERRORS: OwnWording = tuple(
    (re.compile(p, re.IGNORECASE), reason, rule) for p, reason, rule in (
        # RFC 7505 null MX: the domain states that it accepts no mail
        (r"doesn't receive email according to the administrator|returned Null MX", "notaccept", "null-mx"),
        # Google reports DNS failures of the recipient domain with a 4.0.0 status: a lookup failure
        (r"^DNS Error:", "networkerror", "dns-error"),
        (r"did not accept our requests to connect", "expired", "no-connection"),
        (r"^Storage quota exceeded", "mailboxfull", "quota"),
        # Google Groups refusing a post for its spam score
        (r"rejected due to spam classification", "spamdetected", "group-spam"),
    ))
# The headline of the newer layout, deciding when the status says no more than "failed".
_HEADLINE_REASONS: OwnWording = (
    (re.compile(r"because the address couldn't be found", re.IGNORECASE), "userunknown", "address-not-found"),
    # Gmail's "Send mail as" relay for another address failed: the sender's own setup is at fault
    (re.compile(r"'Send mail as'|CustomFromDenied", re.IGNORECASE), "rejected", "send-mail-as"),
)
_RESPONSE = re.compile(r"^The response (?:from the remote server )?was:\s*", re.MULTILINE | re.IGNORECASE)
MAX_DIAGNOSTIC_CHARS = 2000


def sniff(view: MessageView) -> bool:
    sender = view.header("from").lower()
    return any(s in sender for s in _SENDERS)


def decode(view: MessageView) -> list[Facts]:
    if any(p.content_type.endswith("delivery-status") for p in view.reports):
        return _decode_report(view)
    return _decode_text(view)


def _own_reason(facts: Facts, text: str) -> None:
    """Let Google's fixed wording or the SMTP stage decide when the code does not."""
    if apply_own_wording(facts, _OWN_ERRORS, text, "gmail"):
        return
    state = _STATE.search(text)
    if state and state.group(1) in _STATE_REASONS and (not facts.status or _GENERIC_STATUS.match(facts.status)):
        facts.reason, facts.evidence = _STATE_REASONS[state.group(1)], f"format:gmail:state-{state.group(1)}"


def _decode_report(view: MessageView) -> list[Facts]:
    human = next((p.text for p in view.parts if p.content_type == "text/plain"), "")
    found = rfc3464.decode(view) or _facts_from_human(view, human)
    for facts in found:
        if facts.diagnostic_code:
            reply = parse_reply(facts.diagnostic_code)
            # "Status: 5.0.0" beside "550 #5.1.0 Address rejected.": the reply is the precise one
            if reply.status and (not facts.status or facts.status.endswith(".0.0")):
                facts.status = reply.status
            _own_reason(facts, facts.diagnostic_code)
        if not facts.reason and facts.status[1:] in ("", ".0.0", ".1.0"):
            # a status that says nothing more than "failed" or "address status": Google's headline decides
            apply_own_wording(facts, _HEADLINE_REASONS, human, "gmail")
    return found


def _facts_from_human(view: MessageView, human: str) -> list[Facts]:
    """A report whose delivery-status part came empty: the failed-recipient header and the reply."""
    response = _RESPONSE.search(human)
    diagnostic = " ".join(human[response.end():].split())[:MAX_DIAGNOSTIC_CHARS] if response else ""
    recipients = [clean_address(a) for a in view.header("x-failed-recipients").split(",")]
    return [Facts(recipient=r, action="failed", diagnostic_code=diagnostic) for r in recipients if r]


def _decode_text(view: MessageView) -> list[Facts]:
    text = error_text(view).replace("\r\n", "\n")
    start = _RECIPIENTS_START.search(text)
    if start is None:
        return []
    details = _DETAILS.search(text, start.end())
    listing = text[start.end():details.start() if details else len(text)]
    recipients = [clean_address(m.group("addr")) for m in _ADDRESS_LINE.finditer(listing)]
    explanation = text[details.end():].strip() if details else ""
    said = _REMOTE_SAID.search(explanation)
    diagnostic = " ".join((explanation[said.end():] if said else explanation).split())
    diagnostic = _DOUBLED_CODE.sub(r"\1", diagnostic)
    reply = parse_reply(diagnostic) if said else None
    out = []
    for recipient in filter(None, recipients):
        facts = Facts(recipient=recipient, status=reply.status if reply else "",
                      reply_code=reply.reply_code if reply else "",
                      diagnostic_code=diagnostic, diagnostic_type="SMTP" if said else "",
                      action="delayed" if "delayed" in start.group(0).lower() else "failed",
                      temporary=details.group("kind").lower() == "temporary" if details else None)
        _own_reason(facts, diagnostic)
        if not diagnostic and facts.action == "delayed":
            # "Message will be retried for 2 more day(s)" with nothing else: still undelivered
            facts.reason, facts.evidence = "expired", "format:gmail:delayed"
        out.append(facts)
    return out
