"""Plain-text bounces: the home-made formats of Exim, qmail, Postfix's and Sendmail's older
notices, webmail providers and appliances. They share one shape, which this module reads once for
all of them:

    <some prose saying delivery failed>
    <recipient address, alone on a line or followed by ':'>
        <the remote server's reply or the MTA's own explanation>
    <a marker such as "--- Below this line is a copy of the message.">
    <the original message or its headers>

Format modules reuse these readers and add what their format says differently.
"""

from __future__ import annotations

import re

from ..message import MessageView
from ..reply import parse_reply, smtp_command, status_in_text
from .base import ADDRESS, Facts, clean_address, original_headers

# Where the returned original message begins: everything after it is the sender's own text.
# (A rule of two or more '-', '=', '_' or '*' may come first: "[-=_*]{2}.*" matches where "[-=_*]{2,}.*"
# does, with one way to split a long rule instead of quadratically many.)
_ORIGINAL_MARKER = re.compile(
    r"^[ \t>]*(?:[-=_*]{2}.*)?(?:below this line is a copy|this is a copy of|copy of the (?:original )?message"
    r"|original message|returned message|message headers follow|undelivered message|headers of the original"
    r"|the (?:header|headers|text) of the (?:original|returned)|original mail|unsent message"
    r"|text of your message|your message (?:reads|is below|was)|content-type: message/rfc822|message text follows"
    r"|message header|start of (?:the )?(?:returned|original|bounced)|forwarded message)",
    re.IGNORECASE | re.MULTILINE)
_HEADER_LINE = re.compile(r"^(?:Return-Path|Received|Message-Id|DKIM-Signature|X-[\w-]+):", re.IGNORECASE)

# A line that names a recipient: the address alone (Gmail, Exim), in angle brackets with a colon
# (qmail), or followed by ':' and the reason on the same line.
_RECIPIENT_LINE = re.compile(
    r"^[ \t]*(?:(?:failed )?recipient(?: address)?:|to:|address:|rcpt to:"
    r"|final-recipient: *rfc822;|original-recipient: *rfc822;)?"
    r"[ \t]*[<\"']?(?P<addr>" + ADDRESS.pattern + r")[>\"']?[ \t]*(?::|\.\.\.|,)?(?P<rest>(?:[ \t]+.*)?)$",
    re.IGNORECASE)
# ... or the reason first and the address last: "User's mailbox is full: <a@b.example>"
_REASON_THEN_RECIPIENT = re.compile(
    r"^[ \t]*(?P<rest>[A-Za-z][^<>@:\n ]{0,60} [^<>@:\n]{1,200}):[ \t]*<(?P<addr>" + ADDRESS.pattern + r")>[ \t]*$")

# A bounce says so in its envelope: the null sender's stand-ins and the usual subjects.
_BOUNCE_FROM = re.compile(r"mailer-daemon|post_?master|mail delivery|mail-daemon|mdaemon|delivery|bounce|returned",
                          re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery (?:status )?(?:notification|failure|failed|report|problem|has failed|incomplete)"
    r"|returned mail|failure notice|failed delivery|could not be delivered|mail delivery failed|nondeliver"
    r"|non-deliver|delivery error|warning: (?:could not send|message)|delayed mail|mail system error"
    r"|error sending|message not delivered|returned to sender",
    re.IGNORECASE)
# Words that say "bounce" only when a mail system, not a person, sends them.
_WEAK_SUBJECT = re.compile(r"rejected|bounce|delivery notice|not delivered|failure|error", re.IGNORECASE)
_TEMPORARY = re.compile(
    r"temporary (?:error|failure|problem)|will (?:be retried|retry|try again|continue)"
    r"|still (?:being )?tr(?:y|ied|ying)|delayed|has not yet been delivered|not yet been delivered|warning:|deferred",
    re.IGNORECASE)

MAX_DIAGNOSTIC_LINES = 12


# Where a bounce passed on by a person or a gateway begins: its own header block.
EMBEDDED_BOUNCE = re.compile(
    r"^(?:From MAILER-DAEMON\b|Return-Path: <>|From: .{0,80}(?:MAILER-DAEMON|postmaster)"
    r"|Content-Type: multipart/report)", re.I | re.M)


def attached_bounce(view: MessageView) -> bool:
    """True when the message carries another bounce as its message/rfc822 attachment."""
    if view.attached is None:
        return False
    return EMBEDDED_BOUNCE.search("\n".join(f"{k}: {v}" for k, v in view.attached.items())) is not None


