"""From what one log line states about one recipient to a classified Delivery record.

The readers of each MTA's log (postfix.py, exim.py, sendmail.py) fill a LogFacts; this module
completes it from the reply text and classifies it with the same classifier and policy as bounce
emails (reasons.classify, policy.decide, the class.0.9NN pseudo status of engine.py).
"""

from __future__ import annotations

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
    reason: str = ""
    """Set only when the log itself decides (a message that expired in the queue)."""
    evidence: str = ""


@lru_cache(maxsize=VERDICT_CACHE)
def _verdict(status: str, reply_code: str, text: str, command: str, action: str, remote: str) -> Verdict:
    return classify(status, reply_code, text, command, action, remote)


@lru_cache(maxsize=VERDICT_CACHE)
def _reply(text: str) -> tuple[str, str, str]:
    reply = parse_reply(text)
    return reply.reply_code, reply.status, reply.command


_policy = lru_cache(maxsize=4096)(decide)


def complete(facts: LogFacts) -> None:
    """Fill the reply code, enhanced status and command that the reply text states."""
    if facts.diagnostic_code and (not facts.reply_code or not facts.status or not facts.smtp_command):
        code, status, command = _reply(facts.diagnostic_code)
        facts.reply_code = facts.reply_code or code
        facts.status = facts.status or status
        facts.smtp_command = facts.smtp_command or command


def to_delivery(facts: LogFacts, source: str, line: int | None, timestamp: str, reporting_mta: str,
                decoded_by: str) -> Delivery:
    complete(facts)
    if facts.reason:
        reason, evidence = facts.reason, facts.evidence
    else:
        verdict = _verdict(facts.status, facts.reply_code, facts.diagnostic_code, facts.smtp_command,
                           facts.action, facts.remote_mta)
        reason, evidence = verdict.reason, verdict.evidence
    status = facts.status
    if not status and reason != "delivered":
        temporary = facts.reply_code.startswith("4") or (not facts.reply_code and facts.action == "delayed")
        status = pseudo_status(reason, temporary)
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
