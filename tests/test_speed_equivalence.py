"""The faster readers (reply-code hints, command search from word positions, partition-based field
reading, the inline-report search, the records' direct __init__, the word checks before the command
and host searches, the phrase rows' word-start literals, the provider marker test, the engine's
shortcut for words without codes) give exactly what the plain regex or dataclass forms they replace
give."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import re
import sys
import tempfile
from functools import cache
from typing import Any
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bouncekit import engine, io
from bouncekit.formats import rfc3464
from bouncekit.formats.base import Facts, read_fields
from bouncekit.message import SNIFF_CHARS, MessageView, Part
from bouncekit.model import Delivery, Reply
from bouncekit.reasons import _FOLD, reason_from_text
from bouncekit.reasons.rhost import _markers, _providers_marked
from bouncekit.reasons.tables import phrases
from bouncekit.reply import (
    _CODE,
    _COMMAND,
    _COMMAND_NAMES,
    _LINE_PREFIX,
    _PROSE_LEAD,
    _RCPT_REFUSAL,
    _REMOTE_HOST,
    _STATUS_AFTER_CODE,
    _STATUS_ALONE,
    _context,
    _find_start,
    may_hold_code,
    smtp_command,
    status_in_text,
)

from .test_dispatch import reference_reason

# fragments of real replies, transcripts and DSN fields, glued so that marks and words meet anywhere
_PIECES = st.sampled_from([
    " ", "\n", "\t", ">>> ", ">>> DATA\n", "<<< 550 5.1.1 no\n", "after ", "AFTER RCPT TO:<a@b.example>",
    "in reply to end of DATA command", "While Sending the ", "MAIL FROM", "550", "550-", "#550 ", "5.1.1",
    "#5.7.1", "4.2.2 ", "x250 ", "1.550", "said: ", "smtp; ", "Final-Recipient: rfc822; a@b.example",
    "in reply to\n    RCPT TO command", "in\r\n reply", " reply ", "RCPT\n", "in",
    "... while talking to mx.example.:\n", "<<< 421 closing\n", ">>> QUIT\n", "Recipient address rejected",
    "recipient\n  ADDRESS rejected:",
    "Reporting-MTA: dns; mx.example", "é", "\u212a", "İ", "user unknown", "a" * 40, "S: ", "ab ", "  \t ", "c <- ",
    "SAID ", "waſ\t", "Answered", "error:", "(", "reply", "response  ",
])
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


def _reference_name(m: re.Match[str]) -> str:
    # a refused greeting answers the connection; a folded "RCPT\n TO" is "RCPT TO"
    return "CONN" if m.group("greeting") else " ".join(m.group("cmd").upper().split())


def _reference_command(text: str, first: bool) -> str:
    found = [_reference_name(m) for m in _COMMAND.finditer(text)]
    chosen = (found[0] if first else found[-1]) if found else ""
    # words that name no command outright name one only where nothing else does
    return _COMMAND_NAMES.get(chosen, chosen) or ("RCPT" if _RCPT_REFUSAL.search(text) else "")


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.booleans())
def test_command_search_from_word_positions_finds_what_finditer_finds(text: str, first: bool) -> None:
    assert smtp_command(text, first) == _reference_command(text, first)


# the same patterns without their leading lookahead of first characters
_FIRST_CHARS = re.compile(r"\(\?=\[[^\]]+\]\)")


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.sampled_from(["İn", "ın", "WHİLE", "\u212a", "ſ", "REPLY", "i", "w", "r"])),
                max_size=30).map("".join))
def test_first_character_lookaheads_change_no_match(text: str) -> None:
    for pattern in (_COMMAND, _RCPT_REFUSAL):
        plain = re.compile(_FIRST_CHARS.sub("", pattern.pattern, count=1), pattern.flags)
        assert [(m.span(), m.groupdict()) for m in pattern.finditer(text)] == [
            (m.span(), m.groupdict()) for m in plain.finditer(text)]


# _LINE_PREFIX without its possessive quantifiers
_PLAIN_LINE_PREFIX = re.compile(_LINE_PREFIX.pattern.replace("*+", "*"))


def _reference_reply_start(text: str, start: int) -> bool:
    before = text[text.rfind("\n", 0, start) + 1:start]
    return bool(_PLAIN_LINE_PREFIX.match(before) or _PROSE_LEAD.search(before[-40:]))


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
@example("The answer waſ\t550 no")  # (re.I matches U+017F to 's')
@example("x 550 a 451 b " * 50 + "said: 550 no")
def test_code_hints_keep_the_first_reply_code_and_status(text: str) -> None:
    expected = None
    for m in _CODE.finditer(text):  # _find_start without its hint, each line start looked for afresh
        status = _STATUS_AFTER_CODE.match(text, m.end()) if m.group("sep") else None
        if status is not None or _reference_reply_start(text, m.start()):
            expected = (m.span(), status and status.span())
            break
    found = _find_start(text)
    assert (found and (found[0].span(), found[1] and found[1].span())) == expected
    alone = _STATUS_ALONE.search(text)
    assert status_in_text(text) == (alone.group("status") if alone else "")
    assert may_hold_code(text) == (expected is not None or alone is not None)


_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$")


def _reference_fields(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    name = ""
    for line in block.split("\n"):
        if line[:1] in (" ", "\t") and name:
            fields[name] += " " + line.strip()
            continue
        m = _FIELD.match(line)
        if m:
            name = m.group(1).lower()
            if name in fields:
                name = ""
                continue
            fields[name] = m.group(2).strip()
        else:
            name = ""
    return fields


@pytest.mark.parametrize("block", [
    "Final-Recipient: rfc822; a@b.example\nAction: failed\nStatus: 5.1.1",
    "Diagnostic-Code: smtp; 550 5.1.1\n  folded words\n\tmore\nStatus:5.0.0",
    "X-Actual-Recipient: rfc822;a@b.example\nx-actual-recipient: second\n folded repeat",
    "1bad: no\n-bad: no\nbad name: no\nbäd: no\n\u212aey: no\nok-2: yes\n: empty\nA:",
    "Status: 5.1.1 \r\nAction:\tfailed\r\n\r\n",
])
def test_read_fields_reads_what_the_field_regex_reads(block: str) -> None:
    assert read_fields(block) == _reference_fields(block)


_FIELD_PIECES = st.sampled_from([
    "Status", "status", "X-Actual-Recipient", "A", "1x", "-x", "b\u00e4d", "\u212aey", "bad name", ":", ": ", ";",
    " ", "\t", "\n", "\r", "\r\n", "\n ", "\n\t", "\n\n", "5.1.1", "rfc822; a@b.example", "x:y", "\u00e9",
])


@settings(max_examples=500, deadline=None)
@given(st.lists(_FIELD_PIECES, max_size=40).map("".join))
def test_read_fields_agrees_with_the_line_by_line_reader_on_any_text(block: str) -> None:
    assert read_fields(block) == _reference_fields(block)


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_inline_report_search_finds_what_the_regex_finds(text: str) -> None:
    m = rfc3464._INLINE_STATUS.search(text)
    assert rfc3464._inline_start(text) == (m.start() if m else -1)


def _reference_recipient_blocks(block: str) -> list[str]:
    lines = block.split("\n")
    starts = [0]
    seen_final = False
    for i, line in enumerate(lines):
        if line[:16].lower() == "final-recipient:":
            if seen_final:
                starts.append(i - 1 if lines[i - 1][:19].lower() == "original-recipient:" else i)
            seen_final = True
    starts.append(len(lines))
    return ["\n".join(lines[a:b]) for a, b in itertools.pairwise(starts) if a < b]


_DSN_LINES = st.sampled_from(["Final-Recipient: rfc822; a@b.example", "FINAL-RECIPIENT: x", "Original-Recipient: o",
                              "Action: failed", " x final-recipient: y", "İfinal-recipient:", ""])


@settings(max_examples=300, deadline=None)
@given(st.lists(_DSN_LINES, max_size=8).map("\n".join))
def test_recipient_blocks_split_as_before(block: str) -> None:
    assert rfc3464._recipient_blocks(block) == _reference_recipient_blocks(block)


def test_fold_maps_every_character_that_ignorecase_takes_for_an_ascii_letter() -> None:
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, sys.maxunicode + 1) if letter.match(chr(c))}
    assert found == {chr(c) for c in _FOLD if c >= 0x80}
    for char in found:
        assert re.fullmatch(_FOLD[ord(char)], char, re.IGNORECASE)


_CONTEXT_PIECES = st.sampled_from([
    " ", "\n", "host mx.example.com[192.0.2.1]", "HOST a.b.cc [", "host 192.0.2.1 [", "while talking to mx.a.example.:",
    "While Talking To x:", "Remote-MTA: dns; mx.example.com", "remote-mta:", "ghost", "after", "in reply to",
    ">>> RCPT TO:<a@b.example>", "said: 550 5.1.1 no", "\u212aeep", "é", "İ", "a" * 20,
])


def _reference_context(text: str) -> tuple[str, str]:
    command = _reference_command(text, first=False)
    host = _REMOTE_HOST.search(text)
    return command, next((g for g in host.groups() if g), "") if host else ""


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_PIECES, _CONTEXT_PIECES), max_size=20).map("".join))
def test_word_checks_keep_the_command_and_host(text: str) -> None:
    assert _context(text) == _reference_context(text)


# words as decoders and classify_reply leave them: no reply code, no enhanced code (mostly)
_WORD_PIECES = st.sampled_from([
    " ", "\n", "\r\n", "\t", "User unknown", "(in reply to RCPT TO command)", "after end of DATA",
    ">>> DATA\n", "host mx.example.com[192.0.2.1] said:", "while talking to mx.example.:", "'quoted'", "##", "é",
    "5", "x.5", "25", "Mailbox full", "\u212a", "[192.0.2.225]", "in 840 minutes", "error 255", "550 5.1.1 ",
    "4.4.2", "\n421 ", "said: 554",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_WORD_PIECES, max_size=12).map("".join), st.sampled_from(["", "RCPT"]),
       st.sampled_from(["", "mx.example"]), st.sampled_from(["", "5.0.0", "4.4.7"]),
       st.sampled_from(["", "550", "421"]), st.sampled_from(["", "smtp", "X-UNIX"]))
def test_words_without_codes_complete_facts_as_reading_their_reply_does(
        text: str, command: str, host: str, status: str, code: str, diagnostic_type: str) -> None:
    fast = Facts(diagnostic_code=text, smtp_command=command, remote_mta=host, status=status, reply_code=code,
                 diagnostic_type=diagnostic_type)
    read = dataclasses.replace(fast)
    with mock.patch.object(engine, "may_hold_code", lambda _: True):  # always read the reply
        expected = engine._complete(read)
    assert engine._complete(fast) == expected
    assert fast == read


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_WORD_PIECES, st.sampled_from([m for m, _ in _markers()])), max_size=8).map("".join))
def test_marker_test_finds_the_providers_the_full_test_finds(text: str) -> None:
    lowered = text.lower()
    assert _providers_marked(lowered) == {n for m, n in _markers() if m in lowered}


@cache
def _plain_twin(cls: type[Any]) -> type[Any]:
    """*cls* as a plain frozen slots dataclass: the same fields, with the __init__ dataclasses generates."""
    return dataclasses.make_dataclass(
        cls.__name__, [(f.name, f.type, dataclasses.field(default=f.default)) for f in dataclasses.fields(cls)],
        frozen=True, slots=True)


_VALUES = st.one_of(st.text(max_size=4), st.integers(), st.booleans(), st.none())


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from([Delivery, Reply]))
def test_records_direct_init_makes_what_the_dataclass_init_makes(data: st.DataObject, cls: type[Any]) -> None:
    plain = _plain_twin(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = data.draw(st.dictionaries(st.sampled_from(names), _VALUES))
    record, expected = cls(**kwargs), plain(**kwargs)
    assert dataclasses.astuple(record) == dataclasses.astuple(expected)
    assert repr(record) == repr(expected) and hash(record) == hash(expected)
    positional = data.draw(st.lists(_VALUES, max_size=len(names)))
    assert dataclasses.astuple(cls(*positional)) == dataclasses.astuple(plain(*positional))
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.__setattr__(names[0], "changed")


@pytest.mark.parametrize("cls", [Delivery, Reply])
def test_records_direct_init_takes_the_dataclass_init_arguments(cls: type[Any]) -> None:
    assert inspect.signature(cls) == inspect.signature(_plain_twin(cls))
    with pytest.raises(TypeError):
        cls(unknown_field=1)


@cache
def _row_matches() -> st.SearchStrategy[str]:
    """Texts that one phrase row or another matches whole."""
    return st.one_of([st.from_regex(re.compile(pattern, re.IGNORECASE), fullmatch=True)
                      for _, _, pattern in phrases()])


# what may stand next to a phrase: nothing, white space, a word character (ASCII or not), punctuation
_GLUE = st.sampled_from(["", " ", "\n", "_", "x", "9", ".", "<", ":", "-", "é", "İ", "\u212a", "ß"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.deferred(lambda: _row_matches()), _GLUE), max_size=6).map("".join), st.booleans())
def test_phrase_rows_found_by_word_start_literals_are_the_rows_the_alternations_find(text: str, upper: bool) -> None:
    text = text.upper() if upper else text
    assert reason_from_text(text) == reference_reason(text)


_SNIFF_PIECES = st.sampled_from(["qmail-send", "QMAIL-SEND", "Address(es) failed:", "\u212a", "K", "\u0130", "\u0131",
                                 "\u017f", "S", "I", "é", "日本", " ", "\n", "could not be delivered because of"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_SNIFF_PIECES, max_size=30).map("".join),
       st.sampled_from(["qmail-send", "address(es) failed:", "kis", "could not be delivered because of"]))
def test_the_folded_head_holds_every_literal_a_case_insensitive_search_finds(text: str, literal: str) -> None:
    view = MessageView({}, [], parts=[Part("text/plain", text)])
    folded = view.head_folded
    found = re.search(re.escape(literal), view.body_text[:SNIFF_CHARS], re.IGNORECASE)
    if folded and found:
        assert folded.find(literal, found.start()) == found.start()


# The mbox splitter as one regex over the whole file: what io._separators() and io._unquote() replace.
_REFERENCE_SEPARATOR = re.compile(
    rb"\n\r?\n(?P<line>From [^\n]{0,998}\n)"
    rb"|\n(?P<dated>From [^\s]{1,256} {1,2}(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
    rb"|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}[^\n]{0,80}\r?\n)")
_REFERENCE_QUOTED = re.compile(rb"^>(>*From )", re.MULTILINE)


def _reference_mbox(data: bytes) -> list[bytes]:
    start = data.index(b"\n") + 1
    messages = []
    for match in _REFERENCE_SEPARATOR.finditer(data, start):
        messages.append(data[start:match.start("line") if match.group("line") is not None else match.start("dated")])
        start = match.end()
    if data[start:]:
        messages.append(data[start:])
    return [_REFERENCE_QUOTED.sub(rb"\1", m) for m in messages]


_MBOX_PIECES = st.sampled_from([
    b"\n", b"\r\n", b"\n\n", b"From ", b"From a@b.example  Thu Jan  1 00:00:00 2026\n", b">From ", b">>From x\n",
    b"From x\n", b"Subject: s\n", b"body text ", b"x" * 1000, b"\r", b">", b"From  Mon Feb 30 99:99:99 0000\r\n",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_MBOX_PIECES, max_size=40).map(b"".join), st.integers(min_value=1, max_value=200))
def test_the_mbox_splitter_finds_what_one_regex_finds(body: bytes, read_size: int) -> None:
    data = b"From first@example  Thu Jan  1 00:00:00 2026\n" + body
    chunks = [data[i:i + read_size] for i in range(0, len(data), read_size)]
    found = [item.data for item in io._mbox_messages(iter(chunks), "box") if isinstance(item, io.Item)]
    assert found == _reference_mbox(data)
    # ... and where a worker process reads them back from the file
    with tempfile.NamedTemporaryFile() as box:
        box.write(data)
        box.flush()
        entries = io._mbox_messages(iter(chunks), "box", box.name)
        regions = io.read_entries(r for r in entries if isinstance(r, io.Region))
        assert [r.data for r in regions if isinstance(r, io.Item)] == found


_ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=()), max_size=20)


@settings(max_examples=300, deadline=None)
@given(st.fixed_dictionaries({
    "source": _ANY_TEXT, "recipient": _ANY_TEXT, "diagnostic_code": _ANY_TEXT, "subject": _ANY_TEXT,
    "message_index": st.integers(min_value=-(10 ** 20), max_value=10 ** 20),
    "line": st.none() | st.integers(), "hard_bounce": st.booleans(), "permanent": st.none() | st.booleans(),
    "retry_after": st.none() | st.integers(min_value=0),
}))
def test_records_written_by_template_are_what_the_json_module_writes(values: dict[str, Any]) -> None:
    import json

    record = Delivery(**values)
    assert io.json_object(record) == json.dumps(io.record_values(record), ensure_ascii=False)


@pytest.mark.parametrize("values", [
    {"recipient": 1.5},  # not a string in a string field
    {"permanent": float("nan"), "line": 2.0, "retry_after": float("inf")},  # nor an int where one belongs
])
def test_a_value_of_another_type_is_written_as_the_json_module_writes_it(values: dict[str, Any]) -> None:
    import json

    record = Delivery(**values)
    assert io.json_object(record) == json.dumps(io.record_values(record), ensure_ascii=False)


# dates in the common form, with each field sometimes out of range or written another way
_DATES = st.tuples(
    st.sampled_from(["Thu, ", "Thu,  ", "thu, ", "Xyz,\t", "", "Thu,"]),
    st.sampled_from(["9", "09", "28", "29", "30", "31", "0", "9x"]),
    st.sampled_from([" Feb ", " Apr ", " Dec ", " apr ", " Apr  ", " April "]),
    st.sampled_from(["2026", "2024", "2000", "1900", "1999", "0000", "26", "10000"]),
    st.sampled_from([" 23:34:45", " 00:00:00", " 24:00:00", " 00:00:60", " 00:60:00", " 23:34", " 1:02:03"]),
    st.sampled_from([" +0900", " -0000", " +0000", " -0830", " +2359", " +2400", " +0960", " GMT", " +09", ""]),
    st.sampled_from(["", " (JST)", " (a (b))", "  (UTC)", " x", "\n"]),
).map("".join)


@settings(max_examples=2000, deadline=None)
@given(_DATES)
@example("Tue, 29 Feb 2000 00:00:00 +0000")  # (leap years: every fourth, not centuries, but every fourth of those)
@example("29 Feb 1900 12:00:00 +0100")
@example("29 Feb 2024 12:00:00 -0000")
@example("Sun, 31 Apr 2026 12:00:00 +0000")
def test_dates_read_directly_are_what_the_stdlib_reads(text: str) -> None:
    from email.utils import parsedate_to_datetime

    try:
        expected = parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError, OverflowError):
        expected = ""
    assert engine._iso_date(text) == expected


def _reference_split_text(fields: str) -> tuple[str, str]:
    """exim._split_text as first written: each round looks for the next ': ' and quote afresh."""
    start = 0
    while True:
        colon = fields.find(": ", start)
        quote = fields.find('"', start)
        if colon < 0:
            return fields, ""
        if quote < 0 or colon < quote:
            return fields[:colon], fields[colon + 2:]
        close = fields.find('"', quote + 1)
        if close < 0:
            return fields[:colon], fields[colon + 2:]
        start = close + 1


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(['"', ": ", ":", " ", "a", 'DN="x: y"', "T=remote_smtp"]), max_size=14).map("".join))
def test_exim_text_is_split_where_it_was(fields: str) -> None:
    from bouncekit.logs.exim import _split_text

    assert _split_text(fields) == _reference_split_text(fields)
