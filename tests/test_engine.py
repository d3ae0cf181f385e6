"""The bounce engine end to end: corpus accuracy, line endings, recipients, hostile input."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncekit import classify_reply, parse_message, parse_reply
from bouncekit.formats.base import is_valid_address

from .conftest import shared_path

FIELDS = ("status", "reply_code", "reason", "hard_bounce")
# The accuracy the engine has reached on the corpus; raise it as the engine improves, never lower it.
ACCURACY_FLOOR = 0.78


@cache
def _corpus() -> tuple[Path, list[dict[str, object]]]:
    root = shared_path("corpus", "bounces")
    truth = [json.loads(line) for line in (root / "truth.jsonl").read_text().splitlines() if line.strip()]
    return root, truth


def _expected(entry: dict[str, object]) -> list[tuple[str, str, str, bool]]:
    return [(e["status"], str(e["replycode"]), e["reason"], bool(int(e["hardbounce"])))  # type: ignore[index]
            for e in entry["expected"]]  # type: ignore[attr-defined]


def _got(data: bytes) -> list[tuple[str, str, str, bool]]:
    return [(d.status, d.reply_code, d.reason, d.hard_bounce) for d in parse_message(data)]


def _accuracy(transform: object = None) -> float:
    root, truth = _corpus()
    right = total = 0
    for entry in truth:
        data = (root / str(entry["path"])).read_bytes()
        if callable(transform):
            data = transform(data)
        expected, got = _expected(entry), _got(data)
        total += len(expected)
        right += sum(1 for i, e in enumerate(expected) if i < len(got) and got[i] == e)
    return right / total


def test_corpus_accuracy_does_not_fall_below_the_floor() -> None:
    assert _accuracy() >= ACCURACY_FLOOR


@pytest.mark.parametrize("ending", [b"\r\n", b"\r"], ids=["CRLF", "CR"])
def test_line_endings_do_not_change_any_record(ending: bytes) -> None:
    root, truth = _corpus()
    for entry in truth:
        data = (root / str(entry["path"])).read_bytes().replace(b"\r\n", b"\n")
        assert _got(data.replace(b"\n", ending)) == _got(data), entry["path"]


def test_every_failure_record_has_a_valid_recipient() -> None:
    root, truth = _corpus()
    for entry in truth:
        for record in parse_message((root / str(entry["path"])).read_bytes()):
            assert is_valid_address(record.recipient), (entry["path"], record.recipient)


def test_non_bounces_give_no_records() -> None:
    root, truth = _corpus()
    negatives = [e for e in truth if not e["expected"]]
    assert negatives
    for entry in negatives:
        assert parse_message((root / str(entry["path"])).read_bytes()) == []


# --- small hand-made reports --------------------------------------------------------------------

DSN = b"""From: MAILER-DAEMON@mx.example.org
To: sender@example.com
Subject: Undelivered Mail Returned to Sender
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

<jane@example.net>: host mx.example.net[192.0.2.1] said: 550 5.1.1 <jane@example.net>:
    Recipient address rejected: User unknown (in reply to RCPT TO command)

--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; jane@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <jane@example.net>: Recipient address rejected: User unknown

--b
Content-Type: text/rfc822-headers

From: sender@example.com
To: jane@example.net
Subject: Hello
Message-ID: <m1@example.com>

--b--
"""


def test_a_dsn_gives_a_complete_record() -> None:
    (record,) = parse_message(DSN, source="dsn.eml")
    assert (record.recipient, record.status, record.reply_code, record.reason) == (
        "jane@example.net", "5.1.1", "550", "userunknown")
    assert (record.hard_bounce, record.permanent, record.fault, record.action_advice) == (
        True, True, "recipient", "suppress")
    assert (record.smtp_command, record.reporting_mta, record.decoded_by) == ("RCPT", "mx.example.org", "rfc3464")
    assert (record.sender, record.message_id, record.subject) == ("sender@example.com", "<m1@example.com>", "Hello")
    assert record.source == "dsn.eml" and record.evidence


def test_user_unknown_after_the_message_data_is_filtered() -> None:
    data = DSN.replace(b"RCPT TO command", b"end of DATA command").replace(b"Status: 5.1.1", b"Status: 5.0.0") \
        .replace(b"550 5.1.1", b"550 5.0.0")
    (record,) = parse_message(data)
    assert (record.reason, record.hard_bounce, record.smtp_command) == ("filtered", False, "DATA")


def test_a_report_without_a_status_gets_a_pseudo_status() -> None:
    data = DSN.replace(b"Status: 5.1.1\n", b"Status: \n").replace(b"550 5.1.1", b"550")
    (record,) = parse_message(data)
    assert (record.status, record.reason) == ("5.0.911", "userunknown")


def _sendmail_dsn(transcript: str, diagnostic: str, status: str) -> bytes:
    return f"""From: Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>
