"""The grammar of codes: RFC 5321 s4.2 reply codes and RFC 3463 s2 enhanced status codes."""

from __future__ import annotations

import pytest

from bouncekit import CodeSyntaxError, StatusCode, explain
from bouncekit.codes.grammar import check_reply_code, parse_status


@pytest.mark.parametrize(("text", "expected"), [
    ("5.1.1", StatusCode(5, 1, 1)),
    ("4.2.2", StatusCode(4, 2, 2)),
    ("2.0.0", StatusCode(2, 0, 0)),
    ("5.7.999", StatusCode(5, 7, 999)),
    ("5.123.456", StatusCode(5, 123, 456)),
    ("#5.1.10", StatusCode(5, 1, 10)),
])
def test_well_formed_status_codes_parse(text: str, expected: StatusCode) -> None:
    assert parse_status(text) == expected


@pytest.mark.parametrize(("text", "complaint"), [
    ("6.1.1", "class must be 2"),
    ("3.1.1", "class must be 2"),
    ("5.1", "three parts"),
    ("5.1.1.1", "three parts"),
    ("5.1.1234", "detail has at most three digits"),
    ("5.1234.1", "subject has at most three digits"),
    ("55.1.1", "class has one digit"),
    ("5.01.1", "leading zero"),
    ("5.1.01", "leading zero"),
    ("5..1", "subject must be digits"),
])
def test_ill_formed_status_codes_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(CodeSyntaxError, match=complaint):
        parse_status(text)


@pytest.mark.parametrize(("text", "complaint"), [
    ("1234", "exactly three digits"),
    ("55", "exactly three digits"),
    ("650", "first digit must be 2, 3, 4 or 5"),
    ("170", "first digit must be 2, 3, 4 or 5"),
    ("560", "second digit must be 0-5"),
    ("abc", "three digits"),
])
def test_ill_formed_reply_codes_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(CodeSyntaxError, match=complaint):
        check_reply_code(text)


@pytest.mark.parametrize("code", ["6.1.1", "5.1", "5.1.1234", "1234", "599.1"])
def test_explain_refuses_ill_formed_codes(code: str) -> None:
    with pytest.raises(CodeSyntaxError):
        explain(code)


def test_explain_refuses_text_without_any_code() -> None:
    with pytest.raises(ValueError, match="not a reply code"):
        explain("abc")


@pytest.mark.parametrize(("code", "severity"), [("5.7.999", "permanent"), ("4.9.9", "temporary"),
                                                 ("2.6.12", "success")])
def test_unregistered_enhanced_codes_are_read_by_their_structure(code: str, severity: str) -> None:
    (c,) = explain(code).codes
    assert not c.registered
    assert c.severity == severity
    assert c.code in c.title
    assert [p.part for p in c.parts] == ["class", "subject", "detail"]
    assert "not registered" in c.parts[2].meaning
    assert c.causes and c.action


def test_unregistered_subject_is_said_to_be_unregistered() -> None:
    (c,) = explain("4.9.9").codes
    assert "Subject 9 is not defined" in c.parts[1].meaning
    assert "4.0.0" in c.parts[1].meaning


def test_unregistered_reply_code_is_read_by_its_digits() -> None:
    (c,) = explain("457").codes
    assert not c.registered
    assert c.severity == "temporary"
    assert [p.value for p in c.parts] == ["4", "5", "7"]
    assert "457" in c.title
