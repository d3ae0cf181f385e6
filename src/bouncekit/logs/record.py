"""From what one log line states about one recipient to a classified Delivery record.

The readers of each MTA's log (postfix.py, exim.py, sendmail.py) fill a LogFacts; this module
completes it from the reply text and classifies it with the same classifier and policy as bounce
emails (reasons.classify, policy.decide, the class.0.9NN pseudo status of engine.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..model import Delivery
from ..policy import Policy, decide
from ..reasons import Verdict, classify, pseudo_status
from ..reply import parse_reply

# Log lines repeat the same few replies thousands of times ("250 2.0.0 Ok", "Relay access denied");
# remembering verdicts keeps the classifier off the hot path. Bounded so a hostile log cannot grow it.
VERDICT_CACHE = 1 << 16


@dataclass(slots=True)
class LogFacts:
    """What one log line states about one recipient's delivery (or the refusal to accept it)."""

    recipient: str = ""
    original_recipient: str = ""
    action: str = ""
    """``delivered``, ``delayed`` or ``failed``."""
    log_status: str = ""
    status: str = ""
    reply_code: str = ""
    diagnostic_code: str = ""
    smtp_command: str = ""
    remote_mta: str = ""
    relay: str = ""
    client: str = ""
    queue_id: str = ""
    sender: str = ""
    message_id: str = ""
    inbound: bool = False
    """The logging MTA refused the message as its receiver (smtpd/ACL rejects): a 4xx there is not a
    deferral in a sender's queue, so the classifier is not told "delayed"."""
    reason: str = ""
    """Set only when the log itself decides (a message that expired in the queue)."""
    evidence: str = ""


@lru_cache(maxsize=VERDICT_CACHE)
def _judge(status: str, reply_code: str, text: str, command: str, action: str,
           remote: str) -> tuple[str, str, str, str, str]:
    """(reply code, status, command, reason, evidence): the reply text completed, then classified."""
    if text and (not reply_code or not status or not command):
        reply = parse_reply(text)
        reply_code, status, command = reply_code or reply.reply_code, status or reply.status, command or reply.command
    found: Verdict = classify(status, reply_code, text, command, action, remote)
    return reply_code, status, command, found.reason, found.evidence


_policy = lru_cache(maxsize=4096)(decide)

# What a log line's dsn= (RFC 3463) and reply code (RFC 5321 s4.2) must look like to be taken as such: a
# damaged line ("dsn=4 .4.3") states no code rather than a broken one. (The shapes reply.py reads codes
# by; codes.grammar's checks, which name the broken rule, cost several times more per record.)
_ENHANCED_STATUS = re.compile(r"[245]\.[0-9]{1,3}\.[0-9]{1,3}")
_REPLY_CODE = re.compile(r"[2-5][0-5][0-9]")


def verdict(facts: LogFacts) -> tuple[str, str, str]:
    """(reason, evidence, status) of the facts, completed from the reply text in place; the status is
    a pseudo one (class.0.9NN, as engine.py makes) when the log states none."""
    if facts.status and not _ENHANCED_STATUS.fullmatch(facts.status):
        facts.status = ""
    if facts.reply_code and not _REPLY_CODE.fullmatch(facts.reply_code):
        facts.reply_code = ""
    facts.reply_code, facts.status, facts.smtp_command, reason, evidence = _judge(
        facts.status, facts.reply_code, facts.diagnostic_code, facts.smtp_command,
        "" if facts.inbound else facts.action, facts.remote_mta)
    if facts.reason:
        reason, evidence = facts.reason, facts.evidence
    status = facts.status or pseudo_status(reason, facts.reply_code, facts.action == "delayed")
    return reason, evidence, status


def to_delivery(facts: LogFacts, source: str, line: int | None, timestamp: str, reporting_mta: str,
                decoded_by: str) -> Delivery:
    reason, evidence, status = verdict(facts)
    policy: Policy = _policy(reason, status, facts.reply_code)
    return Delivery(
        source=source, line=line, recipient=facts.recipient, original_recipient=facts.original_recipient,
        action=facts.action, status=status, reply_code=facts.reply_code, reason=reason,
        hard_bounce=policy.hard_bounce, permanent=policy.permanent, fault=policy.fault,
        action_advice=policy.action_advice, retry_after=policy.retry_after,
        diagnostic_code=facts.diagnostic_code, diagnostic_type="SMTP" if facts.reply_code else "",
        remote_mta=facts.remote_mta, reporting_mta=reporting_mta, smtp_command=facts.smtp_command,
        sender=facts.sender, message_id=facts.message_id, timestamp=timestamp, decoded_by=decoded_by,
        evidence=evidence, queue_id=facts.queue_id, relay=facts.relay, client=facts.client,
        log_status=facts.log_status,
    )
