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
    _AT = _sre_parser.AT
    # the positions (\b, ^, \A) where a letter or digit starts a word
    _WORD_STARTS = frozenset({_sre_parser.AT_BOUNDARY, _sre_parser.AT_BEGINNING, _sre_parser.AT_BEGINNING_STRING})
except (ImportError, AttributeError):  # pragma: no cover - a Python whose re module is laid out otherwise
    _sre_parser = None


@dataclass(frozen=True, slots=True)
class Verdict:
    reason: str
    evidence: str


# Diagnostics are short; a bound keeps hostile megabyte texts from costing more than a slice.
MAX_PHRASE_TEXT = 4096


def _literal_parts(items: Any) -> list[tuple[tuple[str, ...], int]]:
    """(strings, last) for each part of the parsed pattern *items* that requires a literal: every match
    contains one of the lower-case ASCII *strings*, within the items up to number *last*. Only the
    top-level sequence counts, and groups and alternations in it that are not repeated: anything inside
    a repeat may be absent."""
    parts: list[tuple[tuple[str, ...], int]] = []
    run = ""
    for k, (op, arg) in enumerate([*items, (None, None)]):
        if op is _LITERAL and arg < 128:
            run += chr(arg).lower()
            continue
        if run:
            parts.append(((run,), k - 1))
        run = ""
        strings: tuple[str, ...] = ()
        if op is _SUBPATTERN:
            strings = _required_literals(arg[-1])
        elif op is _BRANCH:
            alternatives = [_required_literals(branch) for branch in arg[1]]
            if all(alternatives):
                strings = tuple(sorted({n for found in alternatives for n in found}))
        if strings:
            parts.append((strings, k))
    return parts


def _selectivity(strings: tuple[str, ...]) -> int:
    return min(map(len, strings))


def _required_literals(items: Any) -> tuple[str, ...]:
    """Lower-case ASCII strings at least one of which every match of the parsed pattern *items* contains
    (() if none can be named): of its parts' strings, the most selective (whose shortest is longest)."""
    return max((strings for strings, _ in _literal_parts(items)), key=_selectivity, default=())


def _leading_literals(items: Any) -> tuple[str, ...]:
    """Lower-case ASCII strings one of which every match of the parsed pattern *items* starts with
    (() if none can be named)."""
    if not items:
        return ()
    op, arg = items[0]
    if op is _LITERAL and arg < 128:
        run = ""
        for op, arg in items:
            if op is not _LITERAL or arg >= 128:
                break
            run += chr(arg).lower()
        return (run,)
    if op is _SUBPATTERN:
        return _leading_literals(arg[-1])
    if op is _BRANCH:
        alternatives = [_leading_literals(branch) for branch in arg[1]]
        if all(alternatives):
            return tuple(sorted({n for found in alternatives for n in found}))
    return ()


def _starts_word(item: tuple[Any, Any]) -> bool:
    """Whether a letter or digit just after *item* (of a parsed pattern) starts a word: after \\b, ^ or
    \\A, or after a character that is neither (re.IGNORECASE matches such a character to itself only)."""
    op, arg = item
    return (op is _AT and arg in _WORD_STARTS) or (op is _LITERAL and arg < 128 and not chr(arg).isalnum())


def _word_start_parts(items: Any) -> list[tuple[tuple[str, ...], int]]:
    """(strings, k) for each place k in the top-level sequence of the parsed pattern *items* where every
    match has one of the lower-case ASCII *strings* at the start of a word: after a character that is no
    ASCII letter or digit, or at the start of the text."""
    items = list(items)
    parts = []
    for k in range(1, len(items)):
        if _starts_word(items[k - 1]):
            strings = _leading_literals(items[k:])
            if strings and all(s[0].isalnum() for s in strings):
                parts.append((strings, k))
    return parts


# A row whose required literals are shorter than this is always searched: they occur too often to filter.
_MIN_LITERAL = 3
# A lead no text reaches: the row is searched from the start of the text.
_UNBOUNDED = MAX_PHRASE_TEXT


@dataclass(frozen=True, slots=True)
class _Filter:
    """What a phrase row requires of a text, read from its pattern."""

    needles: tuple[str, ...] = ()
    """One of these occurs in every text the row matches (the most selective literals it requires)."""
    at_word_start: bool = False
    """Every match has the needle at the start of a word (see _word_start_parts)."""
    lead: int = _UNBOUNDED
    """The most characters a match can run before the needle: the row is searched from there on."""
    others: tuple[tuple[str, ...], ...] = ()
    """Further literals the row requires: one of each tuple occurs too."""