Subject: Returned mail: see transcript for details
Content-Type: multipart/report; report-type=delivery-status; boundary="b"

--b
Content-Type: text/plain

   ----- The following addresses had permanent fatal errors -----
<jane@example.net>
    (reason: {diagnostic})

   ----- Transcript of session follows -----
{transcript}
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: RFC822; jane@example.net
Action: failed
Status: {status}
Diagnostic-Code: SMTP; {diagnostic}

--b--
""".encode()


def test_a_greeting_refused_in_a_transcript_is_a_connection_failure() -> None:
    # Sendmail sends QUIT after a refused greeting; the "421" answering it is not the failure
    data = _sendmail_dsn("... while talking to mx1.example.net.:\n"
                         "<<< 554 mx1.example.net ESMTP not accepting connections\n>>> QUIT\n"
                         "<<< 421 4.7.0 mx1.example.net closing connection\n",
                         "554 mx1.example.net ESMTP not accepting connections", "5.0.0")
    (record,) = parse_message(data)
    assert (record.smtp_command, record.reply_code, record.reason) == ("CONN", "554", "blocked")


def test_the_command_is_the_one_the_reported_reply_answered() -> None:
    # the first MX refused the connection for now; the report's failure came from the next one
    data = _sendmail_dsn("... while talking to mx1.example.net.:\n<<< 450 busy - try later\n"
                         "... while talking to mx2.example.net.:\n>>> DATA\n<<< 554 message refused\n",
                         "554 message refused", "5.0.0")
    (record,) = parse_message(data)
    assert (record.smtp_command, record.reply_code) == ("DATA", "554")


def test_an_ordinary_message_gives_no_records() -> None:
    assert parse_message(b"From: a@example.com\nTo: b@example.com\nSubject: lunch?\n\nsee you at 12\n") == []


@pytest.mark.parametrize(("reply", "reason", "hard", "advice"), [
    ("550 5.1.1 <a@example.com>: Recipient address rejected: User unknown", "userunknown", True, "suppress"),
    ("552 5.2.2 Mailbox full", "mailboxfull", False, "retry"),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocked", False,
     "fix_sender"),
    ("550 5.7.26 Unauthenticated email from example.com is not accepted due to domain's DMARC policy",
     "authfailure", False, "fix_sender"),
    ("554 5.7.1 <a@example.com>: Relay access denied", "norelaying", False, "fix_sender"),
    ("550 5.7.25 The IP address sending this message does not have a PTR record setup", "requireptr", False,
     "fix_sender"),
    ("421 4.7.0 Too many connections from your IP, try again later", "toomanyconn", False, "retry"),
    ("500 5.5.1 Command unrecognized", "syntaxerror", False, "fix_sender"),
    # "user unknown" under a policy code, not in answer to RCPT: a rule refused it, not a missing mailbox
    ("550 5.7.1 550 User Unknown: a@example.com", "filtered", False, "review"),
    # header complaints under a policy code: the site's policy, not a malformed message
    ("554 5.7.0 Header error", "policyviolation", False, "review"),
    # X.7.9 by its registered meaning when no provider rule reads it otherwise
    ("550 5.7.9 Rejected", "securityerror", False, "fix_sender"),
    # sendmail's access database refusing an address
    ("550 5.7.1 <a@example.com>... Access denied", "securityerror", False, "fix_sender"),
    # a refusal that names the client's IP and nothing else
    ("554 IP=192.0.2.1 - A problem occurred. (BL)", "blocked", False, "fix_sender"),
])
def test_replies_are_classified(reply: str, reason: str, hard: bool, advice: str) -> None:
    record = classify_reply(reply)
    assert (record.reason, record.hard_bounce, record.action_advice) == (reason, hard, advice)
    assert record.evidence


def test_an_access_database_refusal_at_mail_from_is_about_the_sender() -> None:
    record = classify_reply("Connected to 192.0.2.1 but sender was rejected. Remote host said: 550 5.7.1 "
                            "<s@example.org>... Access denied (in reply to MAIL FROM command)")
    assert (record.reason, record.smtp_command) == ("rejected", "MAIL")


def test_a_greeting_line_joined_to_a_refusal_gives_the_refusal_code() -> None:
    record = classify_reply("220-mx.example.org 421 4.2.1 Service refused, please try later")
    assert (record.reply_code, record.status, record.permanent) == ("421", "4.2.1", False)


@pytest.mark.parametrize("reply", [
    "550 5.1.1 <jane@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO command)",
    "554 4.4.7 Message expired: unable to deliver in 840 minutes.<421 4.4.2 Connection timed out>",
    "5.1.0 - Unknown address error 550-'5.2.2 <kijitora@example.jp>... Mailbox Full'",
    "220-mx.example.org 421 4.2.1 Service refused, please try later",
    "host mx.example.net said: 552 5.2.2 Mailbox full (in reply to end of DATA command)",
])
def test_a_reply_is_read_as_a_reports_diagnostic_text_is(reply: str) -> None:
    record = classify_reply(reply)
    report = (b"From: MAILER-DAEMON@mx.example.org\nContent-Type: multipart/report; report-type=delivery-status;"
              b" boundary=b\n\n--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.example.org\n\n"
              b"Final-Recipient: rfc822; jane@example.net\nAction: " + record.action.encode() +
              b"\nDiagnostic-Code: smtp; " + reply.encode() + b"\n\n--b--\n")
    (parsed,) = parse_message(report)
    fields = ("status", "reply_code", "reason", "smtp_command", "remote_mta", "diagnostic_code", "evidence")
    assert [getattr(record, f) for f in fields] == [getattr(parsed, f) for f in fields]


def test_a_temporary_reply_is_retried_later() -> None:
    record = classify_reply("452 4.2.2 The email account that you tried to reach is over quota")
    assert record.permanent is False
    assert record.retry_after is not None and record.retry_after >= 1800


# --- hostile input: every case returns quickly with records or none, never an exception ----------

HOSTILE = {
    "random bytes": bytes(range(256)) * 400,
    "truncated MIME": b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\n\n--b\n"
                      b"Content-Type: message/delivery-status\n\nFinal-Recipient: rfc822; a@b.example\nStat",
    "unknown charset": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n"
                       b"Content-Type: text/plain; charset=x-no-such-charset\n\n<a@b.example>: 550 5.1.1 unknown\n",
    "50 MB one-line body": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\n" + b"a@" * 25_000_000,
    "MIME nested 1,000 deep": b"Subject: Undelivered\n" + b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(1000)),
    "1 MB header": b"From: MAILER-DAEMON@x.example\nSubject: " + b"x" * 1_000_000 + b"\n\n550 5.1.1\n",
    "repeated reply codes": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\n" + b"550-5.1.1 " * 200_000,
    # each of these once took time quadratic in its length (minutes, for the rule line)
    "a rule line of 100,000 dashes": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\n" + b"-" * 100_000,
    "a line of 400,000 '>'": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\n" + b">" * 400_000,
    "10,000 recipient lines": b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n\n" + b"".join(
        b"<u%d@b.example>: 550 5.1.1 unknown\n" % n for n in range(10_000)),
    "a Subject of 50,000 encoded words": b"From: MAILER-DAEMON@x.example\nSubject: " + b"=?utf-8?q?a?= " * 50_000
                                         + b"\n\n550 5.1.1\n",
    # an attached bounce the stdlib cannot write out again (a form feed in a field: "embedded header")
    "an attached bounce that cannot be flattened": b"From: postmaster@x.example\nSubject: fwd\n"
        b"Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nsee attached\n--b\n"
        b"Content-Type: message/rfc822\n\nFrom: MAILER-DAEMON@y.example\nSubject: Undelivered\x0c\x00X-Embedded: z\n"
        b"\n<a@b.example>: 550 5.1.1 unknown\n--b--\n",
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_input_is_survived(name: str) -> None:
    records = parse_message(HOSTILE[name])
    assert all(is_valid_address(r.recipient) for r in records)


_UNDELIVERED = b"From: MAILER-DAEMON@x.example\nSubject: Undelivered Mail\n"
_REFUSED = b"<a@b.example>: 550 5.1.1 unknown\n\xff\n"
# text no codec decodes as the message says, found by fuzzing (each raised from parse_message)
UNDECODABLE = {
    "a NUL in the charset name": _UNDELIVERED + b'Content-Type: text/plain; charset="utf\x00-8"\n\n' + _REFUSED,
    "idna, which takes no errors='replace'": _UNDELIVERED + b"Content-Type: text/plain; charset=idna\n\n" + _REFUSED,
    "a NUL in an RFC 2231 charset": _UNDELIVERED + b"Content-Type: text/plain; charset*=utf\x00-8''x\n\n"
                                    b"<a@b.example>: 550 5.1.1 unknown\n",
    "an encoded word in a charset named beyond ASCII": b"From: MAILER-DAEMON@x.example\n"
                                                        b"Subject: =?u\xfff-8?q?x?= Undelivered Mail\n\n" + _REFUSED,
    "an encoded word that is no base64": b"From: MAILER-DAEMON@x.example\n"
                                         b"Subject: =?utf-8?b?a?= Undelivered Mail\n\n" + _REFUSED,
    # (a form feed sends a message to the stdlib's parser, whose get_payload() decodes by the charset)
    "idna, on the stdlib's path": _UNDELIVERED + b"Content-Type: text/plain; charset=idna\n\n" + _REFUSED + b"\x0c\n",
}


@pytest.mark.parametrize("name", list(UNDECODABLE))
def test_text_no_codec_reads_as_stated_still_gives_the_record(name: str) -> None:
    (record,) = parse_message(UNDECODABLE[name])
    assert (record.recipient, record.reason, record.status) == ("a@b.example", "userunknown", "5.1.1")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4000))
def test_any_bytes_parse_without_error(data: bytes) -> None:
    parse_message(data)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_gives_a_consistent_reply(text: str) -> None:
    reply = parse_reply(text)
    assert reply.reply_code == "" or (len(reply.reply_code) == 3 and reply.reply_code[0] in "2345")
    assert reply.status == "" or reply.status[0] in "245"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["550", "5.1.1", "-", " ", "\n", "user", "unknown", "@", "a", "<", ">", ":",
                                 "Final-Recipient: rfc822;", "Status:", "mailbox", "full"]), max_size=400))
def test_reply_like_text_never_breaks_the_classifier(tokens: list[str]) -> None:
    classify_reply("".join(tokens))


@pytest.mark.parametrize("text", ["-" * 400_000, ">" * 400_000, ">>> RCPT\n" * 40_000, "550-" * 100_000],
                         ids=["dashes", "gt", "transcript lines", "reply codes"])
def test_hostile_replies_are_survived(text: str) -> None:
    assert classify_reply(text).reason


def test_hostile_inputs_from_the_environment_are_not_needed() -> None:
    # the hostile cases above are built in memory; nothing is read from disk or the network
    assert "BOUNCEKIT_HOSTILE" not in os.environ


@pytest.mark.parametrize("subject", ["Your application was rejected", "Re: bounce house rental", "Payment error"])
def test_a_person_writing_such_words_is_not_a_bounce(subject: str) -> None:
    letter = f"From: Ann <ann@example.com>\nTo: bob@example.net\nSubject: {subject}\n\n" \
             "Hi Bob,\n\n  carol@example.org\n\nwas copied. Regards\n"
    assert parse_message(letter.encode()) == []


def test_every_public_name_is_exported_lazily_and_resolves() -> None:
    import bouncekit

    assert set(bouncekit.__all__) == {"__version__", *bouncekit._EXPORTS}
    for name in bouncekit.__all__:
        assert getattr(bouncekit, name) is not None
