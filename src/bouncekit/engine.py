"""parse_message: one email in, one Delivery record per recipient out (decode, then classify)."""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from .codes import kb
from .formats import decode, decoders
from .formats.base import Facts, clean_address, original_headers
from .message import read_message
from .model import Delivery
from .policy import decide
from .reasons import classify, phrase_index, pseudo_status
from .reasons.rhost import reason_for_host
from .reply import may_hold_code, parse_reply, reply_context, status_in_text

# The form nearly every MTA writes (RFC 5322 s3.3: "Thu, 9 Apr 2026 23:34:45 +0900 (JST)"), with each
# field in range, turned into ISO 8601 text directly: under half the stdlib's cost, once per record.
_COMMON_DATE = re.compile(
    r"(?:[A-Za-z]{3},[ \t]+)?(\d{1,2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]\d{3}) "
    r"([01]\d|2[0-3]):([0-5]\d):([0-5]\d) ([+-])([01]\d|2[0-3])([0-5]\d)(?:[ \t]+\([^()]*\))?")
_MONTHS = {name: n for n, name in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                              "Nov", "Dec"), 1)}
_MONTH_DAYS = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _iso_date(value: str) -> str:
    """*value*, an RFC 5322 date, as parsedate_to_datetime(value).isoformat() gives it; "" if invalid."""
    if not value:
        return ""
    m = _COMMON_DATE.fullmatch(value.strip())
    if m is not None:
        day, month_name, year, hour, minute, second, sign, zone_hours, zone_minutes = m.groups()
        month, mday, number = _MONTHS[month_name], int(day), int(year)
        leap = number % 4 == 0 and (number % 100 != 0 or number % 400 == 0)
        if not (1 <= mday <= _MONTH_DAYS[month] and (month != 2 or mday < 29 or leap)):
            return ""  # (no such day: datetime() refuses it)
        # -0000 says the local zone is unknown: the stdlib gives a time without one
        zone = "" if sign + zone_hours + zone_minutes == "-0000" else f"{sign}{zone_hours}:{zone_minutes}"
        return f"{year}-{month:02}-{mday:02}T{hour}:{minute}:{second}{zone}"
    try:
        return parsedate_to_datetime(value).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""


def _complete(facts: Facts) -> str:
    """Fill what the diagnostic text states but the structured fields left out, and settle codes.
    Returns the server's words without the reply codes repeated on each line, for the classifier."""
    words = facts.diagnostic_code
    if facts.diagnostic_code and facts.diagnostic_type != "X-UNIX":  # X-Unix: a program's exit status
        if may_hold_code(facts.diagnostic_code):
            words = _take_reply(facts)
        elif not (facts.smtp_command and facts.remote_mta):
            # No code to read (as in the words of a reply whose codes were read already): all that
            # _take_reply() would fill is the command and the host, as below, at a fraction of the cost.
            command, host = reply_context(facts.diagnostic_code)
            facts.smtp_command = facts.smtp_command or command
            facts.remote_mta = facts.remote_mta or host
    if facts.reply_code and facts.reply_code not in kb.facts()["reply"]:
        # a number in prose that no server is known to send (522, 542) is not taken for a reply code
        facts.reply_code = ""
    if facts.status and facts.reply_code and facts.status[0] != facts.reply_code[0]:
        # A record must not say "temporary" and "permanent" at once: the report's status decides, and
        # the reply code is the one quoted with that status, if any ("220-banner 421 4.2.1 ...": the
        # first line of a greeting joined to the refusal that followed it).
        paired = re.search(rf"(?<!\d)({facts.status[0]}\d\d)[ -]{re.escape(facts.status)}(?![\d.])",
                           facts.diagnostic_code)
        facts.reply_code = paired.group(1) if paired and paired.group(1) in kb.facts()["reply"] else ""
    return words