def looks_like_bounce(view: MessageView) -> bool:
    if view.header("x-failed-recipients"):
        return True
    if _BOUNCE_FROM.search(view.header("from")) or _BOUNCE_SUBJECT.search(view.header("subject")):
        return True
    # RFC 3834 s5 / RFC 5321 s4.5.5: machine-made mail, sent with the null reverse-path
    automatic = view.header("auto-submitted").lower().startswith("auto-") or view.header("return-path") == "<>"
    return automatic and _WEAK_SUBJECT.search(view.header("subject")) is not None


def error_text(view: MessageView) -> str:
    """The human text of the report, up to where the returned original message starts."""
    text = view.body_text.replace("\r\n", "\n").replace("\r", "\n")
    m = _ORIGINAL_MARKER.search(text)
    if m is not None and m.start() > 0:
        text = text[:m.start()]
    lines = text.split("\n")
    for i, line in enumerate(lines):
        # a pasted original without a marker: a run of header lines after the error text
        if i > 3 and _HEADER_LINE.match(line) and i + 1 < len(lines) and _HEADER_LINE.match(lines[i + 1]):
            return "\n".join(lines[:i])
    return text


def section(text: str, start: re.Pattern[str], end: re.Pattern[str],
            limit: int = 20_000) -> tuple[re.Match[str], str] | None:
    """The text between a format's opening line and its closing marker (or *limit* characters when
    the marker is missing), with the opening match; None when the opening line is not there."""
    opening = start.search(text)
    if opening is None:
        return None
    closing = end.search(text, opening.end())
    return opening, text[opening.end():closing.start() if closing else opening.end() + limit]


