"""The knowledge base is complete: every code, every field, every language."""

from __future__ import annotations

import csv
import re

import pytest

from bouncekit import explain
from bouncekit.codes import kb
from bouncekit.explain import explain_reply_code, explain_status

from .conftest import shared_path

FACTS = kb.facts()
CODE_IDS = (
    [f"reply.{code}" for code in FACTS["reply"]]
    + list(FACTS["enhanced"])
    + [f"reply_digit1.{d}" for d in "2345"]
    + [f"reply_digit2.{d}" for d in "012345"]
    + list(FACTS["vendor"])
)


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_every_code_has_every_field_in_every_language(lang: str) -> None:
    texts = kb.texts(lang)
    problems = []
    for key in CODE_IDS:
        entry = texts.get(key)
        if entry is None:
            problems.append(f"{key}: missing")
            continue
        for field in kb.TEXT_FIELDS:
            value = entry.get(field)
            ok = (isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value)
                  if field == "causes" else isinstance(value, str) and value.strip())
            if not ok:
                problems.append(f"{key}: {field} empty")
    assert problems == []


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_no_text_entry_lacks_a_code(lang: str) -> None:
    extra = set(kb.texts(lang)) - set(CODE_IDS) - {"ui"}
    assert extra == set()


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_translations_are_written_in_their_own_script(lang: str) -> None:
    texts = kb.texts(lang)
    for key in CODE_IDS:
        assert re.search("[а-яА-Я]", texts[key]["meaning"]), key


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_ui_strings_are_complete_in_every_language(lang: str) -> None:
    assert set(kb.texts(lang)["ui"]) == set(kb.texts("en")["ui"])


def _csv(name: str) -> list[dict[str, str]]:
    with open(shared_path("reference", name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _complete(c: object) -> bool:
    return all(getattr(c, f) for f in ("title", "meaning", "action")) and bool(c.causes)


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_every_reference_reply_code_is_explained(lang: str) -> None:
    for row in _csv("reply_codes.csv"):
        c = explain_reply_code(row["code"], lang)
        assert _complete(c), row["code"]
        assert c.registered == (row["standard"] == "yes")
        assert c.commands or row["typical_commands"] in ("-", "n/a", "")


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_every_reference_enhanced_code_is_explained(lang: str) -> None:
    for row in _csv("enhanced_codes.csv"):
        code = row["code"]
        if row["kind"] == "class":
            example = f"{code[0]}.0.0"
        elif row["kind"] == "subject":
            example = f"4.{code.split('.')[1]}.0"
        else:
            example = "5" + code[1:]
        c = explain_status(example, lang)
        assert _complete(c), code
        if row["kind"] == "enumerated":
            assert c.registered and c.id == f"enhanced.{code}"
            assert c.commands, code


def _vendor_codes(row: dict[str, str]) -> list[str]:
    codes = []
    for code in row["enhanced_code"].split("/"):
        m = re.fullmatch(r"\s*([245]\.\d+\.)(\d+)(?:-(\d+))?\s*", code)
        if m:
            codes += [m.group(1) + m.group(2)] + ([m.group(1) + m.group(3)] if m.group(3) else [])
    return codes


@pytest.mark.parametrize("lang", kb.LANGUAGES)
def test_every_vendor_code_shows_the_provider_meaning(lang: str) -> None:
    rows = _csv("vendor_codes.csv")
    ids = list(FACTS["vendor"])
    assert len(rows) == len(ids)
    for key, row in zip(ids, rows, strict=True):
        codes = _vendor_codes(row)
        if codes:
            shown = [explain_status(code, lang) for code in codes]
        else:
            shown = [explain_reply_code(code.strip(), lang) for code in row["basic_code"].split("/")]
        for c in shown:
            assert key in [v.id for v in c.vendor], (key, c.code)
            assert all(v.title and v.meaning and v.causes and v.action for v in c.vendor)


def test_vendor_tag_in_a_reply_picks_the_provider_row() -> None:
    result = explain("550 SC-001 (BAY004-MC1F7) Unfortunately, messages from 192.0.2.1 weren't sent.")
    assert [v.id for v in result.codes[0].vendor] == ["vendor.outlookcom.550.sc-001"]


def test_a_reply_explains_both_codes_together() -> None:
    result = explain("550 5.1.1 <x@example.com>: User unknown", lang="ru")
    assert [c.code for c in result.codes] == ["550", "5.1.1"]
    assert result.reply is not None and result.reply.text == "<x@example.com>: User unknown"
    assert result.warnings == ()


def test_a_contradicting_reply_is_explained_with_a_warning() -> None:
    result = explain("250 5.1.1 odd", lang="bg")
    assert [c.severity for c in result.codes] == ["success", "permanent"]
    assert "250" in result.warnings[0] and "5.1.1" in result.warnings[0]


def test_non_standard_reply_codes_are_flagged() -> None:
    (c,) = explain("101").codes
    assert not c.standard and c.severity == "invalid"
    assert c.notes


@pytest.mark.parametrize("lang", ["ru", "bg"])
def test_ui_templates_use_the_same_placeholders_as_english(lang: str) -> None:
    english = kb.texts("en")["ui"]
    for key, template in kb.texts(lang)["ui"].items():
        assert set(re.findall(r"{(\w+)}", template)) == set(re.findall(r"{(\w+)}", english[key])), key
