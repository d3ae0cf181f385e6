"""The cheap prefilters (sniff literals, phrase-row literals, rhost suffix lookup, reply-word checks)
decide exactly what the full regex searches they stand in front of decide."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncekit.formats import einsundeins, exim, mailmarshalsmtp, notes, qmail, v5sendmail
from bouncekit.message import MessageView, read_message
from bouncekit.reasons import Verdict, reason_from_text
from bouncekit.reasons.rhost import RHOST_RULES, _by_suffix, _named_by
from bouncekit.reasons.tables import REASON_PRIORITY, phrases
from bouncekit.reply import _COMMAND, _COMMAND_NAMES, _HOST_WORDS, _RCPT_REFUSAL, _REMOTE_HOST, smtp_command

from .conftest import shared_path


def _exim(view: MessageView) -> bool:
    if view.header("x-failed-recipients") and "exim" in view.header("received").lower():
        return True
    return exim._LIST_START.search(view.body_text[:8000]) is not None and (
        "mail delivery software" in view.body_text[:2000] or bool(view.header("x-failed-recipients"))
        or "exim" in " ".join(v for k, v in view.header_list if k == "received").lower())


def _einsundeins(view: MessageView) -> bool:
    head = view.body_text[:6000]
    return bool(einsundeins._FAILED.search(head)) and bool(
        einsundeins._FROM.search(view.header("from")) or einsundeins._END.search(head))


# Each sniff as it was before its literal prefilter.
REFERENCE_SNIFFS: dict[ModuleType, Callable[[MessageView], bool]] = {
    exim: _exim,
    einsundeins: _einsundeins,
    qmail: lambda view: bool(qmail._BANNER.search(view.body_text[:1500])),
    v5sendmail: lambda view: (v5sendmail._END.search(view.body_text) is not None
                              and v5sendmail._START.search(view.body_text) is not None),
    notes: lambda view: bool(notes._REASONS.search(view.body_text[:4000])),
    mailmarshalsmtp: lambda view: (mailmarshalsmtp._BECAUSE.search(view.body_text[:4000]) is not None
                                   and mailmarshalsmtp._AFFECTED.search(view.body_text[:4000]) is not None),
}

HAND_MADE = [
    "Subject: x\n\nThis message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to ONE OR MORE of its\nrecipients. This is a permanent "
    "error.\n\n  a@example.com\n    unknown\n",
    "Subject: x\n\nTHIS IS THE QMAIL-SEND PROGRAM AT example.com.\n<a@example.com>:\nno mailbox\n",
    "Subject: x\n\n   ----- transcript OF session follows -----\n550 <a@example.com>... User unknown\n"
    "   ----- UNSENT message follows -----\n",
    "Subject: x\n\nThe following address(es)\nfailed:\n\n  a@example.com\n"
    "--- The header of the original message is following. ---\n",
    "Subject: x\n\n------- Failure Reasons --------\n\nUser not listed\na@example.com\n",
    "Subject: x\n\nCOULD NOT BE DELIVERED BECAUSE OF\n\nbad\n\nThe following recipients were affected:\n"
    "    a@example.com\n",
    "Subject: x\n\nThe message \u212aould not be delivered to all of its recipients. \u00e9\n\n",
]


def _corpus() -> list[Path]:
    root = shared_path("corpus", "bounces", "maildir")
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_sniffs_agree_on_the_corpus() -> None:
    for path in _corpus():
        view = read_message(path.read_bytes())
        for module, reference in REFERENCE_SNIFFS.items():
            assert module.sniff(view) == reference(view), (module.NAME, path.name)


@pytest.mark.parametrize("message", HAND_MADE)
def test_sniffs_agree_on_hand_made_samples(message: str) -> None:
    view = read_message(message)
    for module, reference in REFERENCE_SNIFFS.items():
        assert module.sniff(view) == reference(view), module.NAME


@cache
def _phrase_patterns() -> list[tuple[str, re.Pattern[str], list[str]]]:
    """One alternation per reason, in priority order, with its row ids; each branch is a named group."""
    by_reason: dict[str, list[tuple[str, str]]] = {}
    for row_id, reason, pattern in phrases():
        by_reason.setdefault(reason, []).append((row_id, pattern))
    compiled = []
    for reason in REASON_PRIORITY:
        rows = by_reason.get(reason, [])
        if rows:
            alternation = "|".join(f"(?P<r{i}>{p})" for i, (_, p) in enumerate(rows))
            compiled.append((reason, re.compile(alternation, re.IGNORECASE), [row_id for row_id, _ in rows]))
    return compiled


def reference_reason(text: str) -> Verdict | None:
    """Each reason's whole alternation, in priority order (what reason_from_text computed before)."""
    for reason, pattern, row_ids in _phrase_patterns():
        m = pattern.search(text[:4096])
        if m is not None:
            index = int(next(k for k, v in m.groupdict().items() if v is not None)[1:])
            return Verdict(reason, f"phrase:{row_ids[index]}")
    return None


