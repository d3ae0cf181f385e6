"""The decoders of the isp group (qmail, IMail, EZweb, KDDI, Verizon, Zoho, Domino, Notes, BIGLOBE,
1&1) and the providers and appliances whose notices other decoders read, on small hand-written
notices (the corpus is checked in test_corpus.py)."""

from __future__ import annotations

import pytest

from bouncekit.engine import parse_message
from bouncekit.formats import decode
from bouncekit.message import read_message


def _message(headers: str, body: str) -> bytes:
    return (headers.strip() + "\n\n" + body.lstrip("\n")).encode()


QMAIL = _message("""
From: MAILER-DAEMON@mx.example.org
To: sender@example.org
Subject: failure notice
""", """
Hi. This is the qmail-send program at mx.example.org.
I'm afraid I wasn't able to deliver your message to the following addresses.
This is a permanent error; I've given up. Sorry it didn't work out.

<gone@example.net>:
192.0.2.1 does not like recipient.
Remote host said: 550 5.1.1 <gone@example.net>... User Unknown
Giving up on 192.0.2.1.

<nomx@example.com>:
Sorry, I couldn't find a mail exchanger or IP address. (#5.4.4)

<helo@example.com>:
Connected to 192.0.2.2 but my name was rejected.
Remote host said: 501 5.0.0 Invalid domain name

--- Below this line is a copy of the message.

To: sender@example.org
""")

IMAIL = _message("""
From: "Postmaster" <postmaster@example.org>
To: sender@example.org
Subject: Undeliverable Mail
X-Mailer: <SMTP32 v8.22>
""", """
User mailbox exceeds allowed size: full@example.org


Original message follows.
""")

ZOHO = _message("""
From: mailer-daemon@mail.zoho.com
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
X-Mailer: Zoho Mail
""", """
This message was created automatically by mail delivery software.

gone@example.net Invalid Address, ERROR_CODE :550, ERROR_CODE :5.1.1 <gone@example.net>... User Unknown
""")

DOMINO = _message("""
From: Postmaster@example.org
To: sender@example.org
Subject: DELIVERY FAILURE: User Gone (gone@example.org) not listed in Domino Directory
""", """
Your message

  Subject: Hello

was not delivered to:

  gone@example.org

because:

  User Gone (gone@example.org) not listed in Domino Directory
""")

KDDI = _message("""
From: no-reply@example.dion.ne.jp
To: sender@example.org
Subject: Mail
""", """
Your mail sent on: Thu, 29 Apr 2021 23:45:22 +0900
     Could not be delivered to: <full@example.dion.ne.jp>
     As their mailbox is full.
""")

EZWEB = _message("""
From: Postmaster@ezweb.ne.jp
To: sender@example.org
Subject: Mail System Error - Returned Mail
""", """
Your message was not delivered within 5 days and 0 hours.
Remote host is not responding.

The following recipients did not receive this message:

<late@ezweb.ne.jp>
""")


@pytest.mark.parametrize(("message", "decoder"), [
    (QMAIL, "qmail"), (IMAIL, "imailserver"), (ZOHO, "zoho"), (DOMINO, "domino"), (KDDI, "kddi"),
    (EZWEB, "ezweb"),
])
def test_notice_is_read_by_its_own_decoder(message: bytes, decoder: str) -> None:
    assert decode(read_message(message))[0] == decoder


@pytest.mark.parametrize(("message", "expected"), [
    (QMAIL, [("gone@example.net", "5.1.1", "550", "userunknown", "RCPT"),
             ("nomx@example.com", "5.4.4", "", "notaccept", ""),
             ("helo@example.com", "5.0.0", "501", "blocked", "HELO")]),
    (IMAIL, [("full@example.org", "5.0.922", "", "mailboxfull", "")]),
    (ZOHO, [("gone@example.net", "5.1.1", "550", "userunknown", "")]),
    (DOMINO, [("gone@example.org", "5.0.911", "", "userunknown", "")]),
    (KDDI, [("full@example.dion.ne.jp", "5.0.922", "", "mailboxfull", "")]),
    (EZWEB, [("late@ezweb.ne.jp", "5.0.947", "", "expired", "")]),
])
def test_notice_gives_one_record_per_recipient(message: bytes, expected: list[tuple[str, ...]]) -> None:
    got = [(d.recipient, d.status, d.reply_code, d.reason, d.smtp_command) for d in parse_message(message)]
    assert got == expected


def test_qmail_notes_on_retries_are_not_part_of_the_diagnostic() -> None:
    first = parse_message(QMAIL)[0]
    assert "Giving up" not in first.diagnostic_code


def test_imail_copies_of_header_lines_are_not_recipients() -> None:
    body = IMAIL.replace(b"Original message", b"To: sender@example.org\n\nOriginal message")
    assert [d.recipient for d in parse_message(body)] == ["full@example.org"]


def test_hostile_long_lines_do_not_stall_the_decoders() -> None:
    line = b"<" + b"a" * 200_000 + b"@example.org>: " + b"x:" * 50_000
    for message in (QMAIL, IMAIL, ZOHO, DOMINO, KDDI, EZWEB):
        parse_message(message + line)
