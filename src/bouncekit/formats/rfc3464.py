"""RFC 3464 delivery status notifications: a message/delivery-status part (RFC 6522 multipart/report;
RFC 6533 message/global-delivery-status) with one per-message block and one block per recipient.

    Reporting-MTA: dns; mx.example.org

    Final-Recipient: rfc822; user@example.com
    Action: failed
    Status: 5.1.1
    Diagnostic-Code: smtp; 550 5.1.1 <user@example.com>: Recipient address rejected
"""

from __future__ import annotations

import itertools
import re

from ..message import MessageView
from .base import Facts, clean_address, is_valid_address, read_fields, type_and_value
from .text import codes_from_transcript, command_in_window, recipient_windows

NAME = "rfc3464"

_STATUS = re.compile(r"[245]\.\d{1,3}\.\d{1,3}")
_BLOCKS = re.compile(r"\n[ \t]*\n")


def _recipient_blocks(block: str) -> list[str]:
    """Recipient blocks are separated by blank lines (RFC 3464 s2.1); some MTAs (AOL's) omit them,
    so a second Final-Recipient line (with the Original-Recipient just before it) starts a new one."""
    if block.lower().count("final-recipient:") < 2:
        return [block]  # the usual case: one recipient per block
    lines = block.split("\n")
    starts = [0]
    seen_final = False
    for i, line in enumerate(lines):
        if line[:16].lower() == "final-recipient:":
            if seen_final:
                previous = lines[i - 1][:19].lower() == "original-recipient:"
                starts.append(i - 1 if previous else i)
            seen_final = True
    starts.append(len(lines))
    return ["\n".join(lines[a:b]) for a, b in itertools.pairwise(starts) if a < b]


# A delivery-status body pasted as text (broken MIME, or an MTA that writes no boundaries).
_INLINE_STATUS = re.compile(r"^(?:Reporting-MTA|Final-Recipient|Original-Recipient):", re.I | re.M)
_INLINE_FIELDS = ("reporting-mta:", "final-recipient:", "original-recipient:")


def _inline_start(text: str) -> int:
    """Where _INLINE_STATUS first matches in *text* (-1 if nowhere). A case-insensitive search tries
    every position of a long body; for ASCII text (where lower() and re.I agree) finding the lower-case
    field names after a line break is several times cheaper."""
    if not text.isascii():
        m = _INLINE_STATUS.search(text)
        return -1 if m is None else m.start()
    lowered = text.lower()
    if lowered.startswith(_INLINE_FIELDS):
        return 0
    return min((at + 1 for at in (lowered.find("\n" + name) for name in _INLINE_FIELDS) if at >= 0), default=-1)


def _inline_report(view: MessageView) -> str:
    if view.reports:
        return ""
    for part in view.parts:
        if part.content_type.startswith("text/") or part.content_type.startswith("multipart/"):
            start = _inline_start(part.text)
            if start >= 0 and re.search(r"^Action:", part.text[start:], re.I | re.M):
                return part.text[start:]
    return ""


def sniff(view: MessageView) -> bool:
    return any(p.content_type.endswith("delivery-status") for p in view.reports) or bool(_inline_report(view))


def read_delivery_status(text: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """Split a delivery-status body into its per-message fields and its per-recipient field blocks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    per_message: dict[str, str] = {}
    recipients: list[dict[str, str]] = []
    for block in (part for chunk in _BLOCKS.split(text) for part in _recipient_blocks(chunk)):
        fields = read_fields(block.strip("\n"))
        if not fields:
            continue
        if "final-recipient" in fields or "original-recipient" in fields or "action" in fields:
            recipients.append(fields)
        else:
            per_message.update({k: v for k, v in fields.items() if k not in per_message})
    return per_message, recipients


def facts_from_fields(per_message: dict[str, str], fields: dict[str, str]) -> Facts:
    final = type_and_value(fields.get("final-recipient", ""))[1]
    original = type_and_value(fields.get("original-recipient", ""))[1]
    candidates = [clean_address(final), clean_address(fields.get("x-actual-recipient", "")), clean_address(original)]
    # Final-Recipient is sometimes a local name ("user@server"); a routable address beside it is better
    recipient = next((a for a in candidates if is_valid_address(a)), "") or next((a for a in candidates if a), "")
    diag_type, diagnostic = type_and_value(fields.get("diagnostic-code", ""))
    status = _STATUS.search(fields.get("status", ""))
    return Facts(
        recipient=recipient,
        original_recipient=clean_address(original),
        action=fields.get("action", "").split()[0].lower() if fields.get("action", "").split() else "",
        status=status.group(0) if status else "",
        diagnostic_code=diagnostic,
        diagnostic_type=diag_type,
        remote_mta=type_and_value(fields.get("remote-mta", ""))[1],
        reporting_mta=type_and_value(per_message.get("reporting-mta", ""))[1],
        timestamp=fields.get("last-attempt-date", "") or per_message.get("arrival-date", ""),
    )


def decode(view: MessageView) -> list[Facts]:
    out = []
    texts = [p.text for p in view.reports if p.content_type.endswith("delivery-status")] or [_inline_report(view)]
    for text in texts:
        per_message, blocks = read_delivery_status(text)
        out += [facts_from_fields(per_message, fields) for fields in blocks]
    found = [f for f in out if f.recipient]
    human = view.body_text
    inline = _inline_start(human)
    if inline >= 0:
        human = human[:inline]
    # The DSN fields rarely name the SMTP command; the human part often does ("in reply to end
    # of DATA command", Sendmail's ">>> DATA" transcript), and fills a missing diagnostic.
    for facts, window in zip(found, recipient_windows(human, [f.recipient for f in found]), strict=True):
        if window:
            facts.smtp_command = facts.smtp_command or command_in_window(window, facts.diagnostic_code)
            if not facts.diagnostic_code:
                facts.diagnostic_code = window
            else:
                codes_from_transcript(facts, window)
    return found
