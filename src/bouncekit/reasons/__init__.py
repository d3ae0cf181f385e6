"""The classifier: turns what a report states (status, reply code, the server's words, the command)
into a reason from REASONS.md, naming the table row that decided it."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import cache
from typing import Any

from .rhost import reason_for_host
from .tables import DECISIVE_STATUSES, PSEUDO_STATUS_DETAIL, REASON_PRIORITY, REPLY_REASONS, STATUS_REASONS, phrases

# The regex parser is private to the re module (re._parser since Python 3.11). It is only used to
# find the literals a phrase row requires; without it every row is simply searched.
try:
    from re import _parser as _sre_parser  # type: ignore[attr-defined]

    _BRANCH, _LITERAL, _SUBPATTERN = _sre_parser.BRANCH, _sre_parser.LITERAL, _sre_parser.SUBPATTERN
except (ImportError, AttributeError):  # pragma: no cover - a Python whose re module is laid out otherwise
    _sre_parser = None

@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str
    evidence: str


# Diagnostics are short; a bound keeps hostile megabyte texts from costing more than a slice.
MAX_PHRASE_TEXT = 4096


def _required_literals(items: Any) -> tuple[str, ...]:
    """Lower-case ASCII strings at least one of which every match of the parsed pattern *items* contains
    (() if none can be named). Only the top-level sequence counts, and groups and alternations in it that
    are not repeated: anything inside a repeat may be absent."""
    candidates: list[tuple[str, ...]] = []
    run = ""
    for op, arg in [*items, (None, None)]:
        if op is _LITERAL and arg < 128:
            run += chr(arg).lower()
            continue
        if run:
            candidates.append((run,))
        run = ""
        if op is _SUBPATTERN:
            candidates.append(_required_literals(arg[-1]))
        elif op is _BRANCH:
            alternatives = [_required_literals(branch) for branch in arg[1]]
            if all(alternatives):
                candidates.append(tuple(sorted({n for found in alternatives for n in found})))
    # the most selective: the one whose shortest string is longest
    return max((c for c in candidates if c), key=lambda c: min(map(len, c)), default=())


@cache
def _rows() -> tuple[dict[int, tuple[int, int]], tuple[re.Pattern[str], ...]]:
    """The rank of each row whose reason is classified, (priority of its reason, row number), and every
    row's own compiled regex, by row number in phrases()."""
    priority = {reason: i for i, reason in enumerate(REASON_PRIORITY)}
    rank = {n: (priority[reason], n) for n, (_, reason, _) in enumerate(phrases()) if reason in priority}
    return rank, tuple(re.compile(pattern, re.IGNORECASE) for _, _, pattern in phrases())


# A row whose required literals are shorter than this is always searched: they occur too often to filter.
_MIN_LITERAL = 3


def _trie_pattern(words: list[str]) -> str:
    """A regex matching any of *words* (lower-case) as a trie: at each node the next character is
    checked once, so a search costs about one step per text character, not one per word. Where a
    word is a prefix of another, the longer one is tried first (a greedy ``?``)."""
    root: dict[str, Any] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word ends here: what follows is optional
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return emit(root)


@cache
def _needle_index() -> tuple[re.Pattern[str], dict[str, frozenset[int]], frozenset[int]]:
    """A search for the literals every row requires (one of them occurs in any text the row matches),
    with the row numbers each admits, and the rows that name no literal. The search finds the longest
    literal starting at a position; the rows it admits include those of the literals that are its
    prefixes, which occur there too."""
    by_needle: dict[str, set[int]] = {}
    unfiltered: set[int] = set()
    for n, (_, _, pattern) in enumerate(phrases()):
        try:
            found = _required_literals(_sre_parser.parse(pattern, re.IGNORECASE)) if _sre_parser else ()
        except (re.error, AttributeError, TypeError):
            found = ()
        if not found or min(map(len, found)) < _MIN_LITERAL:
            unfiltered.add(n)  # always searched
            continue
        for needle in found:
            by_needle.setdefault(needle, set()).add(n)
    admits = {needle: frozenset(n for other, rows in by_needle.items() if needle.startswith(other) for n in rows)
              for needle in by_needle}
    trie = _trie_pattern(sorted(by_needle)) or "(?!)"  # no literal at all: a search that finds nothing
    return re.compile(trie), admits, frozenset(unfiltered)


