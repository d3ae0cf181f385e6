"""Remote-host rules: providers whose replies mean something of their own (REASONS.md step 2).

Each rule names the hosts it applies to (a suffix of the remote MTA's name, or a marker of the
provider in the reply text) and maps the provider's codes or words to a reason. Rules are data:
RHOST_RULES rows of (id, host suffixes, text markers, pattern, reason), tried in order; the first
whose host matches and whose pattern occurs in the reply decides.
"""

from __future__ import annotations

import re
from functools import cache

# (row id, remote host suffixes, provider markers in the text, regex on "status reply-code text", reason)
RHOST_RULES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], str, str], ...] = ()


@cache
def _compiled() -> tuple[tuple[str, tuple[str, ...], tuple[str, ...], re.Pattern[str], str], ...]:
    return tuple((i, hosts, markers, re.compile(p, re.IGNORECASE), reason)
                 for i, hosts, markers, p, reason in RHOST_RULES)


def reason_for_host(remote_host: str, status: str, reply_code: str, text: str) -> tuple[str, str] | None:
    """(reason, evidence) when a provider rule applies, else None."""
    host = remote_host.lower().rstrip(".")
    subject = f"{status} {reply_code} {text}"
    lowered = text.lower()
    for row_id, hosts, markers, pattern, reason in _compiled():
        applies = any(host == h or host.endswith("." + h) for h in hosts) or any(m in lowered for m in markers)
        if applies and pattern.search(subject):
            return reason, f"rhost:{row_id}"
    return None
