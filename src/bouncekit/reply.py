"""Find an SMTP reply inside any text (a bare reply, a DSN field, MTA prose) and read its parts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from .model import Reply

# A reply code standing on its own: not glued to a word, a number, an address or a path
# (RFC 5321 s4.2: first digit 2-5, second 0-5), followed by a space, a continuation dash or the end.
_CODE = re.compile(r"(?<![\w.+/@=%$-])#?(?P<code>[2-5][0-5][0-9])(?P<sep>-|[ \t]+|(?=[\r\n])|$)")
# RFC 3463 s2; Exchange writes a leading '#' ("550 #5.7.1"), see reference/rfc_notes.md s2.
_STATUS_AFTER_CODE = re.compile(r"[ \t]*#?(?P<status>[245]\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9]|\.[0-9])")
_STATUS_ALONE = re.compile(r"(?<![\w.])#?(?P<status>[245]\.[0-9]{1,3}\.[0-9]{1,3})(?![0-9]|\.[0-9])")
# What every _CODE / _STATUS_ALONE match contains: these start with a character class, which the regex
# engine scans for quickly, where the lookbehind of the full patterns is tried at every position. A
# full match starts at most one character (its '#') before the first of these.
_CODE_HINT = re.compile(r"[2-5][0-5][0-9]")
_STATUS_HINT = re.compile(r"[245]\.[0-9]")
# What both start with (a digit 2-5, then a digit 0-5 or a dot, then a digit): a text without it has
# neither kind of code, as most servers' words have not once their codes are read. (One character class
# after another, not an alternation of the two hints: the regex engine then skips to the digits quickly.)
_ANY_HINT = re.compile(r"[2-5][.0-5][0-9]")
# What may stand before a reply at the start of a line: transcript marks ("S:", "<<<", "c <-").
# (Possessive: a run of blanks is crossed once, never split between the two that may take it.)
_LINE_PREFIX = re.compile(r"[ \t]*+(?:[A-Za-z]{1,2}[ \t]*+)?(?:<<<|>>>|<-|->|<~|[:>|])?[ \t]*\Z")
# What introduces a quoted reply in prose: Postfix "said:", DSN "smtp;", Exchange "#", quotes.
_PROSE_LEAD = re.compile(
    r"(?:[;'\"(\[#:]|\bsaid|\breturned|\berror|\breply|\bresponse|\banswer(?:ed)?|\bwas)[ \t]*\Z", re.I)
# The last character of every _PROSE_LEAD match before its blanks (U+017F: re.I matches it to 's').
_PROSE_LEAD_ENDS = frozenset(";'\"([#:dDrRyYeEsS\u017f")

# A space in a command phrase may be any white space with at most one line break: Postfix folds a
# long diagnostic ("... (in reply to\n    RCPT TO command)"). Possessive, so a long run of blanks is
# crossed once (linear time).
_SP = r"(?=[ \t\r\n])[ \t]*+(?:\r?\n)?[ \t]*+"
# The phrases that name the command a reply answered, and Sendmail's transcript lines (">>> RCPT To:<a>").
# QUIT is not among them: it only ends the session (RFC 5321 s4.1.1.10), so a reply to it (Sendmail
# sends QUIT after a refused greeting and quotes the "421 ... closing" it gets back) answers no
# delivery; the failure is the reply before it.
# A transcript session whose first line from the server is a failure ("... while talking to mx.b.example.:"
# then "<<< 554 ..." before any ">>>" line) was refused at its greeting: the reply answers the
# connection itself (RFC 5321 s3.1, s4.3.2: 554 or 421 instead of the 220 greeting), group "greeting".
# (The lookahead names the characters every match starts with: the regex engine then skips to them
# quickly, where it would try each alternative at every position of a text.)
_COMMAND = re.compile(
    r"(?=[iaw \t>])(?:"
    rf"(?:\bin{_SP}reply{_SP}to{_SP}(?:the{_SP})?|\bafter{_SP}(?:pipelined{_SP}|sending{_SP})?"
    rf"|\bwhile{_SP}(?:sending|receiving){_SP}(?:the{_SP})?"
    r"|^[ \t]*>>>[ \t]*)"
    rf"(?P<cmd>end{_SP}of{_SP}data|MAIL{_SP}FROM|RCPT{_SP}TO|MAIL|RCPT|DATA|BDAT|EHLO|HELO|LHLO|STARTTLS|AUTH"
    rf"|initial{_SP}connection|connection|connect|greeting|banner|data{_SP}block|RSET|VRFY|EXPN)\b"
    r"|\bwhile[ \t]+talking[ \t]+to[ \t][^\n]{0,300}\n[ \t]*<<<[ \t]*(?P<greeting>[45][0-5][0-9]))",
    re.I | re.M)
_COMMAND_NAMES = {
    "END OF DATA": "DATA", "DATA BLOCK": "DATA", "MAIL FROM": "MAIL", "RCPT TO": "RCPT", "LHLO": "EHLO",
    "INITIAL CONNECTION": "CONN", "CONNECTION": "CONN", "CONNECT": "CONN", "GREETING": "CONN",
    "BANNER": "CONN",
}


def _command_name(match: re.Match[str]) -> str:
    """The command a _COMMAND *match* names, as a Delivery's smtp_command says it ("RCPT", "CONN")."""
    if match.group("cmd") is None:
        return "CONN"  # a session refused at its greeting
    found = " ".join(match.group("cmd").upper().split())  # a folded "RCPT\n TO" is "RCPT TO"
    return _COMMAND_NAMES.get(found, found)