def _texts() -> list[str]:
    texts = [line for p in sorted(shared_path("corpus", "logs").rglob("*")) if p.is_file()
             for line in p.read_text(errors="replace").splitlines()]
    return texts + [line.upper() for line in texts[:2000]] + [line.translate(_UNFOLD) for line in texts[:2000]]


# The characters outside ASCII that re.IGNORECASE takes for an ASCII letter, put in place of that letter.
_UNFOLD = str.maketrans({"i": "\u0131", "I": "\u0130", "s": "\u017f", "K": "\u212a"})


def test_reason_from_text_agrees_on_log_lines() -> None:
    for text in _texts():
        assert reason_from_text(text) == reference_reason(text), text


# fragments of real phrases glued together, so that several rows and reasons compete in one text
_WORDS = st.sampled_from([" ", "user unknown", "mailbox full", "over quota", "blocked", "spam", "550", "5.1.1",
                          "relay", "not permitted", "No Such User", "MAILBOX", "rbl", "timeout", "\n", "é",
                          "u\u017fer unknown", "M\u0130LBOX", "\u212aeep", "ma\u0131lbox full", "İ"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=12).map("".join))
def test_reason_from_text_agrees_on_mixed_phrases(text: str) -> None:
    assert reason_from_text(text) == reference_reason(text)


@pytest.mark.parametrize("name", ["mx.orange.fr", "orange.fr", "xorange.fr", "a..wanadoo.fr", ".gmail.com",
                                  "aspmx.l.google.com", "mimecast.co.za", "co.za", "docomo.ne.jp", "", "fr"])
def test_suffix_lookup_names_the_providers_the_suffix_rule_names(name: str) -> None:
    for by_recipient in (False, True):
        found: set[int] = set()
        _named_by(name, by_recipient, found)
        expected = {n for n, p in enumerate(RHOST_RULES) if (p.by_recipient or not by_recipient)
                    and any(name == h or name.endswith("." + h) for h in p.hosts)}
        assert found == expected
    assert set(_by_suffix()) == {h for p in RHOST_RULES for h in p.hosts}


@pytest.mark.parametrize("text", ["550 5.1.1 unknown (in reply to RCPT TO command)", "after end of data: 550",
                                  ">>> DATA\n<<< 554 no", "WHILE SENDING the DATA", "host mx.example.com [1.2.3.4]",
                                  "Remote-MTA: dns; mx.example.com", "while talking to mx.example.com.:", "550 no",
                                  "AFTER RCPT TO", "é after MAIL FROM", "\u212aeep host a.b.cc [",
                                  "unknown (in reply to\n    RCPT TO command)", "in\n reply to end of\n data",
                                  "... while talking to mx.example.com.:\n<<< 554 no\n>>> QUIT\n<<< 421 bye",
                                  "550 5.1.1 <a@b.example>: Recipient address rejected: User unknown"])
def test_reply_word_checks_keep_the_command_and_host(text: str) -> None:
    found = ["CONN" if m.group("greeting") else " ".join(m.group("cmd").upper().split())
             for m in _COMMAND.finditer(text)]
    expected = found[-1] if found else ""
    assert smtp_command(text) == (_COMMAND_NAMES.get(expected, expected)
                                  or ("RCPT" if _RCPT_REFUSAL.search(text) else ""))
    if text.isascii() and _REMOTE_HOST.search(text) is not None:
        assert any(w in text.lower() for w in _HOST_WORDS)


def test_without_the_private_regex_parser_every_row_is_searched_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    import bouncekit.reasons as reasons

    texts = ["550 5.1.1 User unknown", "Client host blocked using zen.spamhaus.org", "mailbox is full",
             "Connection timed out", "Message expired", "relay access denied", "nothing to see here"]
    filtered = [reasons.reason_from_text(t) for t in texts]
    monkeypatch.setattr(reasons, "_sre_parser", None)
    reasons.phrase_index.cache_clear()
    try:
        assert [reasons.reason_from_text(t) for t in texts] == filtered
    finally:
        reasons.phrase_index.cache_clear()
