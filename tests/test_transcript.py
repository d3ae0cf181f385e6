"""SMTP dialogues as one record per recipient naming the failed command (bouncekit.parse_transcript)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouncekit import parse_transcript

from .conftest import shared_path


def _summary(records: list) -> list[tuple[str, str, str, str, str]]:
    return [(r.recipient, r.action, r.smtp_command, r.reply_code, r.status) for r in records]


CHASQUID = [
    ("test_t-12-minor_dialogs_bad_data.cmy",
     [("", "failed", "DATA", "503", "5.5.1"), ("user@testserver", "failed", "DATA", "554", "5.6.0")]),
    ("test_t-12-minor_dialogs_message_too_big.cmy", [("user@testserver", "failed", "DATA", "552", "5.3.4")]),
    ("test_t-12-minor_dialogs_sendmail.cmy", [("user@testserver", "delivered", "", "250", "")]),
    ("test_t-12-minor_dialogs_auth_not_tls.cmy", [("", "failed", "AUTH", "503", "5.7.10")]),
    ("test_t-12-minor_dialogs_bad_data_dot.cmy", [("user@testserver", "failed", "DATA", "521", "5.5.2")]),
    ("cmd_mda-lmtp_test_unix_failure.cmy", [("to", "delayed", "DATA", "452", "4.0.947")]),
    ("cmd_mda-lmtp_test_tcp_success.cmy", [("to", "delivered", "", "250", "")]),
    ("test_t-12-minor_dialogs_helo.cmy", []),
]


@pytest.mark.parametrize(("name", "expected"), CHASQUID)
def test_chamuyero_script_gives_one_record_per_recipient(name: str, expected: list) -> None:
    text = shared_path("corpus", "logs", "transcripts", "chasquid", name).read_text(encoding="utf-8")
    assert _summary(parse_transcript(text)) == expected


def test_rcpt_failures_name_rcpt_and_their_reason() -> None:
    text = shared_path("corpus", "logs", "transcripts", "chasquid",
                       "test_t-12-minor_dialogs_bad_rcpt_to.cmy").read_text(encoding="utf-8")
    records = {r.recipient: r for r in parse_transcript(text) if r.recipient}
    assert records["henryⅣ@testserver"].smtp_command == "RCPT"
    assert records["henryⅣ@testserver"].reason == "userunknown"
    assert records["a@xn---"].status == "5.1.2"


GO_SMTP = [
    ("client_test__basicServer.txt", "client_test__basicClient.txt",
     [("golang-nuts@googlegroups.com", "delivered", "", "250", "")]),
    ("client_test__lmtpServer.txt", "client_test__lmtpClient.txt",
     [("golang-nuts@googlegroups.com", "delivered", "", "250", "")]),
    ("client_test__authFailedServer.txt", "client_test__authFailedClient.txt",
     [("", "failed", "AUTH", "535", "5.0.901")]),
]


@pytest.mark.parametrize(("server", "client", "expected"), GO_SMTP)
def test_server_and_client_halves_pair_up(server: str, client: str, expected: list) -> None:
    folder = shared_path("corpus", "logs", "transcripts", "go-smtp")
    records = parse_transcript((folder / server).read_text(encoding="utf-8"),
                               client=(folder / client).read_text(encoding="utf-8"))
    assert _summary(records) == expected


RCPT_REFUSED = {
    "S:/C: marks": "S: 220 mx.example.com ESMTP\nC: EHLO client.example.org\nS: 250 mx.example.com\n"
                   "C: MAIL FROM:<s@example.org>\nS: 250 2.1.0 Ok\nC: RCPT TO:<gone@example.com>\n"
                   "S: 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\nC: QUIT\nS: 221 Bye\n",
    "<<< / >>> marks": "<<< 220 mx.example.com ESMTP\n>>> EHLO client.example.org\n<<< 250-mx.example.com\n"
                       "<<< 250 PIPELINING\n>>> MAIL FROM:<s@example.org>\n<<< 250 2.1.0 Ok\n"
                       ">>> RCPT TO:<gone@example.com>\n"
                       "<<< 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\n",
    "swaks arrows": "<-  220 mx.example.com ESMTP\n -> EHLO client.example.org\n<-  250 mx.example.com\n"
                    " -> MAIL FROM:<s@example.org>\n<-  250 2.1.0 Ok\n -> RCPT TO:<gone@example.com>\n"
                    "<** 550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\n",
    "raw lines": "220 mx.example.com ESMTP\nEHLO client.example.org\n250 mx.example.com\nMAIL FROM:<s@example.org>\n"
                 "250 2.1.0 Ok\nRCPT TO:<gone@example.com>\n"
                 "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\nQUIT\n221 Bye\n",
    "pipelined raw lines": "220 mx.example.com ESMTP\nEHLO client.example.org\n250 mx.example.com\n"
                           "MAIL FROM:<s@example.org>\nRCPT TO:<gone@example.com>\nDATA\n250 2.1.0 Ok\n"
                           "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown\n"
                           "554 5.5.1 Error: no valid recipients\n",
}


@pytest.mark.parametrize("form", sorted(RCPT_REFUSED))
def test_every_dialogue_form_names_the_refused_rcpt(form: str) -> None:
    (record,) = parse_transcript(RCPT_REFUSED[form])
    assert (record.recipient, record.smtp_command, record.reply_code, record.status, record.reason) == (
        "gone@example.com", "RCPT", "550", "5.1.1", "userunknown")


def test_mail_from_refusal_decides_for_every_recipient() -> None:
    text = ("220 mx\nHELO c\n250 mx\nMAIL FROM:<s@example.org>\n553 5.1.8 Sender address rejected: Domain not found\n"
            "RCPT TO:<a@example.com>\n503 5.5.1 Error: need MAIL command\n")
    (record,) = parse_transcript(text)
    assert (record.recipient, record.smtp_command, record.status, record.reason) == (
        "a@example.com", "MAIL", "5.1.8", "rejected")


def test_lmtp_answers_once_per_recipient_after_the_dot() -> None:
    text = ("220 lmtp\nLHLO c\n250 lmtp\nMAIL FROM:<s@example.org>\n250 Ok\nRCPT TO:<a@example.com>\n250 Ok\n"
            "RCPT TO:<b@example.com>\n250 Ok\nDATA\n354 Go\nSubject: x\n\nbody\n.\n250 2.0.0 Saved\n"
            "452 4.2.2 Mailbox full\n")
    assert _summary(parse_transcript(text)) == [("a@example.com", "delivered", "", "250", "2.0.0"),
                                                ("b@example.com", "delayed", "DATA", "452", "4.2.2")]


def test_greeting_refusal_is_a_connection_failure() -> None:
    (record,) = parse_transcript("554 5.7.1 mx.example.com: your IP is listed at zen.spamhaus.org\nQUIT\n221 Bye\n")
    assert (record.recipient, record.smtp_command, record.reason) == ("", "CONN", "blocked")


def test_a_refused_quit_is_no_failure() -> None:
    # QUIT only ends the session (RFC 5321 s4.1.1.10); nothing was to be delivered
    assert parse_transcript("220 mx\nEHLO c\n250 mx\nQUIT\n421 4.3.2 closing connection\n") == []


@given(st.text(max_size=400))
def test_no_text_makes_the_reader_raise(text: str) -> None:
    parse_transcript(text)
    parse_transcript(text, client=text)


def test_postfix_postmaster_notation_is_read() -> None:
    # Postfix's "errors from" notices write the dialogue from the server's side: In is the client.
    records = parse_transcript(" Out: 220 mx.example.com ESMTP\n In:  MAIL FROM:<a@example.org>\n"
                               " Out: 250 2.1.0 Ok\n In:  RCPT TO:<b@example.com>\n Out: 250 2.1.5 Ok\n"
                               " In:  DATA\n Out: 354 End data\n Out: 451 4.3.0 Error: queue file write error\n")
    assert [(r.recipient, r.reply_code, r.smtp_command) for r in records] == [("b@example.com", "451", "DATA")]
