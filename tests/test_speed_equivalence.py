"""The faster readers (reply-code hints, command search from word positions, partition-based field
reading, the inline-report search, the records' direct __init__) give exactly what the plain regex
or dataclass forms they replace give."""

from __future__ import annotations

import itertools
import re
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncekit.formats import rfc3464
from bouncekit.formats.base import read_fields
from bouncekit.reasons import _FOLD
from bouncekit.reply import (
    _CODE,
    _COMMAND,
    _COMMAND_NAMES,
    _STATUS_AFTER_CODE,
    _STATUS_ALONE,
    _find_start,
    _is_reply_start,
    smtp_command,
    status_in_text,
)

# fragments of real replies, transcripts and DSN fields, glued so that marks and words meet anywhere
_PIECES = st.sampled_from([
    " ", "\n", "\t", ">>> ", ">>> DATA\n", "<<< 550 5.1.1 no\n", "after ", "AFTER RCPT TO:<a@b.example>",
    "in reply to end of DATA command", "While Sending the ", "MAIL FROM", "550", "550-", "#550 ", "5.1.1",
    "#5.7.1", "4.2.2 ", "x250 ", "1.550", "said: ", "smtp; ", "Final-Recipient: rfc822; a@b.example",
    "Reporting-MTA: dns; mx.example", "é", "\u212a", "İ", "user unknown", "a" * 40,
])
_TEXTS = st.lists(_PIECES, max_size=30).map("".join)


def _reference_command(text: str, first: bool) -> str:
    found = [m.group("cmd").upper() for m in _COMMAND.finditer(text)]
    chosen = (found[0] if first else found[-1]) if found else ""
    return _COMMAND_NAMES.get(chosen, chosen)


@settings(max_examples=400, deadline=None)
@given(_TEXTS, st.booleans())
def test_command_search_from_word_positions_finds_what_finditer_finds(text: str, first: bool) -> None:
    assert smtp_command(text, first) == _reference_command(text, first)


@settings(max_examples=400, deadline=None)
@given(_TEXTS)
def test_code_hints_keep_the_first_reply_code_and_status(text: str) -> None:
    expected = None
    for m in _CODE.finditer(text):  # _find_start without its hint
        status = _STATUS_AFTER_CODE.match(text, m.end()) if m.group("sep") else None
        if status is not None or _is_reply_start(text, m.start()):
            expected = (m.span(), status and status.span())
            break
    found = _find_start(text)
    assert (found and (found[0].span(), found[1] and found[1].span())) == expected
    alone = _STATUS_ALONE.search(text)
    assert status_in_text(text) == (alone.group("status") if alone else "")


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