def _take_reply(facts: Facts) -> str:
    """Fill what the reply in the diagnostic text states; return its words (see _complete)."""
    reply = parse_reply(facts.diagnostic_code)
    facts.reply_code = facts.reply_code or reply.reply_code
    facts.smtp_command = facts.smtp_command or reply.command
    # The remote server's own enhanced code is more precise than the one the reporting MTA put in
    # Status: (Sendmail writes 4.4.7 when it gives up, whatever the remote said), unless they
    # disagree on the class.
    status = reply.status or status_in_text(facts.diagnostic_code)
    if reply.status and reply.reply_code[:1] == reply.status[0]:
        # the remote server's own consistent pair outweighs the reporting MTA's summary
        facts.status, facts.reply_code = reply.status, reply.reply_code
    elif status and (not facts.status or status[0] == facts.status[0]):
        facts.status = status
    facts.remote_mta = facts.remote_mta or reply.remote_host
    if reply.reply_code:
        start = facts.diagnostic_code.find(reply.lines[0])
        return (facts.diagnostic_code[:start] if start > 0 else "") + " " + reply.text
    return facts.diagnostic_code


def record_from_facts(facts: Facts, decoded_by: str, source: str = "", index: int = 0, sender: str = "",
                      message_id: str = "", subject: str = "", date: str = "") -> Delivery:
    """Classify one recipient's facts and make its Delivery record (every input kind ends here)."""
    return _record(facts, _complete(facts), decoded_by, source, index, sender, message_id, subject, date)


def _record(facts: Facts, words: str, decoded_by: str, source: str = "", index: int = 0, sender: str = "",
            message_id: str = "", subject: str = "", date: str = "") -> Delivery:
    """record_from_facts() once _complete() has given the server's *words*."""
    by_host = reason_for_host(facts.remote_mta, facts.status, facts.reply_code, words, facts.recipient) \
        if facts.reason and facts.reason not in ("vacation", "feedback") else None
    if by_host is not None:
        # the receiving provider's own meaning outweighs the wording of the relay that reports it
        reason, evidence = by_host
    elif facts.reason:
        reason, evidence = facts.reason, facts.evidence
    else:
        verdict = classify(facts.status, facts.reply_code, words, facts.smtp_command, facts.action,
                           facts.remote_mta, facts.diagnostic_type, facts.recipient)
        reason, evidence = verdict.reason, verdict.evidence
    status = facts.status or pseudo_status(reason, facts.reply_code, bool(facts.temporary))
    policy = decide(reason, status, facts.reply_code, facts.feedback_type)
    action = facts.action or ("delivered" if reason == "delivered" else "" if reason in ("vacation", "feedback")
                              else "failed")
    return Delivery(
        source=source, message_index=index, recipient=facts.recipient,
        original_recipient=facts.original_recipient, action=action, status=status,
        reply_code=facts.reply_code, reason=reason, hard_bounce=policy.hard_bounce, permanent=policy.permanent,
        fault=policy.fault, action_advice=policy.action_advice, retry_after=policy.retry_after,
        diagnostic_code=" ".join(facts.diagnostic_code.split()), diagnostic_type=facts.diagnostic_type,
        remote_mta=facts.remote_mta, reporting_mta=facts.reporting_mta, smtp_command=facts.smtp_command,
        sender=sender, message_id=message_id, subject=subject,
        timestamp=_iso_date(facts.timestamp) or _iso_date(date),
        decoded_by=decoded_by, feedback_type=facts.feedback_type, evidence=evidence,
    )


def classify_reply(text: str) -> Delivery:
    """Classify a bare SMTP reply (or an MTA's sentence quoting one) as the engine classifies bounces.

    The record has no recipient; its reason, hard_bounce, permanent, fault, action_advice,
    retry_after and evidence say what the reply means for the sender.
    """
    # read as a report's diagnostic text is read: the same codes, command and host, in one pass
    facts = Facts(diagnostic_code=text)
    words = _complete(facts)
    if facts.reply_code.startswith("4") or facts.status.startswith("4."):
        facts.action = "delayed"
    return _record(facts, words, "reply")


def prepare() -> None:
    """Build the decoder list and the phrase index, which the first message would otherwise pay for."""
    decoders()
    phrase_index()


def parse_message(data: bytes | str, source: str = "", index: int = 0) -> list[Delivery]:
    """Read one email and return a Delivery record per recipient it reports on; none for a non-bounce."""
    view = read_message(data)
    decoded_by, found = decode(view)
    if not found:
        return []
    original = original_headers(view)
    sender = clean_address(original.get("from", "")) or clean_address(original.get("return-path", ""))
    message_id = original.get("message-id", "").strip()
    subject = original.get("subject", "")
    date = view.header("date")
    return [record_from_facts(f, decoded_by, source, index, sender, message_id, subject, date)
            for f in found if f.recipient]
