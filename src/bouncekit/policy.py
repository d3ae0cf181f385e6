"""What a verdict means for the sender: hard or soft, whose fault, what to do, and when to retry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

HARD_REASONS = frozenset({"userunknown", "hostunknown", "hasmoved"})

# reason -> (fault, advice) from REASONS.md.
POLICY: dict[str, tuple[str, str]] = {
    "userunknown": ("recipient", "suppress"), "hostunknown": ("recipient", "suppress"),
    "hasmoved": ("recipient", "suppress"), "notaccept": ("recipient", "suppress"),
    "suspend": ("recipient", "review"), "mailboxfull": ("recipient", "retry"),
    "exceedlimit": ("message", "fix_message"), "mesgtoobig": ("message", "fix_message"),
    "contenterror": ("message", "fix_message"), "notcompliantrfc": ("message", "fix_message"),
    "filtered": ("recipient", "review"), "spamdetected": ("message", "fix_message"),
    "virusdetected": ("message", "fix_message"), "policyviolation": ("sender", "review"),
    "blocked": ("sender", "fix_sender"), "badreputation": ("sender", "fix_sender"),
    "requireptr": ("sender", "fix_sender"), "authfailure": ("sender", "fix_sender"),
    "rejected": ("sender", "fix_sender"), "norelaying": ("sender", "fix_sender"),
    "securityerror": ("sender", "fix_sender"), "failedstarttls": ("network", "fix_sender"),
    "speeding": ("sender", "retry"), "toomanyconn": ("sender", "retry"),
    "expired": ("network", "review"), "networkerror": ("network", "retry"),
    "systemerror": ("remote_system", "retry"), "systemfull": ("remote_system", "retry"),
    "mailererror": ("remote_system", "retry"), "syntaxerror": ("sender", "fix_sender"),
    "onhold": ("unknown", "review"), "undefined": ("unknown", "review"),
    "suppressed": ("sender", "none"), "delivered": ("unknown", "none"),
    "vacation": ("unknown", "none"), "feedback": ("recipient", "suppress"),
}

# Seconds to wait before the next attempt. RFC 5321 s4.5.4.1: at least 30 minutes between tries;
# rate limits and full mailboxes need longer for the condition to clear.
RETRY_AFTER: dict[str, int] = {
    "mailboxfull": 6 * 3600, "speeding": 3600, "toomanyconn": 1800, "networkerror": 1800,
    "systemerror": 1800, "systemfull": 3600, "mailererror": 3600, "expired": 4 * 3600,
    "onhold": 3600, "undefined": 3600, "blocked": 4 * 3600, "badreputation": 4 * 3600,
    "failedstarttls": 3600, "requireptr": 4 * 3600, "authfailure": 4 * 3600, "suspend": 24 * 3600,
    "policyviolation": 4 * 3600, "securityerror": 4 * 3600, "filtered": 4 * 3600,
    "spamdetected": 4 * 3600, "rejected": 4 * 3600,
}


@dataclass(frozen=True, slots=True)
class Policy:
    hard_bounce: bool
    permanent: bool | None
    fault: str
    action_advice: str
    retry_after: int | None


def decide(reason: str, status: str, reply_code: str, feedback_type: str = "") -> Policy:
    return _decide(reason, reply_code[:1] or status[:1], feedback_type in ("abuse", "fraud", ""))


# The policy depends on no more than these three, and reasons and classes are few: each is worked out once.
@lru_cache(maxsize=1024)
def _decide(reason: str, first: str, plain_feedback: bool) -> Policy:
    """decide() given the class digit of the codes and whether a feedback report is of the kinds
    (abuse, fraud, unstated) that call for suppression."""
    permanent = True if first == "5" else False if first == "4" else None
    hard = reason in HARD_REASONS or (reason == "notaccept" and first == "5")
    fault, advice = POLICY.get(reason, ("unknown", "review"))
    if reason == "feedback" and not plain_feedback:
        advice = "review"
    if reason == "mailboxfull" and permanent and not hard:
        advice = "retry"
    retryable = permanent is False or advice == "retry"
    retry_after = RETRY_AFTER.get(reason, 1800) if retryable and reason not in ("delivered", "vacation") else None
    return Policy(hard, permanent, fault, advice, retry_after)
