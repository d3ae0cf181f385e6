"""The grammar of reply codes (RFC 5321 s4.2) and enhanced status codes (RFC 3463 s2), with errors
that say exactly which rule an input breaks."""

from __future__ import annotations

import re

from .._errors import CodeSyntaxError
from ..model import StatusCode

_DIGITS_AND_DOTS = re.compile(r"#?[0-9]+(?:\.[0-9]*)*\.?")


def looks_like_code(text: str) -> bool:
    """True when *text* is made only of digits and dots, i.e. the user meant a code, not a reply."""
    return bool(_DIGITS_AND_DOTS.fullmatch(text.strip()))


def check_reply_code(text: str) -> str:
    """Return *text* as a reply code or raise CodeSyntaxError naming the broken rule.

    RFC 5321 s4.2: Reply-code = %x32-35 %x30-35 %x30-39 (three digits; first 2-5, second 0-5).
    """
    code = text.strip()
    if not code.isdigit():
        raise CodeSyntaxError(f"{text!r} is not a reply code: a reply code is three digits, e.g. 550")
    if len(code) != 3:
        raise CodeSyntaxError(
            f"{code!r} is not a reply code: a reply code has exactly three digits, not {len(code)} "
            "(an enhanced status code is written with dots, e.g. 5.1.1)")
    if code[0] not in "2345":
        raise CodeSyntaxError(
            f"{code!r} is not a valid reply code: the first digit must be 2, 3, 4 or 5 "
            "(RFC 5321 s4.2.1; SMTP has no 1yz replies)")
    if code[1] not in "012345":
        raise CodeSyntaxError(
            f"{code!r} is not a valid reply code: the second digit must be 0-5 (RFC 5321 s4.2.1)")
    return code


def parse_status(text: str) -> StatusCode:
    """Parse an enhanced status code or raise CodeSyntaxError naming the broken rule.

    RFC 3463 s2: status-code = class "." subject "." detail; class = "2" / "4" / "5";
    subject = 1*3digit; detail = 1*3digit; no leading zeros in a sub-code.
    """
    raw = text.strip().lstrip("#")
    fields = raw.split(".")
    if len(fields) != 3:
        raise CodeSyntaxError(
            f"{text.strip()!r} is not an enhanced status code: it needs three parts, "
            f"class.subject.detail (e.g. 5.1.1), and has {len(fields)}")
    names = ("class", "subject", "detail")
    for name, value in zip(names, fields, strict=True):
        if not value.isdigit():
            raise CodeSyntaxError(f"{raw!r} is not an enhanced status code: the {name} must be digits")
        if len(value) > 3 or (name == "class" and len(value) > 1):
            limit = "one digit" if name == "class" else "at most three digits"
            raise CodeSyntaxError(
                f"{raw!r} is not a valid enhanced status code: the {name} has {limit} (RFC 3463 s2)")
        if len(value) > 1 and value[0] == "0":
            raise CodeSyntaxError(
                f"{raw!r} is not a valid enhanced status code: the {name} {value!r} has a leading zero "
                "(RFC 3463 s2)")
    if fields[0] not in ("2", "4", "5"):
        raise CodeSyntaxError(
            f"{raw!r} is not a valid enhanced status code: the class must be 2 (success), "
            "4 (persistent transient failure) or 5 (permanent failure) (RFC 3463 s3.1)")
    return StatusCode(int(fields[0]), int(fields[1]), int(fields[2]))
