"""Finding SMTP replies in text: bare, multi-line, and quoted by MTAs in their bounces and logs."""

from __future__ import annotations

import re

import pytest

from bouncekit import parse_reply
from bouncekit.reply import smtp_command

from .conftest import shared_path


@pytest.mark.parametrize(("text", "code", "status", "words", "command"), [
    ("550 5.1.1 <x@example.com>: User unknown", "550", "5.1.1", "<x@example.com>: User unknown", ""),
    ("250 OK", "250", "", "OK", ""),
    ("421", "421", "", "", ""),
    ("554 ", "554", "", "", ""),
    # Exim: "SMTP error from remote mail server after <command>: <reply>"
    ("SMTP error from remote mail server after RCPT TO:<a@b.example>: 550 5.1.1 <a@b.example>: "
     "Recipient address rejected: User unknown in virtual mailbox table",
     "550", "5.1.1", "<a@b.example>: Recipient address rejected: User unknown in virtual mailbox table", "RCPT"),
    ("SMTP error from remote mail server after end of data: 552 5.3.4 Message size exceeds fixed limit",
     "552", "5.3.4", "Message size exceeds fixed limit", "DATA"),
    ("SMTP error from remote mail server after initial connection: 554 5.7.1 Service unavailable",
     "554", "5.7.1", "Service unavailable", "CONN"),
    ("SMTP error from remote mail server after MAIL FROM:<s@example.org> SIZE=1234: 553 5.1.8 Domain of "
     "sender address does not exist", "553", "5.1.8", "Domain of sender address does not exist", "MAIL"),
    # Postfix: multi-line reply joined on one line, command in parentheses
    ("host gmail-smtp-in.l.google.com[142.250.1.26] said: 550-5.1.1 The email account that you tried to "
     "reach does not exist. Please try 550-5.1.1 double-checking the recipient's email address for typos "
     "550 5.1.1 https://support.google.com/mail/?p=NoSuchUser a1si (in reply to RCPT TO command)",
     "550", "5.1.1", "The email account that you tried to reach does not exist. Please try double-checking "
     "the recipient's email address for typos https://support.google.com/mail/?p=NoSuchUser a1si", "RCPT"),
    ("host mx.example.net[192.0.2.7] said: 552 5.2.2 Mailbox full (in reply to end of DATA command)",
     "552", "5.2.2", "Mailbox full", "DATA"),
    # DSN Diagnostic-Code field
    ("Diagnostic-Code: smtp; 550 5.1.1 <a@b.example>... User unknown", "550", "5.1.1",
     "<a@b.example>... User unknown", ""),
    ("smtp;550 5.7.1 Relaying denied", "550", "5.7.1", "Relaying denied", ""),
    # Sendmail prose and transcript
    ("... while talking to mx.b.example.:\n>>> RCPT To:<a@b.example>\n<<< 550 5.1.1 <a@b.example>... "
     "User unknown", "550", "5.1.1", "<a@b.example>... User unknown", "RCPT"),
    ("----- Transcript of session follows -----\n... 550 5.1.1 <a@b.example>... User unknown", "550",
     "5.1.1", "<a@b.example>... User unknown", ""),
    # Microsoft Exchange / Office 365
    ("#550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup ##",
     "550", "5.1.10", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", ""),
    ("Remote Server returned '550 5.7.1 RESOLVER.RST.AuthRequired; authentication required'", "550", "5.7.1",
     "RESOLVER.RST.AuthRequired; authentication required", ""),
    ("#< #5.1.1 smtp;550 5.1.1 RESOLVER.ADR.RecipNotFound; not found>", "550", "5.1.1",
     "RESOLVER.ADR.RecipNotFound; not found>", ""),
    ("550 #5.7.1 Access denied", "550", "5.7.1", "Access denied", ""),
])
def test_replies_are_found_in_every_common_form(text: str, code: str, status: str, words: str,
                                                command: str) -> None:
    reply = parse_reply(text)
    assert (reply.reply_code, reply.status, reply.text, reply.command) == (code, status, words, command)


@pytest.mark.parametrize(("text", "command"), [
    # Postfix folds a long diagnostic, also inside its "(in reply to ... command)"
    ("host mx.b.example[192.0.2.7] said: 550 5.1.1 <a@b.example>: User unknown (in reply to\n"
     "    RCPT TO command)", "RCPT"),
    ("host mx.b.example[192.0.2.7] said: 554 5.7.1 Message refused (in\n    reply to end of DATA command)",
     "DATA"),
    ("host mx.b.example[192.0.2.7] said: 554 5.7.1 Message refused (in reply to end of\r\n DATA command)",
     "DATA"),
    ("SMTP error from remote mail server after\n  MAIL FROM:<s@example.org>: 553 5.1.8 no", "MAIL"),
    # a blank line ends the phrase: what follows a paragraph is not its command
    ("the server gave up after\n\nDATA was sent", ""),
])
def test_a_command_phrase_folded_over_lines_is_read(text: str, command: str) -> None:
    assert parse_reply(text).command == command
    assert smtp_command(text * 20) == command  # (a long text: searched from the words' positions)


@pytest.mark.parametrize(("text", "command"), [
    # Sendmail: the server's first line of a session is a refusal, before any command was sent
    ("... while talking to mx.b.example.:\n<<< 554 mx.b.example not accepting connections\n", "CONN"),
    ("... while talking to mx.b.example.:\n<<< 220 mx.b.example ESMTP\n", ""),  # a greeting, no refusal
    ("... while talking to mx.b.example.:\n>>> DATA\n<<< 554 5.7.1 refused\n", "DATA"),
    # QUIT ends a session; the reply to it answers no delivery
    ("... while talking to mx.b.example.:\n>>> RCPT To:<a@b.example>\n<<< 550 5.1.1 unknown\n>>> QUIT\n"
     "<<< 421 4.7.0 closing\n", "RCPT"),
    ("... while talking to mx.b.example.:\n<<< 554 no service\n>>> QUIT\n<<< 421 4.7.0 closing\n", "CONN"),
])
def test_a_transcript_names_the_command_a_failure_answered(text: str, command: str) -> None:
    assert smtp_command(text) == command
    assert smtp_command(text, first=True) == command


@pytest.mark.parametrize(("text", "command"), [
    # Postfix's recipient restrictions refuse at RCPT TO, and say so in other words
    ("host mx.b.example[192.0.2.7] said: 550 5.1.1 <a@b.example>: Recipient address rejected: User unknown in "
     "local recipient table", "RCPT"),
    ("550 5.7.1 <a@b.example>: Recipient\n    address rejected: Access denied", "RCPT"),
    # ... but a command named outright decides (a pipelining client quotes the refusal after DATA)
    ("... while talking to mx.b.example.:\n>>> DATA\n<<< 550 5.1.1 <a@b.example>: Recipient address rejected: "
     "User unknown", "DATA"),
    ("501 5.1.8 <s@example.org>: Sender address rejected: Domain not found", ""),  # (delayed to RCPT by default)
])
def test_a_refusal_of_the_recipient_address_answered_rcpt(text: str, command: str) -> None:
    assert parse_reply(text).command == command
    assert smtp_command(text, first=True) == command


def test_multi_line_reply_lines_are_joined() -> None:
    reply = parse_reply("452-4.2.2 The email account is over quota.\n452-4.2.2 Please direct the\n"
                        "452 4.2.2 recipient to the help page")
    assert (reply.reply_code, reply.status) == ("452", "4.2.2")
    assert reply.text == "The email account is over quota. Please direct the recipient to the help page"
    assert len(reply.lines) == 3


def test_multi_line_reply_stops_where_the_code_changes_and_says_so() -> None:
    reply = parse_reply("250-mx.example.com\n251 forwarded")
    assert reply.reply_code == "250"
    assert reply.lines == ("250-mx.example.com",)
    assert any("same code" in w for w in reply.warnings)


def test_a_reply_after_a_complete_one_is_not_swallowed() -> None:
    reply = parse_reply("250 OK\n550 5.1.1 no such user")
    assert (reply.reply_code, reply.text, reply.warnings) == ("250", "OK", ())


def test_contradicting_codes_are_noted() -> None:
    reply = parse_reply("250 5.1.1 this cannot be")
    assert (reply.reply_code, reply.status) == ("250", "5.1.1")
    assert any("disagree" in w for w in reply.warnings)


def test_matching_codes_give_no_warning() -> None:
    assert parse_reply("550 5.1.1 gone").warnings == ()


def test_enhanced_code_without_reply_code_is_read() -> None:
    reply = parse_reply("Status: 5.2.2 (mailbox full)")
    assert (reply.reply_code, reply.status) == ("", "5.2.2")


@pytest.mark.parametrize("text", ["server at 192.168.250.1 refused", "version 4.2.2.1 released",
                                  "port 2525 closed", "user550@example.com is gone", ""])
def test_numbers_that_are_not_codes_are_ignored(text: str) -> None:
    reply = parse_reply(text)
    assert (reply.reply_code, reply.status) == ("", "")


def test_remote_host_is_taken_from_postfix_prose() -> None:
    assert parse_reply("host mx.example.com[192.0.2.1] said: 450 4.2.1 slow down").remote_host == \
        "mx.example.com"


# --- every reply line of the dialogues in ../shared/corpus/logs/transcripts --------------------

_REPLY_LINE = re.compile(r"^([2-5][0-5][0-9])([ -]|$)(?:([245]\.\d{1,3}\.\d{1,3})(?:\s|$))?")
# chamuyero scripts: "c <- reply" is read from the server by client c; "nc -> reply" is sent by
# the scripted server nc. "c <~ 220" lines are regexes, not replies.
_CHAMUYERO = re.compile(r"^(?:c <- |nc -> )(.*)$")


def _transcript_reply_lines() -> list[str]:
    root = shared_path("corpus", "logs", "transcripts")
    lines = []
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix == ".json":
            continue
        for raw in path.read_text(encoding="utf-8").splitlines():
            if path.suffix == ".cmy":
                m = _CHAMUYERO.match(raw)
                raw = m.group(1) if m else ""
            raw = raw.split("\t# ")[0]  # aiosmtpd's catalogue names each reply after a tab
            if _REPLY_LINE.match(raw):
                lines.append(raw)
    return lines


def test_every_transcript_reply_line_is_read() -> None:
    lines = _transcript_reply_lines()
    assert len(lines) > 150
    for line in lines:
        m = _REPLY_LINE.match(line)
        assert m is not None
        reply = parse_reply(line)
        assert reply.reply_code == m.group(1), line
        assert reply.status == (m.group(3) or ""), line
        rest = line[m.end():] if m.group(3) else line[4:]
        assert reply.text == " ".join(rest.split()).removesuffix("##").strip(), line


def test_transcript_multi_line_replies_are_read_whole() -> None:
    root = shared_path("corpus", "logs", "transcripts", "go-smtp")
    text = (root / "client_test__faultyServer.txt").read_text(encoding="utf-8")
    after = text.split("500 Failing without enhanced code\n", 1)[1]
    reply = parse_reply(after)
    assert (reply.reply_code, reply.status) == ("500", "5.0.0")
    assert reply.text == "Failing with multiline and enhanced code ... still failing"