def recipient_blocks(text: str, exclude: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """(recipient, diagnostic) pairs: each recipient line with the lines that explain it."""
    lines = text.split("\n")
    anchors: list[tuple[int, str, str]] = []
    for i, line in enumerate(lines):
        if "@" not in line or len(line) > 400:
            continue
        m = _RECIPIENT_LINE.match(line) or _REASON_THEN_RECIPIENT.match(line)
        if m is not None:
            address = clean_address(m.group("addr"))
            if address and address not in exclude and not _continues(lines, anchors, i, address):
                anchors.append((i, address, m.group("rest").strip()))
    blocks: list[tuple[str, str]] = []
    for n, (i, address, rest) in enumerate(anchors):
        end = anchors[n + 1][0] if n + 1 < len(anchors) else len(lines)
        diagnostic = [rest] if rest else []
        for line in lines[i + 1:min(end, i + 1 + MAX_DIAGNOSTIC_LINES)]:
            if line.strip():
                diagnostic.append(line.strip())
            elif diagnostic:
                break  # a blank line ends the explanation once it has begun
        blocks.append((address, " ".join(diagnostic).strip()))
    merged: dict[str, str] = {}
    for address, words in blocks:
        if address not in merged or (words and not merged[address]):
            merged[address] = words
    return list(merged.items())


def _continues(lines: list[str], anchors: list[tuple[int, str, str]], i: int, address: str) -> bool:
    """Whether line *i*, which names *address*, is a folded line of the previous recipient's own
    explanation (Postfix wraps "host x said: 550" and puts "<a@b>: User unknown" on the next,
    indented line) rather than a recipient line of its own."""
    if not anchors or anchors[-1][1] != address or lines[i][:1] not in (" ", "\t"):
        return False
    start = anchors[-1][0]
    return i - start <= MAX_DIAGNOSTIC_LINES and all(line.strip() for line in lines[start + 1:i])


# The human-readable part is read only near each recipient; a bound keeps hostile text cheap.
HUMAN_WINDOW = 1200


def recipient_windows(human: str, recipients: list[str]) -> list[str]:
    """For each of *recipients*, the part of the human-readable text that speaks of it (all of the text
    when it is the only one). The text is lower-cased once, however many recipients it names."""
    lowered = human.lower()
    alone = len(recipients) == 1
    windows = []
    for recipient in recipients:
        at = lowered.find(recipient.lower()) if recipient else -1
        if at < 0 and "@" in recipient:
            # the human part may name the address as it was before rewriting (another domain)
            at = lowered.find(recipient.lower().partition("@")[0] + "@")
        if at < 0:
            windows.append(human[:HUMAN_WINDOW * 2] if alone else "")
        else:
            windows.append(human[at:at + HUMAN_WINDOW])
    return windows


# A line the remote server sent, as Sendmail's transcript quotes it ("<<< 550 5.1.1 ...").
_RECEIVED_LINE = re.compile(r"^[ \t]*<<<[ \t]*(?P<reply>[^\n]{0,2000})$", re.MULTILINE)
# A transcript line and a DSN field quote one reply alike at its start, not always further on (a
# multi-line reply is joined, spaces are folded): compare this many characters.
REPLY_HEAD_CHARS = 40


def command_in_window(window: str, diagnostic: str) -> str:
    """The SMTP command the recipient's failure answered, as the human-readable *window* tells it.

    Where a transcript quotes the reply the report states (*diagnostic*), that reply answered the
    last command sent before it, in its own session: a client sends the next command only after the
    reply (RFC 5321 s4.1, s4.3.1), and Sendmail's earlier sessions with other MX hosts ("450 busy"
    at one, then ">>> DATA" / "<<< 551" at the next) are not the failure it reports. Else the first
    command the window names (the window starts at the recipient; later text may be about others).
    """
    head = " ".join(diagnostic.split())[:REPLY_HEAD_CHARS]
    if len(head) >= 3 and "<<<" in window:
        for m in _RECEIVED_LINE.finditer(window):
            line = " ".join(m.group("reply").split())[:REPLY_HEAD_CHARS]
            n = min(len(head), len(line))
            if n >= 3 and line[:n] == head[:n]:
                return smtp_command(window[:m.end()])
    return smtp_command(window, first=True)


def codes_from_transcript(facts: Facts, window: str) -> None:
    """Sendmail's transcript states the codes its Diagnostic-Code leaves out ("(reason: 550 Host
    unknown)", or a local program's exit status), or states more precisely than Status: 5.0.0."""
    stated = parse_reply(facts.diagnostic_code) if facts.diagnostic_type != "X-UNIX" else None
    if stated is not None and stated.reply_code and stated.status:
        return
    reply = parse_reply(window)
    if not reply.reply_code or reply.reply_code[0] != (facts.status or reply.reply_code)[0]:
        return
    if stated is None or not stated.reply_code:
        facts.reply_code = reply.reply_code
    status = reply.status or status_in_text(window)
    if status[:1] == reply.reply_code[0] and (not facts.status or facts.status[1:] == ".0.0"):
        facts.status = status


def facts_from_diagnostic(recipient: str, diagnostic: str) -> Facts:
    reply = parse_reply(diagnostic)
    return Facts(recipient=recipient, status=reply.status or status_in_text(diagnostic), reply_code=reply.reply_code,
                 diagnostic_code=" ".join(diagnostic.split()), smtp_command=reply.command,
                 remote_mta=reply.remote_host)


def decode_plain(view: MessageView) -> list[Facts]:
    """Read a plain-text bounce: recipient lines and their diagnostics, else the failed-recipient headers."""
    text = error_text(view)
    sender = clean_address(view.header("to"))
    exclude = frozenset({sender, clean_address(view.header("from"))} - {""})
    blocks = recipient_blocks(text, exclude)
    if not blocks and attached_bounce(view):
        return []  # the real report is the attached message: read that instead (formats.decode)
    whole = " ".join(text.split())
    if blocks:
        blocks = [(recipient, diagnostic or whole[:2000]) for recipient, diagnostic in blocks]
    else:
        listed = view.header("x-failed-recipients") or original_headers(view).get("to", "")
        # a notice that quotes no server reply (Postfix: "Delivery report unavailable") has only its
        # own boilerplate: that is no diagnostic, and the failure has no usable clue
        quotes_reply = bool(parse_reply(whole).reply_code or status_in_text(whole))
        blocks = [(a, whole if quotes_reply else "") for a in map(clean_address, listed.split(",")) if a]
    temporary = bool(_TEMPORARY.search(text[:3000])) and "permanent" not in text[:3000].lower()
    out = []
    windows = recipient_windows(text, [recipient for recipient, _ in blocks])
    for (recipient, diagnostic), window in zip(blocks, windows, strict=True):
        facts = facts_from_diagnostic(recipient, diagnostic)
        codes_from_transcript(facts, window)
        facts.temporary = temporary
        facts.action = "delayed" if temporary else "failed"
        out.append(facts)
    return out


NAME = "text"


def sniff(view: MessageView) -> bool:
    return looks_like_bounce(view)


def decode(view: MessageView) -> list[Facts]:
    return decode_plain(view)