# Words that name the command without naming it: Postfix's smtpd answers "<a@b>: Recipient address
# rejected: ..." when its recipient restrictions refuse an address, which it does in reply to RCPT TO
# (postconf(5), smtpd_recipient_restrictions; other servers copy the wording). Only when the text names
# no command outright: a client that pipelined its commands quotes the refusal after its ">>> DATA".
_RCPT_REFUSAL = re.compile(rf"(?=[r])\brecipient{_SP}address{_SP}rejected\b", re.I)  # (see _COMMAND)
_RCPT_REFUSAL_WORD = "rejected"
_REMOTE_HOST = re.compile(
    r"\bhost[ \t]+(?P<a>[\w.-]+\.[A-Za-z]{2,}|[\d.]+)[ \t]*\[|\bwhile talking to[ \t]+(?P<b>[\w.-]+?)\.?:"
    r"|\bRemote-MTA:[ \t]*dns;[ \t]*(?P<c>[\w.-]+)", re.I)
# Every _COMMAND match holds one of these (lower-cased), where it starts ("after", "while") or just
# after the "in" it starts with ("in reply to", which may be folded), or starts a line with ">>>".
_COMMAND_WORDS = ("reply", "after", "while")
# Where a phrase "in reply to" may start (lower-cased text): the only _COMMAND matches that start
# before the word of _COMMAND_WORDS they hold.
_IN_REPLY = re.compile(rf"in{_SP}reply")
# Below this length trying _COMMAND at every position is cheaper than finding where its words start.
_SCAN_ALL_BELOW = 200
# ... and one of these in any text _REMOTE_HOST matches.
_HOST_WORDS = ("host", "while talking to", "remote-mta:")
# Every word that _command() or _REMOTE_HOST needs (the text lower-cased): a text with none names neither.
_CONTEXT_WORDS = (">>>", *_COMMAND_WORDS, _RCPT_REFUSAL_WORD, *_HOST_WORDS)
# The start of the warning for a multi-line reply whose lines carry different codes.
CODE_CHANGED = "multi-line reply changed its code"
_POSTFIX_TAIL = re.compile(r"\s*\(in reply to [^)]*\)\s*$", re.I)


def _is_reply_start(text: str, line_start: int, start: int) -> bool:
    """Whether the code at *start* stands where a reply starts: after a transcript mark at the start of
    its line (which starts at *line_start*), or after words that introduce a reply."""
    if _LINE_PREFIX.match(text, line_start, start):
        return True
    before = text[max(line_start, start - 40):start].rstrip(" \t")  # (_PROSE_LEAD ends in [ \t]*)
    return bool(before) and before[-1] in _PROSE_LEAD_ENDS and _PROSE_LEAD.search(before) is not None


def _find_start(text: str) -> tuple[re.Match[str], re.Match[str] | None] | None:
    """The first reply code that stands where a reply starts or carries an enhanced code."""
    m = _CODE.match(text)
    if m is not None:  # the common case: the text is the reply (and a code at its start starts a reply)
        return m, _STATUS_AFTER_CODE.match(text, m.end()) if m.group("sep") else None
    hint = _CODE_HINT.search(text)
    if hint is None:
        return None
    line_start = searched = 0  # (each line break is looked for once: a long line of codes stays linear)
    for m in _CODE.finditer(text, max(hint.start() - 1, 0)):
        status = _STATUS_AFTER_CODE.match(text, m.end()) if m.group("sep") else None
        if status is not None:
            return m, status
        line_start = text.rfind("\n", searched, m.start()) + 1 or line_start
        searched = m.start()
        if _is_reply_start(text, line_start, m.start()):
            return m, None
    return None


def smtp_command(text: str, first: bool = False) -> str:
    """The SMTP command that *text* says a reply answered (the last one named, or the first)."""
    return _command(text, text.lower() if text.isascii() else None, first)


