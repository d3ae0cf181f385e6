#!/usr/bin/env python3
"""Turn the reference CSVs (../shared/reference) into bouncekit's language-neutral code facts.

The facts (which codes exist, standard or not, commands, associations, references, vendor rows)
come from the reference data; the explanations in each language live in
src/bouncekit/codes/data/texts/<lang>/*.json, written by hand and keyed by the ids made here.

Run from the project root:  python tools/import_reference.py [../shared/reference]
"""

from __future__ import annotations

import csv
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src" / "bouncekit" / "codes" / "data" / "facts.json"

PROVIDERS = {
    "Google Gmail / Workspace": "gmail",
    "Microsoft 365 / Exchange Online": "microsoft365",
    "Outlook.com (consumer: hotmail/outlook/live)": "outlookcom",
    "Yahoo / AOL": "yahoo",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def reply_rows(ref: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for row in _rows(ref / "reply_codes.csv"):
        commands = [] if row["typical_commands"] in ("", "-", "n/a") else [
            c.strip() for c in row["typical_commands"].split(";") if c.strip()]
        standard = row["standard"] == "yes"
        if standard:
            references = [f"RFC {d}" for d in row["defined_in"].split(";") if d.strip().isdigit()]
        else:
            # non-standard codes: where they are described, and by whom they are listed
            defined = row["defined_in"].strip()
            references = [] if defined == "none" else [f"RFC {defined}" if defined[:1].isdigit() else defined]
            references += [s.strip() for s in row["sources"].split(";") if s.strip() and s.strip() != "none located"]
            references = references or ["no published source located"]
        out[row["code"]] = {
            "standard": standard,
            "defined_in": references,
            "commands": commands,
            "reference_title": row["official_title_or_short_meaning"],
        }
    return out


# Which commands usually draw an enhanced code. The registry does not say; these follow the subject
# definitions of RFC 3463 s3 (addressing is answered at RCPT/MAIL, content after DATA, ...) and the
# extension RFCs that added the AUTH (RFC 4954) and authentication-check (RFC 7372) codes.
COMMANDS_BY_SUBJECT = {
    "0": ["any command"], "1": ["RCPT"], "2": ["RCPT", "DATA (after final dot)"],
    "3": ["any command", "DATA (after final dot)"], "4": ["connection", "reported in DSNs"],
    "5": ["any command"], "6": ["DATA (after final dot)"], "7": ["any command"],
}
COMMANDS_BY_CODE = {
    "X.1.7": ["MAIL"], "X.1.8": ["MAIL"], "X.2.3": ["MAIL", "DATA (after final dot)"],
    "X.2.4": ["RCPT", "DATA (after final dot)"], "X.3.4": ["MAIL", "DATA (after final dot)"],
    "X.5.3": ["RCPT"], "X.5.6": ["AUTH"], "X.6.7": ["MAIL", "RCPT"], "X.6.8": ["VRFY", "EXPN", "RCPT"],
    "X.7.0": ["AUTH", "STARTTLS", "any command"], "X.7.1": ["RCPT", "DATA (after final dot)", "MAIL"],
    "X.7.8": ["AUTH"], "X.7.9": ["AUTH"], "X.7.10": ["AUTH", "STARTTLS"], "X.7.11": ["AUTH"],
    "X.7.12": ["AUTH"], "X.7.13": ["AUTH"], "X.7.14": ["AUTH"], "X.7.15": ["MAIL", "RCPT"],
    "X.7.16": ["MAIL", "DATA (after final dot)"], "X.7.17": ["RCPT"], "X.7.18": ["RCPT"], "X.7.19": ["RCPT"],
    "X.7.25": ["connection", "EHLO", "MAIL"], "X.7.27": ["MAIL"], "X.7.30": ["MAIL", "DATA (after final dot)"],
}


def enhanced_rows(ref: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for row in _rows(ref / "enhanced_codes.csv"):
        code = row["code"]
        if row["kind"] == "class":
            key = "class." + code[0]
        elif row["kind"] == "subject":
            key = "subject." + code.split(".")[1]
        else:
            key = "enhanced." + code
        basic = [c for c in re.findall(r"\b[2-5](?:\d\d|XX)\b", row["associated_basic_codes"])]
        out[key] = {
            "code": code,
            "kind": row["kind"],
            "reference_title": row["title"],
            "alt_titles": [t.strip() for t in row["alt_titles"].split(";") if t.strip()],
            "basic_codes": basic,
            "usage": row["usage"],
            "commands": (COMMANDS_BY_CODE.get(code) or COMMANDS_BY_SUBJECT[code.split(".")[1]]
                         if row["kind"] == "enumerated" else []),
            "references": [r.strip() for r in re.split(r"[;,]", row["reference"]) if r.strip()],
            "notes": row["notes"],
        }
    return out


def expand_codes(text: str) -> list[str]:
    """'4.7.321-325 / 5.7.321-325' -> ['4.7.321-325', '5.7.321-325']; ranges stay as ranges."""
    return [p.strip() for p in text.split("/") if p.strip()]


def vendor_rows(ref: Path) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for row in _rows(ref / "vendor_codes.csv"):
        provider = PROVIDERS[row["provider"]]
        enhanced = expand_codes(row["enhanced_code"])
        basic = expand_codes(row["basic_code"])
        tag = row["provider_tag"]
        slug_src = (enhanced[0] if enhanced else basic[0] if basic else "x")
        tag_slug = re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")[:20]
        key = f"vendor.{provider}.{slug_src}" + (f".{tag_slug}" if tag_slug else "")
        n = 2
        base = key
        while key in out:
            key = f"{base}.{n}"
            n += 1
        out[key] = {
            "provider": provider,
            "provider_name": row["provider"],
            "basic_codes": basic,
            "enhanced_codes": enhanced,
            "tag": tag,
            "reference_meaning": row["short_meaning"],
            "relation_to_registry": row["relation_to_iana"],
            "source_url": row["source_url"],
            "notes": row["notes"],
        }
    return out


def main() -> None:
    ref = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/reference")
    facts = {"reply": reply_rows(ref), "enhanced": enhanced_rows(ref), "vendor": vendor_rows(ref)}
    OUT.write_text(json.dumps(facts, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {sum(len(v) for v in facts.values())} rows")


if __name__ == "__main__":
    main()
