"""What every bounce-format decoder shares: the per-recipient facts it returns and small readers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..message import MessageView


@dataclass(slots=True)
class Facts:
    """What a report states about one recipient, before classification. Decoders fill what they find."""

    recipient: str = ""
    original_recipient: str = ""
    action: str = ""
    status: str = ""
    reply_code: str = ""
    diagnostic_code: str = ""
    diagnostic_type: str = ""
    remote_mta: str = ""
    reporting_mta: str = ""
    smtp_command: str = ""
    timestamp: str = ""
    feedback_type: str = ""
    reason: str = ""
    """Set only when the format itself decides (auto-replies, feedback reports, format-specific codes)."""
    evidence: str = ""
    temporary: bool | None = None
    """What the report says of the failure when it has no code (e.g. 'a temporary error')."""


# RFC 5321 s4.1.2 allows far more, but real recipients are dot-atoms; quoted local parts are rare
# in bounces and would make the pattern slow on hostile text.
ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                     r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*")


def clean_address(text: str) -> str:
    """The address in *text* ('rfc822; <a@b>', '"A" <a@b>', 'a@b.'), lower-cased domain; '' if none."""
    m = ADDRESS.search(text)
    if m is None:
        return ""
    local, _, domain = m.group(0).strip(".").rpartition("@")
    local = local.strip("'`")
    return f"{local}@{domain.lower().rstrip('.')}" if local and domain else ""


# A format's own fixed wording and what it means: (regex, reason, rule id) rows, tried in order.
OwnWording = tuple[tuple[re.Pattern[str], str, str], ...]


def apply_own_wording(facts: Facts, rules: OwnWording, text: str, decoder: str, anchored: bool = False) -> bool:
    """Let the first row whose regex occurs in *text* (starts it, when *anchored*) decide the reason;
    the evidence names the row as ``format:<decoder>:<rule>``. False when no row matches."""
    for pattern, reason, rule in rules:
        if pattern.match(text) if anchored else pattern.search(text):
            facts.reason, facts.evidence = reason, f"format:{decoder}:{rule}"
            return True
    return False


def is_valid_address(address: str) -> bool:
    return bool(address) and ADDRESS.fullmatch(address) is not None and "." in address.rpartition("@")[2]


# A field line (RFC 5322 s3.6.8 as reports write it: ASCII letters, digits and '-', a letter first)
# with the folded lines that continue it. Any other line ends a field, and its own folded lines are
# nobody's.
_FIELD = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):(.*)((?:\n[ \t].*)*)", re.MULTILINE)


def read_fields(block: str) -> dict[str, str]:
    """RFC 822-style 'Name: value' lines with folding, names lower-cased; first occurrence wins."""
    fields: dict[str, str] = {}
    for name, value, folded in _FIELD.findall(block):
        name = name.lower()
        if name not in fields:
            value = value.strip()
            if folded:
                value = " ".join([value, *(line.strip() for line in folded[1:].split("\n"))])
            fields[name] = value
    return fields


def original_headers(view: MessageView) -> dict[str, str]:
    """Headers of the returned original message, whether attached or pasted into the body."""
    if view.original:
        head = view.original.split("\n\n", 1)[0]
        return read_fields(head)
    return {}


_TYPE = re.compile(r"[A-Za-z][\w.-]*")


def type_and_value(field: str) -> tuple[str, str]:
    """'smtp; 550 ...' -> ('SMTP', '550 ...'); a value without a type gives ('', value)."""
    kind, sep, value = field.partition(";")
    if sep and _TYPE.fullmatch(kind.strip()):
        return kind.strip().upper(), value.strip()
    return "", field.strip()
