"""Amazon SES and Amazon WorkMail bounces (MAILER-DAEMON@*.amazonses.com), and the SES event
notifications that Amazon SNS mails as JSON (no-reply@sns.amazonaws.com).

SES writes an RFC 3464 report whose Diagnostic-Code wraps the remote reply in its own words:

    Diagnostic-Code: smtp; 5.1.0 - Unknown address error 550-'5.2.2 <u@example.org>... Mailbox Full'
    Diagnostic-Code: smtp; 554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 ...>

WorkMail pastes the same fields into its text part after "Technical report:". SNS notifications
carry {"notificationType": "Bounce" | "Complaint" | "Delivery", ...}, sometimes wrapped in an SNS
envelope whose "Message" is that JSON as a string.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..message import MessageView
from ..reply import parse_reply
from . import rfc3464
from .base import Facts, clean_address

NAME = "amazonses"

_SENDER_DOMAINS = ("amazonses.com", "sns.amazonaws.com")
_TECHNICAL_REPORT = re.compile(r"^Technical report:[ \t]*$", re.MULTILINE)
# "5.1.0 - Unknown address error 550-'5.2.2 <a@b>... Mailbox Full' (delivery attempts: 0)"
_WRAPPED = re.compile(
    r"^(?P<status>[245]\.\d{1,3}\.\d{1,3}) - [^']{0,200}?(?P<code>[2-5]\d\d)-'(?P<reply>[^']{0,2000})'")
# "Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>"
_EXPIRED = re.compile(r"Message expired: [^<]{0,200}<(?P<reply>[^>]{1,2000})>")
# JSON bodies are small (a few KB); a bound keeps a hostile one from costing more.
MAX_JSON_CHARS = 256 * 1024
# Lines over the RFC 5322 s2.1.1 limit of 998 characters arrive broken by a relay as "!" + newline +
# space (Sendmail's way); the JSON must be mended before it can be read.
_BROKEN_LINE = re.compile(r"!\r?\n ")


def sniff(view: MessageView) -> bool:
    sender = view.header("from").lower()
    return any(d in sender for d in _SENDER_DOMAINS)


def decode(view: MessageView) -> list[Facts]:
    found = rfc3464.decode(view) or _decode_technical_report(view)
    if found:
        for facts in found:
            _unwrap(facts)
        return found
    return _decode_notification(view)


def _decode_technical_report(view: MessageView) -> list[Facts]:
    for part in view.parts:
        if part.content_type != "text/plain":
            continue
        m = _TECHNICAL_REPORT.search(part.text)
        if m is not None:
            per_message, blocks = rfc3464.read_delivery_status(part.text[m.end():])
            return [f for f in (rfc3464.facts_from_fields(per_message, b) for b in blocks) if f.recipient]
    return []


def _unwrap(facts: Facts) -> None:
    """Take the remote server's reply out of SES's own wording around it."""
    wrapped = _WRAPPED.match(facts.diagnostic_code)
    if wrapped is not None:
        reply = parse_reply(wrapped.group("reply"))
        facts.status = reply.status or wrapped.group("status")
        facts.reply_code = wrapped.group("code")
        facts.diagnostic_code = wrapped.group("reply")
        return
    expired = _EXPIRED.search(facts.diagnostic_code)
    if expired is not None:
        # SES gave up; the bracketed reply is the last attempt's, the precise cause
        reply = parse_reply(expired.group("reply"))
        facts.status = reply.status or facts.status
        facts.reply_code = reply.reply_code
        facts.diagnostic_code = expired.group("reply")
        facts.reason, facts.evidence = "expired", "format:amazonses:message-expired"


def _notification(text: str) -> dict[str, Any]:
    start = text.find("{")
    if start < 0:
        return {}
    reader = json.JSONDecoder(strict=False)  # strict=False: raw line breaks inside strings
    try:
        body, _ = reader.raw_decode(_BROKEN_LINE.sub("", text[start:start + MAX_JSON_CHARS]))
    except ValueError:
        return {}
    if isinstance(body, dict) and isinstance(body.get("Message"), str):  # the SNS envelope
        try:
            body, _ = reader.raw_decode(_BROKEN_LINE.sub("", body["Message"][:MAX_JSON_CHARS]))
        except ValueError:
            return {}
    return body if isinstance(body, dict) and "notificationType" in body else {}


def _decode_notification(view: MessageView) -> list[Facts]:
    text = next((p.text for p in view.parts if p.content_type == "text/plain" and "notificationType" in p.text), "")
    body = _notification(text)
    kind = str(body.get("notificationType", "")).lower()
    event = body.get(kind)
    if not isinstance(event, dict):
        return []
    if kind == "bounce":
        return [_bounced(r, event) for r in event.get("bouncedRecipients", []) if isinstance(r, dict)]
    if kind == "complaint":
        feedback_type = str(event.get("complaintFeedbackType") or "abuse").lower()
        return [Facts(recipient=clean_address(str(r.get("emailAddress", ""))), reason="feedback",
                      evidence="format:amazonses:complaint", feedback_type=feedback_type,
                      timestamp=str(event.get("timestamp", "")))
                for r in event.get("complainedRecipients", []) if isinstance(r, dict)]
    if kind == "delivery":
        reply = parse_reply(str(event.get("smtpResponse", "")))
        return [Facts(recipient=clean_address(str(r)), action="delivered", status=reply.status,
                      reply_code=reply.reply_code, diagnostic_code=str(event.get("smtpResponse", "")),
                      reporting_mta=str(event.get("reportingMTA", "")))
                for r in event.get("recipients", [])]
    return []


def _bounced(recipient: dict[str, Any], event: dict[str, Any]) -> Facts:
    diag_type, _, diagnostic = str(recipient.get("diagnosticCode", "")).rpartition(";")
    return Facts(recipient=clean_address(str(recipient.get("emailAddress", ""))),
                 action=str(recipient.get("action", "failed")).lower(), status=str(recipient.get("status", "")),
                 diagnostic_code=diagnostic.strip(), diagnostic_type=diag_type.strip().upper(),
                 reporting_mta=str(event.get("reportingMTA", "")).partition(";")[2].strip(),
                 temporary=str(event.get("bounceType", "")) == "Transient")
