"""Knowledge as data: which enhanced codes decide a reason alone, the order between reasons, and
the phrases of remote servers (phrases.tsv) that decide it when the code is generic. Each row has a
stable id, reported as ``evidence``."""

from __future__ import annotations

from functools import cache
from pathlib import Path

# Enhanced status codes (class-free, RFC 3463 s3 and the registry) that decide the reason alone.
# Generic codes (X.0.0, X.7.0, X.7.1, X.5.0, ...) are absent: the server's words decide those.
STATUS_REASONS: dict[str, str] = {
    "X.1.1": "userunknown", "X.1.2": "hostunknown", "X.1.3": "userunknown", "X.1.4": "userunknown",
    "X.1.5": "delivered", "X.1.6": "hasmoved", "X.1.7": "rejected", "X.1.8": "rejected",
    "X.1.9": "systemerror", "X.1.10": "notaccept",
    "X.2.1": "suspend", "X.2.2": "mailboxfull", "X.2.3": "exceedlimit", "X.2.4": "systemerror",
    "X.3.0": "systemerror", "X.3.1": "systemfull", "X.3.2": "notaccept", "X.3.3": "systemerror",
    "X.3.4": "mesgtoobig", "X.3.5": "systemerror",
    "X.4.1": "networkerror", "X.4.2": "networkerror", "X.4.3": "systemerror", "X.4.4": "networkerror",
    "X.4.5": "networkerror", "X.4.6": "networkerror", "X.4.7": "expired",
    "X.5.3": "toomanyconn", "X.5.1": "syntaxerror", "X.5.2": "syntaxerror", "X.5.4": "syntaxerror",
    "X.5.5": "syntaxerror",
    "X.6.0": "contenterror", "X.6.1": "contenterror", "X.6.2": "contenterror", "X.6.3": "contenterror",
    "X.6.4": "contenterror", "X.6.5": "contenterror", "X.6.6": "contenterror", "X.6.7": "contenterror",
    "X.6.8": "contenterror", "X.6.9": "contenterror", "X.6.10": "contenterror",
    "X.7.2": "norelaying", "X.7.3": "securityerror", "X.7.4": "securityerror", "X.7.5": "securityerror",
    "X.7.6": "securityerror", "X.7.7": "securityerror", "X.7.8": "securityerror",
    "X.7.9": "securityerror", "X.7.10": "securityerror", "X.7.11": "securityerror",
    "X.7.12": "securityerror", "X.7.13": "suspend", "X.7.14": "securityerror", "X.7.15": "policyviolation",
    "X.7.16": "mesgtoobig", "X.7.17": "hasmoved", "X.7.18": "hasmoved", "X.7.20": "authfailure",
    "X.7.21": "authfailure", "X.7.22": "authfailure", "X.7.23": "authfailure", "X.7.24": "authfailure",
    "X.7.25": "requireptr", "X.7.26": "authfailure", "X.7.27": "rejected", "X.7.28": "speeding",
    "X.7.29": "authfailure", "X.7.30": "securityerror",
}

# Codes whose registered meaning is narrow enough to outweigh the words around them: X.2.3 is the
# recipient's own size limit even when the text just says "message too big". (X.7.9, "authentication
# mechanism is too weak", is reused by large providers for "not accepted for policy reasons"; their
# remote-host rules in rhost.py read it so.)
DECISIVE_STATUSES = frozenset({"X.2.3"})

# Basic reply codes that decide when neither words nor an enhanced code do (RFC 5321 s4.2.2-4.2.4:
# 500-504 report a command the server could not parse or accept in that order; 451 is a "local
# error in processing" on the server's side).
REPLY_REASONS: dict[str, str] = {
    "500": "syntaxerror", "501": "syntaxerror", "502": "syntaxerror", "503": "syntaxerror",
    "504": "syntaxerror", "451": "systemerror",
}

# When phrases of several reasons occur in one text, the earliest reason here wins: the precise
# statements about the recipient first, then sender-side causes, then the broad words.
REASON_PRIORITY: tuple[str, ...] = (
    "mesgtoobig", "exceedlimit", "mailboxfull", "hasmoved", "suspend", "userunknown", "hostunknown",
    "notaccept", "norelaying", "authfailure", "requireptr", "virusdetected", "spamdetected",
    "badreputation", "blocked", "toomanyconn", "speeding", "failedstarttls", "securityerror", "rejected",
    "contenterror", "notcompliantrfc", "syntaxerror", "networkerror", "systemfull", "mailererror",
    "expired", "systemerror", "policyviolation", "filtered",
)

# Pseudo status codes for reports that state no enhanced code, in the convention of Sisimai (the
# analyser whose reason names bouncekit shares): class.0.9NN by reason, so results stay comparable.
PSEUDO_STATUS_DETAIL: dict[str, int] = {
    "undefined": 900, "onhold": 901, "syntaxerror": 902, "norelaying": 909, "filtered": 910,
    "userunknown": 911, "hostunknown": 912, "hasmoved": 916, "rejected": 918, "suspend": 921,
    "mailboxfull": 922, "exceedlimit": 923, "systemerror": 930, "systemfull": 931, "notaccept": 932,
    "mesgtoobig": 934, "securityerror": 970, "mailererror": 939, "contenterror": 960,
    "networkerror": 944, "expired": 947, "blocked": 971, "policyviolation": 972, "requireptr": 973,
    "authfailure": 975, "spamdetected": 980, "virusdetected": 981, "badreputation": 974,
    "speeding": 945, "toomanyconn": 946, "failedstarttls": 976, "notcompliantrfc": 961,
}


@cache
def phrases() -> tuple[tuple[str, str, str], ...]:
    """(row id, reason, regular expression) rows of phrases.tsv, in file order."""
    rows = []
    text = (Path(__file__).resolve().parent / "phrases.tsv").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            reason, row_id, pattern = line.split("\t", 2)
            rows.append((row_id, reason, pattern))
    return tuple(rows)