def _command(text: str, lowered: str | None, first: bool = False) -> str:
    """smtp_command() given *lowered*, the lower-cased *text* when it is ASCII (else None)."""
    found = ""
    matches: Iterator[re.Match[str]]
    if lowered is None:
        matches = _COMMAND.finditer(text)
    elif ">>>" not in text and not any(map(lowered.__contains__, _COMMAND_WORDS)):
        # none of the words _COMMAND needs (ASCII: lower() and re.I agree)
        return _implied_command(text, lowered)
    elif len(text) < _SCAN_ALL_BELOW:
        matches = _COMMAND.finditer(text)
    else:
        # try _COMMAND only where one of its words starts, or at the start of a line with '>>>' on it
        # (the only places a match can start), not at every position of a long text
        matches = _matches_at(text, _command_starts(text, lowered))
    for m in matches:
        found = _command_name(m)
        if first:
            break
    return found or _implied_command(text, lowered)


def _implied_command(text: str, lowered: str | None) -> str:
    """The command that *text* names in other words (see _RCPT_REFUSAL), or ``""``."""
    if lowered is None:
        return "RCPT" if _RCPT_REFUSAL.search(text) else ""
    if _RCPT_REFUSAL_WORD not in lowered:
        return ""  # the common case
    at = lowered.find("recipient")  # (tried only where its first word starts, not at every position)
    while at >= 0:
        if _RCPT_REFUSAL.match(text, at):
            return "RCPT"
        at = lowered.find("recipient", at + 1)
    return ""


def _command_starts(text: str, lowered: str) -> list[int]:
    """The positions in ASCII *text* where a _COMMAND match may start, in order."""
    starts = []
    for word in _COMMAND_WORDS:
        if word == "reply":
            starts += [m.start() for m in _IN_REPLY.finditer(lowered)]  # (the "in" of a folded phrase too)
            continue
        at = lowered.find(word)
        while at >= 0:
            starts.append(at)
            at = lowered.find(word, at + 1)
    # a transcript's ">>> COMMAND" line: from its line start (each line break is looked at once: a
    # line of a million '>' is no quadratic search back)
    at = text.find(">>>")
    line_start = searched = 0
    while at >= 0:
        line_start = text.rfind("\n", searched, at) + 1 or line_start
        searched = at
        starts.append(line_start)
        at = text.find(">>>", at + 1)
    return sorted(set(starts))


