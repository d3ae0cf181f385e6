"""`bouncekit explain`: a reply code, an enhanced status code or a whole reply, explained."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

from .._errors import BouncekitError
from ..codes import kb
from ..model import CodeExplanation, Explanation
from . import EXIT_OK, EXIT_USAGE, Subparsers


def register(sub: Subparsers) -> None:
    p = sub.add_parser("explain", help="explain a reply code, an enhanced status code or a whole reply",
                       description="Explain 550, 5.1.1, or a reply such as '550 5.1.1 <x@example.com>: User "
                                   "unknown' (both codes explained together).")
    p.add_argument("code", nargs="+", help="a code or a reply text (several words are joined)")
    p.add_argument("--lang", choices=kb.LANGUAGES, default=None,
                   help="language of the explanation (default: from LC_ALL/LANG, else en)")
    p.add_argument("--json", action="store_true", help="print JSON for machines")
    p.set_defaults(run=run)


class _Style:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def bold(self, text: str) -> str:
        return f"\033[1m{text}\033[0m" if self.enabled else text

    def dim(self, text: str) -> str:
        return f"\033[2m{text}\033[0m" if self.enabled else text


def _wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def _format_code(c: CodeExplanation, lang: str, style: _Style) -> list[str]:
    def ui(key: str) -> str:
        return kb.ui(lang, key)

    flags = [ui(f"kind.{c.kind}"), ui(f"severity.{c.severity}")]
    if not c.registered:
        flags.append(ui("unregistered") if c.kind == "enhanced" else ui("nonstandard"))
    out = [style.bold(f"{c.code}  {c.title}") + style.dim(f"  [{', '.join(flags)}]"), ""]
    out += [style.bold(ui("meaning")), _wrap(c.meaning)]
    out += [style.bold(ui("causes"))] + [_wrap(f"- {cause}") for cause in c.causes]
    out += [style.bold(ui("action")), _wrap(c.action)]
    if c.vendor:
        out.append(style.bold(ui("provider_meanings")))
        for v in c.vendor:
            tag = f" {v.tag}" if v.tag else ""
            out.append(_wrap(f"- {v.title} ({v.codes}{tag})"))
            out.append(_wrap(v.meaning, "    "))
            out.append(_wrap(v.action, "    "))
    out.append(style.bold(ui("structure")))
    out += [_wrap(f"{p.part} {p.value}: {p.title}. {p.meaning}") for p in c.parts]
    if c.commands:
        out += [style.bold(ui("commands")), _wrap(", ".join(c.commands))]
    if c.related_codes:
        out += [style.bold(ui("related_codes")), _wrap(", ".join(c.related_codes))]
    out += [_wrap(note) for note in c.notes]
    if c.references:
        out += [style.bold(ui("references")), _wrap(", ".join(c.references))]
    return out


def format_explanation(result: Explanation, style: _Style) -> str:
    lang = result.lang
    out: list[str] = []
    if result.reply is not None:
        r = result.reply
        out.append(style.bold(kb.ui(lang, "reply")) + f": {' '.join(filter(None, (r.reply_code, r.status)))}")
        if r.text:
            out.append(_wrap(f"{kb.ui(lang, 'text')}: {r.text}"))
        if r.command:
            out.append(_wrap(f"{kb.ui(lang, 'command')}: {r.command}"))
        if r.remote_host:
            out.append(_wrap(f"{kb.ui(lang, 'remote_host')}: {r.remote_host}"))
        out.append("")
    if result.verdict is not None:
        v = result.verdict
        retry = kb.ui(lang, "verdict.retry", seconds=v["retry_after"]) if v["retry_after"] else ""
        line = kb.ui(lang, "verdict.line", reason=v["reason"], fault=v["fault"], advice=v["action_advice"],
                     retry=retry, hardness=kb.ui(lang, "verdict.hard" if v["hard_bounce"] else "verdict.soft"))
        out.append(style.bold(kb.ui(lang, "verdict")) + f": {line} [{v['evidence']}]")
        out.append("")
    for warning in result.warnings:
        out.append(style.bold("! ") + textwrap.fill(warning, 100, subsequent_indent="  "))
    if result.warnings:
        out.append("")
    for i, code in enumerate(result.codes):
        if i:
            out.append("")
        out += _format_code(code, lang, style)
    return "\n".join(out)


def run(args: argparse.Namespace) -> int:
    from ..explain import default_language, explain  # here, not at the top: other commands start faster

    lang = args.lang or default_language()
    try:
        result = explain(" ".join(args.code), lang=lang)
    except BouncekitError as exc:
        print(f"bouncekit: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        json.dump(result.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        print(format_explanation(result, _Style(sys.stdout.isatty())))
    return EXIT_OK


