"""The knowledge base: language-neutral facts (facts.json) joined with texts per language, loaded lazily."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from .._errors import UnknownLanguageError
from ..model import StatusCode

LANGUAGES = ("en", "ru", "bg")
TEXT_PARTS = ("codes", "vendor", "ui")
TEXT_FIELDS = ("title", "meaning", "causes", "action")


_DATA = Path(__file__).resolve().parent / "data"


def _read_json(*path: str) -> Any:
    return json.loads(_DATA.joinpath(*path).read_text(encoding="utf-8"))


@cache
def facts() -> dict[str, dict[str, dict[str, Any]]]:
    loaded: dict[str, dict[str, dict[str, Any]]] = _read_json("facts.json")
    return loaded


@cache
def texts(lang: str) -> dict[str, Any]:
    """Every text of one language: code entries by id, plus the ``ui`` strings."""
    if lang not in LANGUAGES:
        raise UnknownLanguageError(f"no texts in language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    merged: dict[str, Any] = {}
    for part in TEXT_PARTS:
        merged.update(_read_json("texts", lang, f"{part}.json"))
    return merged


def entry(lang: str, key: str) -> dict[str, Any]:
    """The texts of one knowledge-base row; raises KeyError when it is missing."""
    found: dict[str, Any] = texts(lang)[key]
    return found


def ui(lang: str, key: str, **values: object) -> str:
    template: str = texts(lang)["ui"][key]
    return template.format(**values) if values else template


# --- vendor rows --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class VendorRow:
    id: str
    provider: str
    facts: dict[str, Any]
    status_ranges: tuple[tuple[int, int, int, int], ...]
    """(class, subject, first detail, last detail) for each enhanced code or range the row names."""
    basic_codes: tuple[str, ...]
    tag: re.Pattern[str] | None


_RANGE = re.compile(r"([245])\.(\d{1,3})\.(\d{1,3})(?:-(\d{1,3}))?")


def _tag_pattern(tag: str) -> re.Pattern[str] | None:
    """Turn a provider tag from vendor_codes.csv ('SC-001', 'AS(xxxx)', 'BL* (e.g. [BL21])') into a regex."""
    tag = re.sub(r"\((?:e\.g\.|in text|TS\*)[^)]*\)|\b(?:family|etc\.|suffix)\b", " ", tag)
    alternatives = []
    for token in re.split(r"\s*[/;]\s*", tag):
        token = token.strip()
        if not token:
            continue
        pattern = re.escape(token)
        pattern = pattern.replace("xxxx", r"\d+").replace("xxx", r"\d+").replace(r"\*", r"[A-Z]*\d+")
        alternatives.append(pattern)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w.])(?:" + "|".join(alternatives) + r")(?![\w])")


@cache
def vendor_rows() -> tuple[VendorRow, ...]:
    rows = []
    for key, row in facts()["vendor"].items():
        ranges = []
        for code in row["enhanced_codes"]:
            m = _RANGE.fullmatch(code)
            if m:
                first = int(m.group(3))
                ranges.append((int(m.group(1)), int(m.group(2)), first, int(m.group(4) or first)))
        basic = tuple(c for c in row["basic_codes"] if c.isdigit())
        rows.append(VendorRow(key, row["provider"], row, tuple(ranges), basic, _tag_pattern(row["tag"])))
    return tuple(rows)


def vendor_matches(status: StatusCode | None, reply_code: str, text: str) -> list[VendorRow]:
    """Provider rows that give *status* (or, for rows without an enhanced code, *reply_code*) a meaning.

    With a reply text, a row that names a provider tag must find that tag in the text, and a row
    without an enhanced code needs its tag; for a bare code every row of that code is shown.
    """
    found = []
    for row in vendor_rows():
        if status is not None and row.status_ranges:
            hit = any(k == status.klass and s == status.subject and lo <= status.detail <= hi
                      for k, s, lo, hi in row.status_ranges)
        elif not row.status_ranges and reply_code:
            hit = reply_code in row.basic_codes
            if text:
                hit = hit and row.tag is not None and row.tag.search(text) is not None
        else:
            hit = False
        if hit:
            found.append(row)
    return found