def _filter(pattern: str) -> _Filter:
    """The literals *pattern* requires (lower-case ASCII, each at least _MIN_LITERAL long), where a match
    can start relative to them, or an empty _Filter when they cannot be named. Literals that start a word
    are preferred: they are found at far fewer places in a text (see _admitted_rows)."""
    if _sre_parser is None:
        return _Filter()
    try:
        parsed = _sre_parser.parse(pattern, re.IGNORECASE)
        anywhere = [part for part in _literal_parts(parsed) if _selectivity(part[0]) >= _MIN_LITERAL]
        at_word = [part for part in _word_start_parts(parsed) if _selectivity(part[0]) >= _MIN_LITERAL]
        # max() keeps the first of equals, as _required_literals does
        if at_word:
            needles, k = max(at_word, key=lambda part: _selectivity(part[0]))
            lead = _widest(parsed, k)  # the needle starts right after the items before number k
        elif anywhere:
            needles, last = max(anywhere, key=lambda part: _selectivity(part[0]))
            # the needle lies within the items up to number *last*: it starts at most their widest match,
            # less its own length, after the match starts
            lead = _widest(parsed, last + 1) - _selectivity(needles)
        else:
            return _Filter()
    except (re.error, AttributeError, TypeError):
        return _Filter()
    return _Filter(needles, bool(at_word), min(lead, _UNBOUNDED),
                   tuple(strings for strings, _ in anywhere if strings != needles))


def _widest(parsed: Any, count: int) -> int:
    """The most characters the first *count* items of the parsed pattern can match (_UNBOUNDED or more
    when nothing bounds them)."""
    width: int = _sre_parser.SubPattern(parsed.state, parsed.data[:count]).getwidth()[1]
    return width


@dataclass(slots=True)
class _Row:
    """A phrase row whose reason is classified, ready to search."""

    reason: str
    verdict: Verdict
    source: str
    lead: int
    others: tuple[tuple[str, ...], ...]
    pattern: re.Pattern[str] | None = None
    """*source* compiled, once the row is first searched (many rows never are in a short run)."""

    def search(self, text: str, start: int) -> re.Match[str] | None:
        pattern = self.pattern
        if pattern is None:
            pattern = self.pattern = re.compile(self.source, re.IGNORECASE)
        return pattern.search(text, start)

    def may_match(self, folded: str) -> bool:
        """Whether every further literal the row requires occurs in *folded*."""
        for strings in self.others:
            for literal in strings:  # (loops of "in" tests: cheaper than any(map(folded.__contains__, ...)))
                if literal in folded:
                    break
            else:
                return False
        return True


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


@dataclass(frozen=True, slots=True)
class _Index:
    rows: tuple[_Row, ...]
    """The rows whose reason is classified, by rank: priority of their reason, then row number."""
    words: re.Pattern[str]
    """Finds a character that is no ASCII letter or digit followed by the longest word-start needle there
    (group 1)."""
    word_admits: dict[str, tuple[int, ...]]
    """Word-start needle -> the ranks of the rows it admits: those of the needles that are its prefixes
    (which occur where it occurs) too."""
    scattered: tuple[tuple[str, tuple[int, ...]], ...]
    """The other needles (that may start anywhere), each with the ranks of the rows it admits: there are
    few, and each is looked for with str.find()."""
    always: tuple[int, ...]
    """The ranks of the rows that name no needle: always searched."""


def _admits(by_needle: dict[str, set[int]]) -> dict[str, tuple[int, ...]]:
    return {needle: tuple(sorted({n for k in range(1, len(needle) + 1) for n in by_needle.get(needle[:k], ())}))
            for needle in by_needle}