def _admitted_rows(lowered: str) -> set[int]:
    """The numbers of the rows that may match *lowered* (the text mapped by _FOLD): a literal they
    require occurs in it."""
    needles, admits, unfiltered = _needle_index()
    admitted = set(unfiltered)
    # every position where some literal starts: search again from just after each match's start
    m = needles.search(lowered)
    while m is not None:
        admitted |= admits[m.group()]
        m = needles.search(lowered, m.start() + 1)
    return admitted


# Upper-case ASCII and the only characters outside ASCII that re.IGNORECASE matches to an ASCII letter
# (U+0130, U+0131 to 'i', U+017F to 's', the Kelvin sign to 'k'), mapped to that lower-case letter: in
# the mapped text each literal a row requires occurs wherever the row matches. (str.lower() is not the
# same for non-ASCII text: it leaves U+017F alone and makes U+0130 two characters.)
_FOLD = str.maketrans({**{c: c.lower() for c in string.ascii_uppercase},
                       "\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def reason_from_text(text: str) -> Verdict | None:
    """The first reason, in priority order, whose phrases occur in *text*."""
    text = text[:MAX_PHRASE_TEXT]
    # A substring test is ~100x cheaper than a case-insensitive regex search: search only the rows one
    # of whose literals occurs. Each reason's rows as one alternation would match at the leftmost
    # position where any row matches, taking the first row in file order there; searching the admitted
    # rows one by one finds the same row.
    rank, patterns = _rows()
    ids = phrases()
    best: tuple[int, int] | None = None
    current = -1
    folded = text.lower() if text.isascii() else text.translate(_FOLD)
    for n in sorted((n for n in _admitted_rows(folded) if n in rank), key=rank.__getitem__):
        if rank[n][0] != current:
            if best is not None:
                break  # a row of a reason of higher priority matched
            current = rank[n][0]
        if (m := patterns[n].search(text)) is not None and (best is None or m.start() < best[0]):
            best = (m.start(), n)
    if best is not None:
        _, reason, _ = ids[best[1]]
        return Verdict(reason, f"phrase:{ids[best[1]][0]}")
    return None


def reason_from_status(status: str) -> Verdict | None:
    if not status:
        return None
    key = "X." + status.split(".", 1)[1]
    reason = STATUS_REASONS.get(key)
    return Verdict(reason, f"status:{key}") if reason else None


def _decide(status: str, reply_code: str, text: str, diagnostic_type: str) -> Verdict | None:
    by_status = reason_from_status(status)
    if by_status is not None and by_status.evidence[len("status:"):] in DECISIVE_STATUSES:
        return by_status
    by_text = reason_from_text(text) if text else None
    if diagnostic_type.upper() in ("X-UNIX", "X-LOCAL"):
        # RFC 3464 s2.3.6: the local delivery program failed, not SMTP; its words are only trusted
        # about the mailbox's quota (the program's "no such user" is about its own uid lookup)
        if by_text is not None and by_text.reason == "mailboxfull":
            return by_text
        return Verdict("mailererror", f"diagnostic-type:{diagnostic_type.upper()}")
    if by_text is not None:
        return by_text
    if by_status is not None:
        return by_status
    reason = REPLY_REASONS.get(reply_code)
    return Verdict(reason, f"reply-code:{reply_code}") if reason else None


# How the command and the temporariness of a failure refine a reason read from text or status.
# (reason or phrase row id, condition) -> new reason; each row is reported in the evidence as "+<condition>".
_REFINEMENTS: dict[tuple[str, str], str] = {
    # accepted at RCPT, refused once the message was sent: a filter or the recipient's own rules
    # speak, not a missing mailbox (REASONS.md "filtered")
    ("userunknown", "command:DATA"): "filtered",
    # "user unknown" in words, yet nothing says it came from an SMTP RCPT refusal: no code at all,
    # a mailbox-status code (X.2.x: the mailbox exists but refused) or a policy-status code (X.7.x: a
    # rule refused it) -- a filter's wording
    ("userunknown", "no-code"): "filtered", ("userunknown", "mailbox-status"): "filtered",
    ("userunknown", "policy-status"): "filtered",
    # words about broken headers or MIME under a policy code (X.7.x, not X.6.x): the site's policy
    # refused the content, the message is not malformed
    ("contenterror", "policy-status"): "policyviolation",
    # a refusal at MAIL FROM is about the sender, whatever the words (REASONS.md step 3)
    ("userunknown", "command:MAIL"): "rejected",
    ("hostunknown", "command:MAIL"): "rejected",
    ("filtered", "command:MAIL"): "rejected",
    # ... and so is an access-database refusal there (a phrase row's id refines like a reason)
    ("security.access-db", "command:MAIL"): "rejected",
    # a DNS answer that may change is a network problem, not proof the domain does not exist
    ("hostunknown", "temporary"): "networkerror",
    # refused at connection or greeting, before any address was given: the sending host is refused
    ("onhold", "command:CONN"): "blocked", ("onhold", "command:EHLO"): "blocked",
    ("onhold", "command:HELO"): "blocked", ("rejected", "command:CONN"): "blocked",
}


def classify(status: str, reply_code: str, text: str, command: str = "", action: str = "",
             remote_host: str = "", diagnostic_type: str = "", recipient: str = "") -> Verdict:
    """Decide the reason of one failure (REASONS.md, "How the reason is decided")."""
    if action == "delivered" or status.startswith("2.") or (reply_code.startswith("2") and not status):
        return Verdict("delivered", "status:2.X.X")
    by_host = reason_for_host(remote_host, status, reply_code, text, recipient)
    if by_host is not None:
        return Verdict(*by_host)
    verdict = _decide(status, reply_code, text, diagnostic_type) or _fallback(status, reply_code, text, command,
                                                                              action)
    temporary = (status or reply_code)[:1] == "4"
    for condition in (f"command:{command}", "temporary" if temporary else "",
                      "no-code" if not (status or reply_code or command) else "",
                      "mailbox-status" if status[1:3] == ".2" and not command else "",
                      # (an RCPT refusal is about the address, whatever its status says)
                      "policy-status" if status[1:3] == ".7" and command != "RCPT" else ""):
        if condition == "command:DATA" and status[1:] == ".1.1":
            continue  # the code itself says the mailbox does not exist
        refined = _REFINEMENTS.get((verdict.reason, condition)) or _REFINEMENTS.get(
            (verdict.evidence.removeprefix("phrase:"), condition))
        if refined is not None:
            return Verdict(refined, f"{verdict.evidence}+{condition}")
    return verdict


# A refusal that labels an address as the client's IP ("554 IP=192.0.2.1 - A problem occurred")
# names the sending host as what it refused.
_CLIENT_IP = re.compile(r"\bIP[=:][ \t]?\d{1,3}(?:\.\d{1,3}){3}\b", re.IGNORECASE)


def _fallback(status: str, reply_code: str, text: str, command: str, action: str) -> Verdict:
    """When neither words nor codes decide (REASONS.md step 4)."""
    if command == "MAIL":
        return Verdict("rejected", "command:MAIL")
    if (status or reply_code)[:1] == "5" and _CLIENT_IP.search(text[:MAX_PHRASE_TEXT]):
        return Verdict("blocked", "fallback:client-ip")
    if action == "delayed":
        # still queued with no stated cause: the sender's MTA is waiting out its retry period
        return Verdict("expired", "action:delayed")
    if text or status or reply_code:
        return Verdict("onhold", "fallback:onhold")
    return Verdict("undefined", "fallback:undefined")


def pseudo_status(reason: str, reply_code: str, temporary: bool) -> str:
    """A class.0.9NN status for a report that states none (see tables.PSEUDO_STATUS_DETAIL): the class
    is the reply code's, or, without one, what the report says of the failure; "" for reasons that
    are not failures (delivered, vacation, feedback)."""
    detail = PSEUDO_STATUS_DETAIL.get(reason)
    if detail is None:
        return ""
    return f"{4 if reply_code.startswith('4') or (not reply_code and temporary) else 5}.0.{detail}"
