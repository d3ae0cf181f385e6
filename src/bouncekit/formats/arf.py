"""RFC 5965 Abuse Reporting Format: multipart/report; report-type=feedback-report, whose
message/feedback-report part names the Feedback-Type and, often, the original recipient."""

from __future__ import annotations

from ..message import MessageView
from .base import Facts, clean_address, original_headers, read_fields

NAME = "arf"


def sniff(view: MessageView) -> bool:
    return any(p.content_type == "message/feedback-report" for p in view.reports) or (
        "feedback-report" in view.header("content-type").lower())


def decode(view: MessageView) -> list[Facts]:
    report = next((p.text for p in view.reports if p.content_type == "message/feedback-report"), "")
    if not report:  # some providers send the report fields as text/plain
        report = next((p.text for p in view.parts if "Feedback-Type:" in p.text), "")
    fields = read_fields(report.replace("\r\n", "\n").strip())
    original = original_headers(view)
    recipient = (clean_address(fields.get("original-rcpt-to", ""))
                 or clean_address(fields.get("removal-recipient", ""))
                 or clean_address(original.get("to", ""))
                 or clean_address(view.header("to")))
    if not recipient:
        return []
    feedback_type = fields.get("feedback-type", "abuse").split()[0].lower() if fields.get("feedback-type") else "abuse"
    return [Facts(recipient=recipient, reason="feedback", evidence="format:arf", feedback_type=feedback_type,
                  reporting_mta=fields.get("reporting-mta", "").partition(";")[2].strip(),
                  timestamp=fields.get("arrival-date", "") or fields.get("received-date", ""))]
