"""Feedback reports (complaints, opt-outs), reported with reason ``feedback``:

- RFC 5965 Abuse Reporting Format: multipart/report; report-type=feedback-report, whose
  message/feedback-report part names the Feedback-Type and the original recipients
  (``Original-Rcpt-To``, which RFC 5965 s3.2 lets appear once per recipient).
- Microsoft's Junk Mail Reporting Program (JMRP, Outlook.com/Hotmail): no report part, only the
  complained-about message attached, which carries ``X-HmXmrOriginalRecipient: <the complainer>``.
- Apple Mail's one-click unsubscribe: a plain message from the recipient to the list's
  List-Unsubscribe mailto address, marked ``X-Apple-Unsubscribe: true`` (an opt-out).
"""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address, original_headers, read_fields

NAME = "arf"

# Headers repeat in a report; the first few hundred recipients are plenty for one complaint.
MAX_RECIPIENTS = 500
_RCPT_FIELD = re.compile(r"^(original-rcpt-to|removal-recipient):[ \t]*(\S[^\n]{0,998})$", re.IGNORECASE | re.MULTILINE)
_JMRP_HEADER = "x-hmxmroriginalrecipient"
# Hotmail puts its header at the top of the attached message; sniffing only the head keeps it cheap.
JMRP_SNIFF_CHARS = 16 * 1024


def _is_jmrp(view: MessageView) -> bool:
    return not view.reports and _JMRP_HEADER in view.original[:JMRP_SNIFF_CHARS].lower()


def _is_apple_unsubscribe(view: MessageView) -> bool:
    return view.header("x-apple-unsubscribe").strip().lower() == "true"


def sniff(view: MessageView) -> bool:
    return (any(p.content_type == "message/feedback-report" for p in view.reports)
            or "feedback-report" in view.header("content-type").lower()
            or _is_jmrp(view) or _is_apple_unsubscribe(view))


def _report_recipients(report: str) -> list[str]:
    """Every Original-Rcpt-To (or, lacking those, Removal-Recipient) address, in report order."""
    by_field: dict[str, list[str]] = {"original-rcpt-to": [], "removal-recipient": []}
    for m in _RCPT_FIELD.finditer(report):
        address = clean_address(m.group(2))
        found = by_field[m.group(1).lower()]
        if address and address not in found and len(found) < MAX_RECIPIENTS:
            found.append(address)
    return by_field["original-rcpt-to"] or by_field["removal-recipient"]


def _decode_report(view: MessageView) -> list[Facts]:
    report = next((p.text for p in view.reports if p.content_type == "message/feedback-report"), "")
    if not report:  # some providers send the report fields as text/plain
        report = next((p.text for p in view.parts if "Feedback-Type:" in p.text), "")
    report = report.replace("\r\n", "\n").strip()
    fields = read_fields(report)
    original = original_headers(view)
    fallback = clean_address(original.get("to", "")) or clean_address(view.header("to"))
    recipients = _report_recipients(report) or ([fallback] if fallback else [])
    feedback_type = (fields.get("feedback-type", "").split() or ["abuse"])[0].lower()
    reporting_mta = fields.get("reporting-mta", "").partition(";")[2].strip()
    timestamp = fields.get("arrival-date", "") or fields.get("received-date", "")
    return [Facts(recipient=r, reason="feedback", evidence="format:arf", feedback_type=feedback_type,
                  reporting_mta=reporting_mta, timestamp=timestamp) for r in recipients]


def decode(view: MessageView) -> list[Facts]:
    if _is_jmrp(view):
        recipient = clean_address(original_headers(view).get(_JMRP_HEADER, ""))
        return [Facts(recipient=recipient, reason="feedback", evidence="format:arf:jmrp",
                      feedback_type="abuse")] if recipient else []
    if _is_apple_unsubscribe(view) and not view.reports:
        recipient = clean_address(view.header("from"))
        return [Facts(recipient=recipient, reason="feedback", evidence="format:arf:apple-unsubscribe",
                      feedback_type="opt-out")] if recipient else []
    return _decode_report(view)
