"""SMTP dialogues (client commands and server replies) as one Delivery record per recipient.

Reads the forms tools write: ``S:``/``C:`` prefixes, ``<<<``/``>>>`` (received/sent) and swaks'
``<-``/``->``, chamuyero scripts (``c -> EHLO x``, ``c <~ 250``, ``nc <- MAIL FROM:<a>``), raw
alternating lines, and a server half and a client half given apart. Which side a line is on is
taken from its mark when it has an unambiguous one, else from its content: a reply starts with a
three-digit code (RFC 5321 s4.2), a command with a verb (s4.1).

Commands and replies are paired in order, as a client does (replies come in command order even
with PIPELINING, RFC 2920 s3): 354 opens the message body, 334 continues AUTH, and after the final
dot an LMTP server answers once per accepted recipient (RFC 2033 s4.2). Each recipient's record
names the first command on its path that failed (MAIL, RCPT, DATA) with that reply, or says it was
delivered; a session that failed before naming any recipient (greeting, EHLO, AUTH, STARTTLS)
gives one record with an empty recipient.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from .logs.record import LogFacts, to_delivery
from .model import Delivery

VERBS = frozenset({"HELO", "EHLO", "LHLO", "MAIL", "RCPT", "DATA", "BDAT", "QUIT", "RSET", "VRFY", "EXPN", "NOOP",
                   "AUTH", "STARTTLS", "HELP", "ETRN", "XCLIENT", "XFORWARD"})
SESSION_COMMAND = {"HELO": "EHLO", "LHLO": "EHLO", "EHLO": "EHLO", "AUTH": "AUTH", "STARTTLS": "STARTTLS"}
# Dialogues are short; a bound keeps a hostile megabyte paste from costing more than its slice.
MAX_TRANSCRIPT = 1 << 20

_REPLY = re.compile(r"(?P<code>[2-5][0-5]\d)(?P<sep>[ -]|$)")
# Marks: explicit sides first, then arrows whose side the content decides (chamuyero, swaks).
# Postfix's notices to the postmaster write the server's side: "In:" is the client, "Out:" the server.
_SIDE_MARK = re.compile(r"[ \t]*(?:(?P<s>S|server|<<<|reply|recv|Out)|(?P<c>C|client|>>>|send|In))[ \t]*:?[ \t]?",
                        re.I)
_ARROW = re.compile(r"[ \t]*(?:(?P<conn>[A-Za-z]\w{0,15})[ \t]+)?(?P<arrow><\.\.\.|<-|->|<~|~>|<\*\*|\*\*>)[ \t]?")
_CONNECT = re.compile(r"[ \t]*[A-Za-z]\w{0,15}[ \t]+(?:tcp_connect|tls_connect|unix_connect|close|tcp_listen"
                      r"|unix_listen|tls_listen)\b")
# chamuyero steps that run or wait for a process ("mda |= ./cmd", "mda wait 0"): not the dialogue.
_SCRIPT_STEP = re.compile(r"[ \t]*[A-Za-z]\w{0,15}[ \t]+(?:\|=|=|wait\b)")
_PATH = re.compile(r"(?:FROM|TO):[ \t]*<?(?P<address>[^<>\s]{0,256})>?", re.I)


@dataclass(slots=True)
class _Line:
    side: str
    """``S`` (server reply), ``C`` (client line) or ``X`` (a new connection)."""
    text: str
    number: int


@dataclass(slots=True)
class _Reply:
    code: str
    text: str
    number: int


@dataclass(slots=True)
class _Transaction:
    mail: _Reply | None = None
    recipients: list[tuple[str, _Reply]] = field(default_factory=list)
    data: _Reply | None = None
    """The reply to DATA when it was refused (no 354)."""
    ends: list[_Reply] = field(default_factory=list)
    """The replies after the final dot (one for SMTP, one per accepted recipient for LMTP)."""


def _lines(text: str, force: str = "") -> list[_Line]:
    found: list[_Line] = []
    for number, raw in enumerate(text[:MAX_TRANSCRIPT].splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip() and not force:
            continue
        if line.lstrip().startswith("#"):
            continue
        if _CONNECT.match(line):
            found.append(_Line("X", "", number))
            continue
        side = force
        m = _SIDE_MARK.match(line)
        if m is not None and not side and m.end() > 0 and (m.group(0).rstrip().endswith((":", "<<<", ">>>"))):
            side = "S" if m.group("s") else "C"
            line = line[m.end():]
        else:
            a = _ARROW.match(line)
            if a is not None:
                line = line[a.end():]
                if line[:1] in ("'", '"'):  # chamuyero's raw bytes in quotes: not a line of the dialogue
                    continue
            elif _SCRIPT_STEP.match(line):
                continue
        content = line.strip()
        if not side:
            side = "S" if _REPLY.match(content) else "C"
        found.append(_Line(side, content, number))
    return found


def _group_replies(lines: list[_Line]) -> list[_Reply]:
    """Server lines as replies: "250-a" lines continue until "250 b" (RFC 5321 s4.2.1)."""
    replies: list[_Reply] = []
    pending: list[str] = []
    for line in lines:
        m = _REPLY.match(line.text)
        if m is None:
            continue
        pending.append(line.text)
        if m.group("sep") != "-":
            replies.append(_Reply(m.group("code"), " ".join(pending), line.number))
            pending = []
    if pending:
        replies.append(_Reply(pending[-1][:3], " ".join(pending), lines[-1].number))
    return replies


def _facts(recipient: str, reply: _Reply, command: str) -> tuple[LogFacts, int]:
    first = reply.code[:1]
    action = "delivered" if first == "2" else "delayed" if first == "4" else "failed"
    return LogFacts(recipient=recipient, action=action, diagnostic_code=reply.text, smtp_command=command), reply.number


def _outcomes(txn: _Transaction, lmtp: bool) -> list[tuple[LogFacts, int]]:
    results = []
    accepted = 0
    for address, reply in txn.recipients:
        if txn.mail is not None and txn.mail.code[0] in "45":
            results.append(_facts(address, txn.mail, "MAIL"))
        elif reply.code[0] in "45":
            results.append(_facts(address, reply, "RCPT"))
        elif txn.data is not None:
            results.append(_facts(address, txn.data, "DATA"))
        elif txn.ends:
            end = txn.ends[min(accepted, len(txn.ends) - 1)] if lmtp else txn.ends[0]
            accepted += 1
            results.append(_facts(address, end, "DATA" if end.code[0] in "45" else ""))
    return results


def _session(commands: deque[_Line], replies: deque[_Reply], greetings: int) -> list[tuple[LogFacts, int]]:
    results: list[tuple[LogFacts, int]] = []
    first_failure: tuple[_Reply, str] | None = None
    for _ in range(greetings):
        greeting = replies.popleft() if replies else None
        if greeting is not None and greeting.code[0] in "45":
            first_failure = (greeting, "CONN")
    if not greetings and replies and replies[0].code == "220":
        replies.popleft()
    txn = _Transaction()
    lmtp = False
    named = False
    while commands:
        line = commands.popleft()
        verb = line.text.split(" ", 1)[0].split(":", 1)[0].upper()
        if verb not in VERBS:
            continue  # an AUTH response, or text that is not a command
        reply = replies.popleft() if replies else None
        if reply is None:
            break
        while verb == "AUTH" and reply.code == "334" and replies:
            if commands and commands[0].text.split(" ", 1)[0].upper() not in VERBS:
                commands.popleft()  # the client's answer to the challenge
            reply = replies.popleft()
        failed = reply.code[0] in "45"
        if verb == "LHLO":
            lmtp = True
        if verb == "MAIL":
            results += _outcomes(txn, lmtp)
            txn = _Transaction(mail=reply)
        elif verb == "RCPT":
            m = _PATH.search(line.text)
            txn.recipients.append((m.group("address") if m else "", reply))
            named = True
        elif verb in ("DATA", "BDAT"):
            if verb == "DATA" and reply.code == "354":
                while commands and commands.popleft().text != ".":
                    pass  # the message body, up to the final dot (RFC 5321 s4.1.1.4)
                wanted = sum(1 for _, r in txn.recipients if r.code[0] == "2") if lmtp else 1
                for _ in range(max(wanted, 1)):
                    if replies:
                        txn.ends.append(replies.popleft())
            elif failed:
                txn.data = reply
            elif verb == "BDAT" and "LAST" in line.text.upper():
                txn.ends.append(reply)
        elif verb in ("RSET", "QUIT"):
            results += _outcomes(txn, lmtp)
            txn = _Transaction()
        if failed and first_failure is None and verb != "QUIT":
            # QUIT only ends the session (RFC 5321 s4.1.1.10): a refusal of it ("421 ... closing")
            # fails no delivery, so it is no failure of the session either
            first_failure = (reply, SESSION_COMMAND.get(verb, verb))
    results += _outcomes(txn, lmtp)
    if not named and first_failure is not None:
        facts, number = _facts("", first_failure[0], first_failure[1])
        results.append((facts, number))
    return results


def _sessions(lines: list[_Line]) -> list[list[_Line]]:
    sessions: list[list[_Line]] = [[]]
    for line in lines:
        if line.side == "X":
            if sessions[-1]:
                sessions.append([])
        else:
            sessions[-1].append(line)
    return [s for s in sessions if s]


def parse_transcript(text: str, client: str | None = None, source: str = "") -> list[Delivery]:
    """One Delivery record per recipient of an SMTP dialogue, naming the command that failed.

    *text* holds the whole dialogue; or, when *client* is given, *text* holds only the server's
    replies and *client* only the client's lines (half-dialogues recorded apart). Records carry the
    reply's line number in ``line``.
    """
    results: list[tuple[LogFacts, int]] = []
    if client is not None:
        replies = _group_replies(_lines(text, "S"))
        results = _session(deque(_lines(client, "C")), deque(replies), 0)
    else:
        for session in _sessions(_lines(text)):
            first_command = next((i for i, line in enumerate(session) if line.side == "C"), len(session))
            greetings = len(_group_replies(session[:first_command]))
            results += _session(deque(line for line in session if line.side == "C"),
                                deque(_group_replies([line for line in session if line.side == "S"])), greetings)
    return [to_delivery(facts, source, number, "", "", "smtp-transcript") for facts, number in results]
