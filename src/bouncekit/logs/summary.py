"""The postmaster's morning view of a log: counts per outcome, reason, remote domain and reply.

Built record by record in constant memory per distinct key (reasons, domains, replies), so a
month of logs summarises as cheaply as a day. Replies are grouped after masking what differs
between otherwise equal replies (queue ids, addresses, numbers), so "450 4.2.0 <a@b>: Greylisted"
and "450 4.2.0 <c@d>: Greylisted" count as one.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..model import Delivery

if TYPE_CHECKING:
    from . import LogStats

# Distinct replies and domains kept; past these, new keys still count in the totals but not in the
# tables (a hostile log with a million distinct replies must not hold a million strings).
MAX_KEYS = 50_000
TOP = 10
_VOLATILE = re.compile(r"<[^<>\s]{0,256}>|[\w.+-]{1,64}@[\w.-]{1,255}|\[[0-9A-Fa-f.:]{2,45}\]"
                       r"|\b(?=[\w-]{0,63}\d)[\w-]{6,64}\b")
MAX_REPLY_SHOWN = 160


@lru_cache(maxsize=1 << 14)
def reply_key(record_text: str) -> str:
    """A reply with its per-message parts masked, for grouping."""
    return _VOLATILE.sub("…", record_text[:MAX_REPLY_SHOWN])


def _count(counter: Counter[str], key: str) -> None:
    if key in counter or len(counter) < MAX_KEYS:
        counter[key] += 1


class Summary:
    """Counts of records as they come; render() or to_dict() at the end."""

    def __init__(self) -> None:
        self.by_action: Counter[str] = Counter()
        self.by_status: Counter[str] = Counter()
        self.by_reason: Counter[str] = Counter()
        self.by_domain: dict[str, Counter[str]] = {}
        self.replies: Counter[str] = Counter()
        self.records = 0

    def add(self, record: Delivery) -> None:
        self.count(record.action, record.log_status, record.recipient, record.reason, record.diagnostic_code)

    def count(self, action: str, log_status: str, recipient: str, reason: str, diagnostic: str) -> None:
        """Count one result by its parts (what add() takes from a record)."""
        self.records += 1
        self.by_action[action] += 1
        self.by_status[log_status] += 1
        domain = recipient.rpartition("@")[2].lower() or "(none)"
        per_domain = self.by_domain.get(domain)
        if per_domain is None and len(self.by_domain) < MAX_KEYS:
            per_domain = self.by_domain[domain] = Counter()
        if per_domain is not None:
            per_domain[action] += 1
        if action != "delivered":
            self.by_reason[reason] += 1
            if diagnostic:
                _count(self.replies, reply_key(diagnostic))

    def to_dict(self, stats: LogStats | None = None) -> dict[str, Any]:
        domains = sorted(self.by_domain.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
        return {
            "lines": stats.lines if stats else None,
            "records": self.records,
            "skipped_lines": stats.skipped if stats else None,
            "unknown_lines": stats.unknown if stats else None,
            "delivered": self.by_action["delivered"],
            "deferred": self.by_action["delayed"],
            "bounced": self.by_action["failed"],
            "by_status": dict(self.by_status.most_common()),
            "by_reason": dict(self.by_reason.most_common()),
            "by_domain": {d: dict(c) for d, c in domains},
            "top_replies": [{"count": n, "reply": r} for r, n in self.replies.most_common(TOP)],
        }

    def render(self, stats: LogStats | None = None) -> str:
        """A plain-text report: totals, then the tables a postmaster reads first."""
        out: list[str] = []
        if stats is not None:
            out.append(f"lines read      {stats.lines:>10}")
            out.append(f"  not results   {stats.skipped:>10}   (connections, queue bookkeeping, warnings)")
            out.append(f"  not understood{stats.unknown:>11}   (other programs, garbled lines; skipped)")
        out.append(f"records         {self.records:>10}")
        out.append(f"  delivered     {self.by_action['delivered']:>10}")
        out.append(f"  deferred      {self.by_action['delayed']:>10}")
        out.append(f"  bounced       {self.by_action['failed']:>10}   (failed or refused)")
        out.extend(_table("per status (as logged)", self.by_status.most_common()))
        out.extend(_table("per reason (deferred and bounced)", self.by_reason.most_common()))
        domains = sorted(self.by_domain.items(), key=lambda kv: (-(kv[1]["failed"] + kv[1]["delayed"]), kv[0]))
        rows = [f"{c['delivered']:>9} {c['delayed']:>9} {c['failed']:>9}  {d}" for d, c in domains[:TOP * 2]
                if c["failed"] or c["delayed"]]
        if rows:
            header = f"{'delivered':>9} {'deferred':>9} {'bounced':>9}  domain"
            out += ["", "per remote domain (most failures first)", header, *rows]
        out.extend(_table("top remote replies", self.replies.most_common(TOP)))
        return "\n".join(out) + "\n"


def _table(title: str, rows: list[tuple[str, int]]) -> list[str]:
    if not rows:
        return []
    return ["", title, *(f"{n:>10}  {key or '(none)'}" for key, n in rows)]