def _matches_at(text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """What _COMMAND.finditer(text) finds, trying only *starts* (which hold every match's start)."""
    end = 0
    for start in starts:
        if start >= end and (m := _COMMAND.match(text, start)) is not None:
            end = m.end()
            yield m


def status_in_text(text: str) -> str:
    """The first enhanced status code anywhere in *text* (``""`` if none): for prose that states
    the code apart from the reply code ("501 Rcpt-To validation failed: ... 5.7.1 not allowed")."""
    m = _status_alone(text)
    return m.group("status") if m else ""


def _status_alone(text: str) -> re.Match[str] | None:
    hint = _STATUS_HINT.search(text)
    return None if hint is None else _STATUS_ALONE.search(text, max(hint.start() - 1, 0))


# A recipient's diagnostic is read by its decoder and again by the engine: keep the last few readings
# of texts up to this size (a bound, so hostile megabyte texts are not kept).
MAX_CACHED_TEXT = 4096


def parse_reply(text: str) -> Reply:
    """Read the first SMTP reply in *text*: its reply code, enhanced status code, words and command.

    Accepts bare replies (``550 5.1.1 User unknown``), multi-line replies (``452-4.2.2 ...`` lines
    that all carry the same code, RFC 5321 s4.2.1) and replies quoted by MTAs: Exim's "SMTP error
    from remote mail server after RCPT TO:<...>: 550 ...", Postfix's "host X said: 550-5.1.1 ...
    (in reply to RCPT TO command)", a DSN "smtp; 550 ..." diagnostic, Sendmail's "... 550 5.1.1
    <a@b>... User unknown" and Microsoft's "#550 5.1.10 RESOLVER.ADR...; ##". A text with no reply
    code gives a Reply whose ``reply_code`` is empty (its enhanced code is still read if present).
    """
    return _read_recent(text) if len(text) <= MAX_CACHED_TEXT else _read(text)


def may_hold_code(text: str) -> bool:
    """False when parse_reply(*text*) finds neither a reply code nor an enhanced status code (nor does
    status_in_text()): it then reads no more than reply_context() and the words."""
    if _ANY_HINT.search(text) is None:
        return False  # the common case, told by one quick search
    text = _with_lf(text)  # (as _read() has it; a number in an address or a time is no code)
    return _find_start(text) is not None or _status_alone(text) is not None


def reply_context(text: str) -> tuple[str, str]:
    """The SMTP command and the remote host that parse_reply(*text*) reads from around the reply."""
    return _context(_with_lf(text))


def _with_lf(text: str) -> str:
    """*text* with its CRLF and CR line ends made LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _context(text: str) -> tuple[str, str]:
    """reply_context() of *text* with LF line ends."""
    lowered = text.lower() if text.isascii() else None
    if lowered is not None and not _holds_any(lowered, _CONTEXT_WORDS):
        return "", ""  # the common case, at the cost of a few substring tests
    command = _command(text, lowered)
    host_match = (None if lowered is not None and not any(map(lowered.__contains__, _HOST_WORDS))
                  else _REMOTE_HOST.search(text))
    return command, next((g for g in host_match.groups() if g), "") if host_match else ""


def _holds_any(text: str, words: tuple[str, ...]) -> bool:
    # a loop of "in" tests: cheaper than any() over a generator or map(text.__contains__, words)
    for word in words:  # noqa: SIM110
        if word in text:
            return True
    return False


def _read(text: str) -> Reply:
    text = _with_lf(text)
    command, remote_host = _context(text)
    found = _find_start(text)
    if found is None:
        status_alone = _status_alone(text)
        if status_alone is None:
            return Reply(text=_clean(text), command=command, remote_host=remote_host)
        words = text[status_alone.end():]
        return Reply(status=status_alone.group("status"), text=_clean(words), command=command,
                     remote_host=remote_host, lines=(text[status_alone.start():].split("\n", 1)[0],))
    code_match, status_match = found
    code = code_match.group("code")
    status = status_match.group("status") if status_match else ""
    lines, words, warnings = _gather(text, code_match, status_match)
    if status and status[0] != code[0]:
        warnings.append(
            f"reply code {code} and enhanced status code {status} disagree "
            f"(RFC 2034 s4: the class must match the first digit; the reply code decides, RFC 5321 s4.2.1)")
    return Reply(code, status, words, command, remote_host, tuple(lines), tuple(warnings))


_read_recent = lru_cache(maxsize=256)(_read)


def _gather(text: str, code_match: re.Match[str],
            status_match: re.Match[str] | None) -> tuple[list[str], str, list[str]]:
    """Collect the lines of one reply, from its first code to its last line, and its words."""
    code = code_match.group("code")
    first_end = status_match.end() if status_match else code_match.end()
    rest = text[first_end:]
    first, _, following = rest.partition("\n")
    lines = [text[code_match.start():first_end] + first]
    words = [first]
    warnings: list[str] = []
    continued = code_match.group("sep") == "-"
    for line in following.split("\n") if following else ():
        m = _CODE.search(line)
        at_start = m is not None and _LINE_PREFIX.match(line[:m.start()]) is not None
        if m is not None and at_start:
            if m.group("code") != code:
                if continued:
                    warnings.append(f"{CODE_CHANGED} from {code} to {m.group('code')} "
                                    "(RFC 5321 s4.2.1: every line must carry the same code)")
                break
            status = _STATUS_AFTER_CODE.match(line, m.end())
            lines.append(line)
            words.append(line[status.end() if status else m.end():])
            continued = m.group("sep") == "-"
            if not continued:
                break
        elif continued or (line[:1] in (" ", "\t") and line.strip()):
            # folded prose (Postfix and DSN fields wrap long replies with leading white space)
            lines.append(line)
            words.append(line)
        else:
            break
    joined = " ".join(words)
    # Postfix and others quote a multi-line reply on one line: "550-5.1.1 a 550-5.1.1 b 550 5.1.1 c"
    status_code = status_match.group("status") if status_match else ""
    if code not in joined:
        pass  # nothing to remove (the common case: a one-line reply)
    elif status_code:
        joined = re.sub(rf"(?<![\w.]){code}[ -]#?{re.escape(status_code)}(?=\s|$)", " ", joined)
    else:
        joined = re.sub(rf"(?<![\w.]){code}-", " ", joined)
    return lines, _clean(joined), warnings


def _clean(words: str) -> str:
    words = " ".join(words.split())
    if words.endswith(")"):  # (no white space is left at the end for the tail's "\s*$")
        words = _POSTFIX_TAIL.sub("", words)
    words = words.strip().removesuffix("##").strip()
    if len(words) >= 2 and words[0] == words[-1] and words[0] in "'\"":
        words = words[1:-1].strip()
    elif words[-1:] in ("'", '"') and words.count(words[-1]) % 2:
        words = words[:-1].rstrip()  # the closing quote of "returned '550 ...'"
    return words
