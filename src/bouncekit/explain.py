"""Explain reply codes and enhanced status codes, registered or not, from the knowledge base and
from their structure (RFC 5321 s4.2.1 digits, RFC 3463 class.subject.detail)."""

from __future__ import annotations

import os

from ._errors import CodeSyntaxError, NoCodeFoundError
from .codes import kb
from .codes.grammar import check_reply_code, looks_like_code, parse_status
from .model import SEVERITY_BY_DIGIT, CodeExplanation, CodePart, Explanation, StatusCode, VendorMeaning
from .reply import CODE_CHANGED, parse_reply

RFC3463 = "RFC 3463"
VERDICT_FIELDS = ("reason", "hard_bounce", "permanent", "fault", "action_advice", "retry_after", "evidence")


def default_language() -> str:
    """The language of the user's locale (LC_ALL, LC_MESSAGES, LANG) when bouncekit has it, else English."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(variable, "")
        if value:
            lang = value[:2].lower()
            return lang if lang in kb.LANGUAGES else "en"
    return "en"


def _texts(lang: str, key: str) -> tuple[str, str, tuple[str, ...], str]:
    e = kb.entry(lang, key)
    return e["title"], e["meaning"], tuple(e["causes"]), e["action"]


def _vendor(lang: str, status: StatusCode | None, reply_code: str, text: str) -> tuple[VendorMeaning, ...]:
    out = []
    for row in kb.vendor_matches(status, reply_code, text):
        title, meaning, causes, action = _texts(lang, row.id)
        f = row.facts
        codes = " / ".join(f["enhanced_codes"] or f["basic_codes"])
        out.append(VendorMeaning(row.id, f["provider_name"], codes, f["tag"], title, meaning, causes, action,
                                 f["source_url"]))
    return tuple(out)


def _reply_parts(lang: str, code: str) -> tuple[CodePart, ...]:
    parts = []
    if code[0] in "2345":
        title, meaning, _, _ = _texts(lang, f"reply_digit1.{code[0]}")
        parts.append(CodePart(kb.ui(lang, "part.first_digit"), code[0], title, meaning))
    if code[1] in "012345":
        title, meaning, _, _ = _texts(lang, f"reply_digit2.{code[1]}")
        parts.append(CodePart(kb.ui(lang, "part.second_digit"), code[1], title, meaning))
    parts.append(CodePart(kb.ui(lang, "part.third_digit"), code[2], kb.ui(lang, "third_digit.title"),
                          kb.ui(lang, "third_digit.meaning")))
    return tuple(parts)


def explain_reply_code(code: str, lang: str = "en", reply_text: str = "") -> CodeExplanation:
    """Explain a basic reply code; a well-formed code the standards do not define is read by its digits."""
    code = code.strip().lstrip("#")
    row = kb.facts()["reply"].get(code)
    if row is None:
        check_reply_code(code)
    key = f"reply.{code}"
    related = tuple(sorted(
        (r["code"] for r in kb.facts()["enhanced"].values() if r["kind"] == "enumerated"
         and code in r["basic_codes"]), key=_code_order))
    severity = SEVERITY_BY_DIGIT.get(code[0], "invalid")
    parts = _reply_parts(lang, code)
    if row is not None:
        title, meaning, causes, action = _texts(lang, key)
        notes = () if row["standard"] else (kb.ui(lang, "nonstandard.note"),)
        return CodeExplanation(code, "reply", row["standard"], row["standard"], severity, title, meaning,
                               causes, action, tuple(row["commands"]), tuple(row["defined_in"]), related,
                               parts, _vendor(lang, None, code, reply_text), notes, key)
    _, first_meaning, causes, action = _texts(lang, f"reply_digit1.{code[0]}")
    _, second_meaning, _, _ = _texts(lang, f"reply_digit2.{code[1]}")
    return CodeExplanation(
        code, "reply", False, False, severity, kb.ui(lang, "unregistered_reply.title", code=code),
        kb.ui(lang, "unregistered_reply.meaning", code=code, first=first_meaning, second=second_meaning),
        causes, action, (), ("RFC 5321",), related, parts, _vendor(lang, None, code, reply_text),
        (kb.ui(lang, "nonstandard.note"),), f"reply_digit1.{code[0]}")


def _code_order(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else -1 for p in code.split("."))


def explain_status(status: str | StatusCode, lang: str = "en", reply_text: str = "") -> CodeExplanation:
    """Explain an enhanced status code; an unregistered one is explained from its class and subject."""
    code = status if isinstance(status, StatusCode) else parse_status(status)
    enhanced = kb.facts()["enhanced"]
    k_title, k_meaning, k_causes, k_action = _texts(lang, f"class.{code.klass}")
    subject_key = f"subject.{code.subject}"
    fallback_subject = f"{code.klass}.0.0"
    parts = [CodePart(kb.ui(lang, "part.class"), str(code.klass), k_title, k_meaning)]
    if subject_key in enhanced:
        s_title, s_meaning, s_causes, s_action = _texts(lang, subject_key)
    else:
        s_title = kb.ui(lang, "unregistered_subject.title", subject=code.subject)
        s_meaning = kb.ui(lang, "unregistered_subject.meaning", subject=code.subject, fallback=fallback_subject)
        s_causes, s_action = k_causes, k_action
    parts.append(CodePart(kb.ui(lang, "part.subject"), str(code.subject), s_title, s_meaning))
    key = f"enhanced.{code.registry_key}"
    row = enhanced.get(key)
    vendor = _vendor(lang, code, "", reply_text)
    if row is not None:
        title, meaning, causes, action = _texts(lang, key)
        parts.append(CodePart(kb.ui(lang, "part.detail"), str(code.detail), title,
                              kb.ui(lang, "detail.registered", code=code.registry_key)))
        references = tuple(dict.fromkeys([RFC3463, *(_rfc(r) for r in row["references"])]))
        return CodeExplanation(str(code), "enhanced", True, True, code.severity, title, meaning, causes,
                               action, tuple(row["commands"]), references, tuple(row["basic_codes"]),
                               tuple(parts), vendor, (), key)
    fallback = f"{code.klass}.{code.subject}.0" if subject_key in enhanced else fallback_subject
    parts.append(CodePart(kb.ui(lang, "part.detail"), str(code.detail),
                          kb.ui(lang, "detail.title", detail=code.detail),
                          kb.ui(lang, "detail.unregistered", detail=code.detail, fallback=fallback)))
    return CodeExplanation(
        str(code), "enhanced", False, False, code.severity,
        kb.ui(lang, "unregistered_status.title", code=code),
        kb.ui(lang, "unregistered_status.meaning", code=code, klass=k_meaning, subject=s_meaning),
        s_causes, f"{k_action} {s_action}" if s_action != k_action else k_action, (), (RFC3463,), (),
        tuple(parts), vendor, (kb.ui(lang, "unregistered_status.note"),), subject_key)


def _rfc(reference: str) -> str:
    return "RFC " + reference[3:] if reference.startswith("RFC") and reference[3:].isdigit() else reference


def explain(code_or_text: str, lang: str = "en") -> Explanation:
    """Explain a reply code (``550``), an enhanced status code (``5.1.1``) or a whole reply line.

    A whole reply (``550 5.1.1 <x@example.com>: User unknown``, or an MTA's prose around one) is
    read with :func:`parse_reply`, and both of its codes are explained together. Raises
    CodeSyntaxError for an ill-formed code and NoCodeFoundError for a text without any code.
    """
    kb.texts(lang)  # fail early on an unknown language
    raw = code_or_text.strip()
    if not raw:
        raise NoCodeFoundError("nothing to explain: give a reply code (550), an enhanced code (5.1.1) or a reply")
    if looks_like_code(raw):
        bare = raw.lstrip("#")
        if "." in bare:
            return Explanation(code_or_text, lang, (explain_status(bare, lang),))
        return Explanation(code_or_text, lang, (explain_reply_code(bare, lang),))
    reply = parse_reply(raw)
    if not reply.reply_code and not reply.status:
        raise NoCodeFoundError(
            f"{_shorten(raw)!r} is not a reply code (three digits, e.g. 550), an enhanced status code "
            "(e.g. 5.1.1), or a reply that contains one")
    codes = []
    if reply.reply_code:
        codes.append(explain_reply_code(reply.reply_code, lang, raw))
    if reply.status:
        codes.append(explain_status(reply.status, lang, raw))
    warnings = []
    if reply.reply_code and reply.status and reply.status[0] != reply.reply_code[0]:
        warnings.append(kb.ui(
            lang, "conflict", reply_code=reply.reply_code, status=reply.status,
            reply_severity=kb.ui(lang, "severity." + codes[0].severity),
            status_severity=kb.ui(lang, "severity." + codes[1].severity)))
    if any(w.startswith(CODE_CHANGED) for w in reply.warnings):
        warnings.append(kb.ui(lang, "code_changed"))
    from .engine import classify_reply  # the engine is only needed when a whole reply is given

    record = classify_reply(raw)
    verdict = {k: getattr(record, k) for k in VERDICT_FIELDS}
    return Explanation(code_or_text, lang, tuple(codes), reply, tuple(warnings), verdict)


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


__all__ = ["CodeSyntaxError", "default_language", "explain", "explain_reply_code", "explain_status"]
