"""MTA logs: Postfix, Exim and Sendmail lines as Delivery records (bouncekit.logs, `bouncekit logs`)."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bouncekit import parse_log_line
from bouncekit.cli import main
from bouncekit.logs import LogReader, open_log

from .conftest import shared_path

LOGS = ("logs",)


def _records(*parts: str) -> list:
    path = shared_path("corpus", *LOGS, *parts)
    with open_log(str(path)) as f:
        return list(LogReader(str(path)).read(f))


# (file, line) -> recipient, action, status, reply code, reason: one row per kind of result in the corpus.
CORPUS_RESULTS = [
    ("postfix/kumina-postfix_exporter__test-lines.log", 42, "hebj@telia.com", "delivered", "2.0.0", "250", "delivered"),
    ("postfix/kumina-postfix_exporter__test-lines.log", 44, "redacted@domain.com", "delayed", "4.0.0", "451", None),
    ("postfix/kumina-postfix_exporter__test-lines.log", 45, "redacted@domain.com", "failed", "5.0.0", "554", None),
    ("postfix/kumina-postfix_exporter__test-lines.log", 47, "me@domain.fr", "delivered", "2.0.0", "", "delivered"),
    ("postfix/crowdsec-hub__postfix-relay.log", 1, "spammer@domain.tld", "delayed", "4.7.1", "454", "norelaying"),
    ("postfix/crowdsec-hub__postfix-helo.log", 1, "spammer@domain.tld", "failed", "5.5.2", "504", "syntaxerror"),
    ("postfix/logwatch-postfix__TD-autogen.log", 132, "eto@example.com", "failed", "5.1.1", "550", "userunknown"),
    ("postfix/logwatch-postfix__TD-autogen.log", 225, "anyone@example.com", "failed", "5.1.1", "550", "userunknown"),
    ("postfix/logwatch-postfix__TD-autogen.log", 213, "envto@example.com", "failed", "5.1.1", "", "userunknown"),
    ("postfix/logwatch-postfix__TD-autogen.log", 270, "to@sample.net", "failed", "5.0.934", "552", "mesgtoobig"),
    ("postfix/logwatch-postfix__TD-autogen.log", 260, "root@example.net", "failed", "5.7.0", "554", "virusdetected"),
    ("postfix/youyo-postfix-log-parser__test.log", 19, "test@example.ccc", "delivered", "2.0.0", "250", "delivered"),
    ("exim/exim_exporter__mainlog.log", 7, "dave@foo.corp", "delivered", "2.0.0", "250", "delivered"),
    ("exim/exim_exporter__mainlog.log", 13, "molly@zee.corp", "failed", "5.2.0", "554", "mailboxfull"),
    ("exim/exim_exporter__mainlog.log", 32, "jack@test.corp", "delayed", "4.7.1", "450", None),
    ("exim/exim_exporter__mainlog.log", 33, "jack@test.corp", "failed", "5.0.947", "", "expired"),
    ("exim/crowdsec-hub__exim-logs.log", 5, "sales@toto.com.au", "failed", "5.0.911", "", "userunknown"),
    ("exim/crowdsec-hub__exim-syslog-logs.log", 4, "toto@toto.com", "failed", "5.0.971", "", "blocked"),
]


@pytest.mark.parametrize(("name", "line", "recipient", "action", "status", "reply_code", "reason"), CORPUS_RESULTS)
def test_corpus_result_line_gives_its_record(name: str, line: int, recipient: str, action: str, status: str,
                                             reply_code: str, reason: str | None) -> None:
    found = [r for r in _records(*name.split("/")) if r.line == line]
    assert len(found) == 1
    record = found[0]
    assert (record.recipient, record.action, record.status, record.reply_code) == (recipient, action, status,
                                                                                   reply_code)
    if reason is not None:
        assert record.reason == reason


# What a delivery result looks like, said independently of the readers: Postfix per-recipient status
# lines and refusals naming a recipient, Exim's => -> == ** flags and rejected RCPT lines.
_RESULT = re.compile(r": to=[^,]*, .*status=|\b(?:milter-|proxy-)?reject: .*\bto=<"
                     r"|^\S+ \S+ (?:[+-]\d{4} |\[\d+\] )*[\w-]{16,23} (?:=>|->|==|\*\*) |rejected RCPT <")


@pytest.mark.parametrize("name", [
    "postfix/crowdsec-hub__postfix-logs.log", "postfix/crowdsec-hub__postfix-spam.log",
    "postfix/kumina-postfix_exporter__test-lines.log", "postfix/logwatch-postfix__TD-autogen.log",
    "postfix/youyo-postfix-log-parser__test.log", "postfix/youyo-postfix-log-parser__test-iso8601.log",
    "exim/exim_exporter__mainlog.log", "exim/exim_exporter__rejectlog.log", "exim/crowdsec-hub__exim-bf.log",
    "exim/logstash-patterns-core__exim_spec.log",
])
def test_exactly_the_result_lines_of_a_corpus_log_give_records(name: str) -> None:
    path = shared_path("corpus", *LOGS, *name.split("/"))
    lines = path.read_text(encoding="utf-8").splitlines()
    expected = {n for n, text in enumerate(lines, 1) if _RESULT.search(text) and "reject_warning" not in text}
    # qmgr's "status=expired, returned to sender" names no recipient: it gives records only for the
    # recipients deferred earlier (test_expired_message_turns_its_deferred_recipients_into_failures)
    got = {r.line for r in _records(*name.split("/")) if "returned to sender" not in lines[r.line - 1]}
    assert got == expected


def _grok_rows() -> list[dict]:
    path = shared_path("corpus", *LOGS, "postfix", "postfix-grok-patterns.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_grok_expected_fields_come_out_equal() -> None:
    compared = 0
    for row in _grok_rows():
        records = parse_log_line(row["message"])
        expected, keys = row["expected"], row["derived_keyvalue"]
        for record in records:
            compared += 1
            if expected.get("postfix_queueid", "NOQUEUE") != "NOQUEUE":
                assert record.queue_id == expected["postfix_queueid"]
            if "to" in keys:
                assert record.recipient == keys["to"]
            if "relay" in keys:
                assert record.relay == keys["relay"]
            if "dsn" in keys:
                assert record.status == keys["dsn"]
            if "postfix_status_code_enhanced" in expected:
                assert record.status == expected["postfix_status_code_enhanced"]
            if "postfix_status_code" in expected:
                assert record.reply_code == expected["postfix_status_code"]
            if "postfix_status" in expected:
                assert record.log_status == expected["postfix_status"]
            for text_key in ("postfix_smtp_response", "postfix_local_response", "postfix_pipe_response",
                             "postfix_error_response", "postfix_status_message"):
                if text_key in expected:
                    assert expected[text_key] in record.diagnostic_code
    assert compared >= 20


def test_correlation_gives_sender_and_message_id() -> None:
    records = _records("postfix", "youyo-postfix-log-parser__test.log")
    first = next(r for r in records if r.recipient == "test@example.to")
    assert (first.sender, first.message_id, first.queue_id) == (
        "test2@example.info", "f93388828093534f92d85ffe21b2a719@example.info", "3D74ADB7400B")
    assert first.client == "example.com[127.0.0.1]"


def test_expired_message_turns_its_deferred_recipients_into_failures() -> None:
    lines = [
        "Jan  1 00:00:00 mx postfix/qmgr[1]: ABC1234567: from=<s@example.org>, size=10, nrcpt=1 (queue active)",
        "Jan  1 00:00:01 mx postfix/smtp[2]: ABC1234567: to=<r@example.net>, relay=none, delay=1, dsn=4.4.1, "
        "status=deferred (connect to mx.example.net[192.0.2.1]:25: Connection timed out)",
        "Jan  6 00:00:01 mx postfix/qmgr[1]: ABC1234567: from=<s@example.org>, status=expired, returned to sender",
    ]
    records = list(LogReader("maillog").read(lines))
    assert [(r.action, r.line) for r in records] == [("delayed", 2), ("failed", 3)]
    assert (records[1].reason, records[1].status, records[1].sender) == ("expired", "4.4.1", "s@example.org")


SAME_LINE = [
    "Feb 24 16:18:40 mx postfix/smtp[59649]: 5270320179: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, "
    "delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 "
    "<a@example.com>: Recipient address rejected (in reply to RCPT TO command))",
    "2024-02-24T16:18:40.123456+01:00 mx postfix/smtp[59649]: 5270320179: to=<a@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host "
    "mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected (in reply to RCPT TO "
    "command))",
    "2024-02-24T16:18:40+0100 mx postfix/smtp[59649]: 5270320179: to=<a@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host "
    "mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected (in reply to RCPT TO "
    "command))",
    "<22>1 2024-02-24T16:18:40Z mx postfix/smtp 59649 - - 5270320179: to=<a@example.com>, "
    "relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, status=bounced (host "
    "mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected (in reply to RCPT TO "
    "command))",
    "5270320179: to=<a@example.com>, relay=mx.example.com[192.0.2.1]:25, delay=1, delays=0.1/0/0.5/0.4, dsn=5.1.1, "
    "status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 <a@example.com>: Recipient address rejected "
    "(in reply to RCPT TO command))",
]


@pytest.mark.parametrize("line", SAME_LINE)
def test_every_syslog_prefix_shape_gives_the_same_record(line: str) -> None:
    (record,) = parse_log_line(line)
    assert (record.recipient, record.status, record.reply_code, record.smtp_command, record.reason,
            record.remote_mta, record.queue_id) == (
        "a@example.com", "5.1.1", "550", "RCPT", "userunknown", "mx.example.com", "5270320179")


@pytest.mark.parametrize(("line", "timestamp", "host"), [
    (SAME_LINE[1], "2024-02-24T16:18:40.123456+01:00", "mx"),
    (SAME_LINE[2], "2024-02-24T16:18:40+01:00", "mx"),
    (SAME_LINE[3], "2024-02-24T16:18:40+00:00", "mx"),
    (SAME_LINE[4], "", ""),
])
def test_prefix_gives_timestamp_and_reporting_host(line: str, timestamp: str, host: str) -> None:
    (record,) = parse_log_line(line)
    assert (record.timestamp, record.reporting_mta) == (timestamp, host)


def test_bsd_time_stamps_take_the_given_year() -> None:
    (record,) = LogReader(year=2019).feed(SAME_LINE[0])
    assert record.timestamp == "2019-02-24T16:18:40"


SENDMAIL = [
    ("Mar  1 12:00:00 mx sendmail[123]: x21C00Ab012345: to=<a@example.com>, ctladdr=<u@example.org> (1000/1000), "
     "delay=00:00:01, xdelay=00:00:01, mailer=esmtp, pri=120000, relay=mx.example.com. [192.0.2.1], dsn=5.1.1, "
     "stat=User unknown", "a@example.com", "failed", "5.1.1", "userunknown"),
    ("Mar  1 12:00:00 mx sm-mta[123]: x21C00Ab012345: to=<b@example.com>, delay=00:00:02, xdelay=00:00:02, "
     "mailer=esmtp, pri=30000, relay=mx.example.com. [192.0.2.1], dsn=2.0.0, stat=Sent (x21C Message accepted "
     "for delivery)", "b@example.com", "delivered", "2.0.0", "delivered"),
    ("Mar  1 12:00:00 mx sendmail[123]: x21C00Ab012345: to=<c@example.com>, delay=00:00:05, mailer=esmtp, "
     "pri=30000, relay=mx.example.com., dsn=4.0.0, stat=Deferred: Connection refused by mx.example.com.",
     "c@example.com", "delayed", "4.0.0", None),
    ("Mar  1 12:00:00 mx sendmail[123]: NOQUEUE: ruleset=check_rcpt, arg1=<d@example.net>, relay=client.example.org "
     "[192.0.2.9], reject=550 5.7.1 <d@example.net>... Relaying denied", "d@example.net", "failed", "5.7.1",
     "norelaying"),
]


@pytest.mark.parametrize(("line", "recipient", "action", "status", "reason"), SENDMAIL)
def test_sendmail_line_gives_its_record(line: str, recipient: str, action: str, status: str,
                                        reason: str | None) -> None:
    (record,) = parse_log_line(line)
    assert (record.recipient, record.action, record.status, record.decoded_by) == (recipient, action, status,
                                                                                   "sendmail-log")
    if reason is not None:
        assert record.reason == reason


def test_sendmail_line_with_two_recipients_gives_two_records() -> None:
    line = ("Mar  1 12:00:00 mx sendmail[1]: x21C00Ab012345: to=<a@example.com>,<b@example.com>, delay=00:00:01, "
            "mailer=esmtp, pri=1, relay=mx.example.com. [192.0.2.1], dsn=5.1.1, stat=User unknown")
    assert [r.recipient for r in parse_log_line(line)] == ["a@example.com", "b@example.com"]


def test_gzip_rotated_log_reads_like_plain(tmp_path: Path) -> None:
    plain = shared_path("corpus", *LOGS, "postfix", "youyo-postfix-log-parser__test.log")
    packed = tmp_path / "maillog.1.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    with open_log(str(packed)) as f:
        records = list(LogReader().read(f))
    with open_log(str(plain)) as f:
        assert records == list(LogReader().read(f))
    assert len(records) == 4


@pytest.mark.parametrize("line", [
    "", "\x00\x01garbage", "Jan  1 00:00:00", "Jan  1 00:00:00 host postfix/smtp[1]: ",
    "Jan  1 00:00:00 host postfix/smtp[1]: ABCDEF12: to=<", "NOQUEUE: reject: RCPT from x[",
    "x" * 100_000, "2020-06-19 04:54:02 1jmFYj-00039V-QX ** ",
])
def test_garbled_line_gives_nothing(line: str) -> None:
    assert parse_log_line(line) == []


@given(st.text(max_size=300))
def test_no_line_makes_the_reader_raise(text: str) -> None:
    reader = LogReader()
    for line in text.splitlines() or [text]:
        reader.feed(line)
        reader.feed("Jan  1 00:00:00 mx postfix/smtp[1]: ABCDEF12: to=<" + line)
        reader.feed("2020-06-19 04:54:02 1jmFYj-00039V-QX ** " + line)


DAMAGEABLE = [
    "Jan  1 00:00:00 mx postfix/smtp[1]: ABCDEF12: to=<a@b.example>, relay=none, delay=1, delays=1/0/0/0, "
    "dsn={}, status=deferred (Host or domain name not found. Name service error for name=b.example type=MX: "
    "Host not found, try again)",
    "Mar  1 12:00:00 mx sm-mta[123]: x21C00Ab012345: to=<b@example.com>, delay=00:00:02, mailer=esmtp, "
    "pri=30000, relay=mx.example.com. [192.0.2.1], dsn={}, stat=Deferred: 451 4.3.0 try later",
]


@pytest.mark.parametrize("template", DAMAGEABLE, ids=["postfix", "sendmail"])
@given(st.text(alphabet=st.characters(blacklist_characters=",\n"), max_size=12))
def test_a_damaged_dsn_field_gives_a_record_with_no_broken_status(template: str, dsn: str) -> None:
    (record,) = parse_log_line(template.format(dsn))
    # the dsn= when it is an enhanced status code; else the reply's, or a class.0.9NN pseudo one
    assert re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", record.status)
    if re.fullmatch(r"[245]\.\d{1,3}\.\d{1,3}", dsn):
        assert record.status == dsn


def test_unknown_lines_are_counted_not_fatal() -> None:
    reader = LogReader()
    records = list(reader.read(["not a log line", SAME_LINE[0], "Jan  1 00:00:00 mx dovecot[1]: imap-login: x"]))
    assert len(records) == 1
    assert (reader.stats.lines, reader.stats.records, reader.stats.unknown) == (3, 1, 2)


def test_summary_counts_what_the_records_say(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_path("corpus", *LOGS, "postfix", "logwatch-postfix__TD-autogen.log"))
    assert main(["logs", path, "--summary", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    with open_log(path) as f:
        records = list(LogReader(path).read(f))
    assert summary["records"] == len(records)
    assert summary["bounced"] == sum(r.action == "failed" for r in records)
    assert summary["deferred"] == sum(r.action == "delayed" for r in records)
    assert summary["by_reason"]["userunknown"] == sum(r.reason == "userunknown" for r in records)


def test_summary_text_has_the_postmaster_tables(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_path("corpus", *LOGS, "postfix", "logwatch-postfix__TD-autogen.log"))
    assert main(["logs", "--summary", path]) == 0
    out = capsys.readouterr().out
    for title in ("per status", "per reason", "per remote domain", "top remote replies"):
        assert title in out


def test_logs_command_writes_one_json_line_per_record(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(shared_path("corpus", *LOGS, "exim", "exim_exporter__mainlog.log"))
    assert main(["logs", "--failures-only", path]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(row["action"] != "delivered" for row in rows)
    assert all(row["source"] == path and row["line"] for row in rows)