@cache
def phrase_index() -> _Index:
    """The phrase rows ready to search, and searches for the literals that admit them."""
    priority = {reason: i for i, reason in enumerate(REASON_PRIORITY)}
    table = phrases()
    ranked = sorted((n for n, (_, reason, _) in enumerate(table) if reason in priority),
                    key=lambda n: (priority[table[n][1]], n))
    rows: list[_Row] = []
    by_needle: tuple[dict[str, set[int]], dict[str, set[int]]] = ({}, {})  # anywhere, at word start
    always: list[int] = []
    for rank, n in enumerate(ranked):
        row_id, reason, pattern = table[n]
        found = _filter(pattern)
        rows.append(_Row(reason, Verdict(reason, f"phrase:{row_id}"), pattern, found.lead, found.others))
        if not found.needles:
            always.append(rank)
        for needle in found.needles:
            by_needle[found.at_word_start].setdefault(needle, set()).add(rank)
    anywhere, at_word = by_needle
    # no needle at all: a search that finds nothing
    words = f"[^a-z0-9]({_trie_pattern(sorted(at_word))})" if at_word else "(?!)()"
    scattered = tuple((needle, tuple(sorted(ranks))) for needle, ranks in sorted(anywhere.items()))
    return _Index(tuple(rows), re.compile(words), _admits(at_word), scattered, tuple(always))


def _admitted_rows(lowered: str) -> dict[int, int]:
    """The ranks of the rows that may match *lowered* (the text mapped by _FOLD): a literal they require
    occurs in it. Each maps to where the first such literal starts (0 for the rows always searched)."""
    index = phrase_index()
    admitted = dict.fromkeys(index.always, 0)
    # Every place where a word-start needle follows a character that is no letter or digit, in order:
    # search again from just after each match's start. The regex engine skips quickly to such characters,
    # where a trie of all needles would be tried at (almost) every position.
    padded = " " + lowered  # (a word that starts the text follows one too)
    m = index.words.search(padded)
    while m is not None:
        at = m.start()  # where the needle starts in *lowered*
        for rank in index.word_admits[m.group(1)]:
            admitted.setdefault(rank, at)
        m = index.words.search(padded, at + 1)
    for needle, ranks in index.scattered:
        if (at := lowered.find(needle)) >= 0:
            for rank in ranks:  # (a row's needles are found here out of order)
                admitted[rank] = min(at, admitted.get(rank, at))
    return admitted


# Upper-case ASCII and the only characters outside ASCII that re.IGNORECASE matches to an ASCII letter
# (U+0130, U+0131 to 'i', U+017F to 's', the Kelvin sign to 'k'), mapped to that lower-case letter: in
# the mapped text each literal a row requires occurs wherever the row matches, at the same position.
# (str.lower() is not the same for non-ASCII text: it leaves U+017F alone and makes U+0130 two characters.)
_FOLD = str.maketrans({**{c: c.lower() for c in string.ascii_uppercase},
                       "\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})


def reason_from_text(text: str) -> Verdict | None:
    """The first reason, in priority order, whose phrases occur in *text*."""
    text = text[:MAX_PHRASE_TEXT]
    # A substring test is ~100x cheaper than a case-insensitive regex search: search only the rows all
    # of whose literals occur, from where a match can start. Each reason's rows as one alternation
    # would match at the leftmost position where any row matches, taking the first row in file order
    # there; searching the admitted rows one by one, in rank order, finds the same row.
    rows = phrase_index().rows
    folded = text.lower() if text.isascii() else text.translate(_FOLD)
    admitted = _admitted_rows(folded)
    best: _Row | None = None
    best_start = 0
    reason = ""
    for rank in sorted(admitted):
        row = rows[rank]
        if row.reason != reason:
            if best is not None:
                break  # a row of a reason of higher priority matched
            reason = row.reason
        if row.others and not row.may_match(folded):
            continue  # a further literal it requires is missing
        # no match starts before its first literal, less the row's lead
        m = row.search(text, max(admitted[rank] - row.lead, 0))
        if m is not None and (best is None or m.start() < best_start):
            best, best_start = row, m.start()
    return best.verdict if best is not None else None


def reason_from_status(status: str) -> Verdict | None:
    if not status:
        return None
    return _status_verdicts().get("X." + status.split(".", 1)[1])


@cache
def _status_verdicts() -> dict[str, Verdict]:
    """The verdict for each class-free status code that names a reason."""
    return {key: Verdict(reason, f"status:{key}") for key, reason in STATUS_REASONS.items() if reason}


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


# The reasons some refinement applies to.
_REFINED = frozenset(key for key, _ in _REFINEMENTS)  # reasons and phrase row ids that may be refined


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
    if verdict.reason not in _REFINED and verdict.evidence.removeprefix("phrase:") not in _REFINED:
        return verdict  # nothing below could change it
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
