"""Provider formats (Gmail, Google Groups, Yahoo, Microsoft Exchange/Office 365, Amazon SES and
WorkMail, Facebook): every corpus record of their truth modules, and small hand-written samples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bouncekit import parse_message
from bouncekit.io import Item, iter_inputs

from .conftest import SHARED, shared_path

MODULES = frozenset({
    "Lhost::Gmail", "Lhost::GoogleGroups", "Lhost::GSuite", "Lhost::Yahoo", "Lhost::Aol", "Lhost::Outlook",
    "Lhost::Office365", "Lhost::Exchange2003", "Lhost::Exchange2007", "Lhost::AmazonSES",
    "Lhost::AmazonWorkMail", "Lhost::ReceivingSES", "Lhost::SendGrid", "Lhost::Facebook", "Lhost::PowerMTA",
})

# Records whose expected verdict no general rule of these decoders gives (see the helper report).
KNOWN_DIFFERENCES = {
    "maildir/bsd/lhost-aol-03.eml": "AOL's DSN has no blank line between recipient blocks (rfc3464 reader)",
    "maildir/bsd/lhost-aol-06.eml": "5.4.4 'Malformed or unexpected name server reply' expected notaccept",
    "maildir/bsd/lhost-amazonses-01.eml": "'Access denied' at MAIL expected securityerror",
    "maildir/bsd/lhost-amazonses-02.eml": "docomo.ne.jp 'Unknown user' expected filtered (remote-host rule)",
    "maildir/bsd/lhost-amazonses-08.eml": "5.7.9 expected securityerror (status table)",
    "maildir/bsd/lhost-amazonses-18.eml": "5.4.4 'Invalid domain' expected hostunknown (status table)",
    "maildir/bsd/lhost-amazonworkmail-02.eml": "5.2.1 'User Unknown' expected filtered",
    "maildir/bsd/lhost-exchange2003-04.eml": "'Recipient Not Found' (MSEXCH:IMC) expected filtered",
    "maildir/bsd/lhost-exchange2007-05.eml": "expected the status of an earlier attempt (4.4.1), no reply code",
    "maildir/bsd/lhost-gmail-05.eml": "'Access denied (state 13)' expected securityerror",
    "maildir/bsd/lhost-gsuite-08.eml": "ezweb.ne.jp '550 : User unknown' expected filtered (remote-host rule)",
    "maildir/bsd/lhost-office365-04.eml": "ezweb.ne.jp '550 : User unknown' expected filtered (remote-host rule)",
    "maildir/bsd/lhost-yahoo-06.eml": "ezweb.ne.jp '550 : User unknown' expected filtered (remote-host rule)",
    "maildir/bsd/lhost-yahoo-14.eml": "'INVALID IP FOR SENDING MAIL OF DOMAIN' expected blocked",
}


def _group_cases() -> list[object]:
    truth = SHARED / "corpus" / "bounces" / "truth.jsonl"
    if not truth.exists():  # the test itself then skips, saying what is missing
        return [pytest.param("", [], id="no-shared-corpus")]
    cases: list[object] = []
    for line in truth.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry.get("module") not in MODULES:
            continue
        marks = ([pytest.mark.xfail(reason=KNOWN_DIFFERENCES[entry["path"]], strict=False)]
                 if entry["path"] in KNOWN_DIFFERENCES else [])
        cases.append(pytest.param(entry["path"], entry["expected"], id=entry["path"].rsplit("/", 1)[-1], marks=marks))
    return cases


def _records(path: Path) -> list[tuple[str, str, str, bool]]:
    out = []
    for item in iter_inputs([str(path)]):
        if isinstance(item, Item):
            out += [(d.status, d.reply_code, d.reason, d.hard_bounce)
                    for d in parse_message(item.data, item.source, item.index)]
    return out


@pytest.mark.parametrize(("path", "expected"), _group_cases())
def test_corpus_records_match_the_reference(path: str, expected: list[dict[str, object]]) -> None:
    shared_path("corpus", "bounces", "truth.jsonl")
    got = _records(shared_path("corpus", "bounces", path))
    want = [(e["status"], str(e["replycode"]), e["reason"], bool(e["hardbounce"])) for e in expected]
    assert got == want


def _message(sender: str, subject: str, body: str, headers: str = "") -> bytes:
    return (f"From: {sender}\nTo: me@example.net\nSubject: {subject}\n{headers}"
            f"Content-Type: text/plain; charset=us-ascii\n\n{body}").encode()


GMAIL_TEXT = """Delivery to the following recipient failed permanently:

     nobody@example.org

Technical details of permanent failure:
Google tried to deliver your message, but it was rejected by the server for the recipient domain.

The error that the other server returned was:
550 550 5.1.1 <nobody@example.org>... No such user (state 14).

----- Original message -----
Subject: hi
"""

GMAIL_DELAYED = """Delivery to the following recipient has been delayed:

     slow@example.org

Message will be retried for 2 more day(s)

Technical details of temporary failure:
The recipient server did not accept our requests to connect. Learn more at https://support.google.com/mail/answer/7720
[example.org 192.0.2.9: timed out]
"""

GROUPS = """The group you tried to contact (cats) may not exist, or you may not have permission to post.
Visit the Help Center at https://groups.google.com/support/.

----- Original message -----
"""

YAHOO = """Sorry, we were unable to deliver your message to the following address.

<full@example.org>:
Remote host said: 552 5.2.2 <full@example.org>... Mailbox over quota [RCPT_TO]

<nomx@example.com>:
No mx record found for domain=example.com

--- Below this line is a copy of the message.
"""

EXCHANGE2003 = """Your message

  To:      gone@example.org
  Subject: hi

did not reach the following recipient(s):

gone@example.org on Mon, 3 May 2004 10:00:00 +0000
    The recipient name is not recognized
    MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
"""

SES_NOTIFICATION = ('{"notificationType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":'
                    '[{"emailAddress":"ghost@example.org","action":"failed","status":"5.1.1",'
                    '"diagnosticCode":"smtp; 550 5.1.1 user unknown"}],"reportingMTA":"dsn; a1.amazonses.com"}}')

SES_COMPLAINT = ('{"Type" : "Notification", "Message" : "{\\"notificationType\\":\\"Complaint\\",\\"complaint\\":'
                 '{\\"complainedRecipients\\":[{\\"emailAddress\\":\\"angry@example.org\\"}]}}"}')


@pytest.mark.parametrize(("message", "decoded_by", "expected"), [
    (_message("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Failure)",
              GMAIL_TEXT), "gmail", [("nobody@example.org", "5.1.1", "550", "userunknown")]),
    (_message("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Delay)",
              GMAIL_DELAYED), "gmail", [("slow@example.org", "4.0.947", "", "expired")]),
    (_message("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Delivery Status Notification (Failure)",
              GROUPS, "X-Failed-Recipients: cats@googlegroups.com\n"),
     "googlegroups", [("cats@googlegroups.com", "5.0.918", "", "rejected")]),
    (_message("MAILER-DAEMON@yahoo.com", "Failure Notice", YAHOO), "yahoo",
     [("full@example.org", "5.2.2", "552", "mailboxfull"), ("nomx@example.com", "5.0.932", "", "notaccept")]),
    (_message("System Administrator <postmaster@example.org>", "Undeliverable: hi", EXCHANGE2003),
     "exchange2003", [("gone@example.org", "5.0.911", "", "userunknown")]),
    (_message("SES <no-reply@sns.amazonaws.com>", "AWS Notification Message", SES_NOTIFICATION),
     "amazonses", [("ghost@example.org", "5.1.1", "550", "userunknown")]),
    (_message("SES <no-reply@sns.amazonaws.com>", "AWS Notification Message", SES_COMPLAINT),
     "amazonses", [("angry@example.org", "", "", "feedback")]),
], ids=["gmail-text", "gmail-delayed", "google-groups", "yahoo", "exchange2003", "ses-json", "ses-sns-complaint"])
def test_provider_layouts_are_decoded(message: bytes, decoded_by: str,
                                      expected: list[tuple[str, str, str, str]]) -> None:
    records = parse_message(message)
    assert [r.decoded_by for r in records] == [decoded_by] * len(expected)
    assert [(r.recipient, r.status, r.reply_code, r.reason) for r in records] == expected


def test_ses_notification_broken_by_a_relay_is_mended() -> None:
    broken = SES_NOTIFICATION[:60] + "!\n " + SES_NOTIFICATION[60:]
    records = parse_message(_message("SES <no-reply@sns.amazonaws.com>", "AWS Notification Message", broken))
    assert [(r.recipient, r.reason) for r in records] == [("ghost@example.org", "userunknown")]


def test_a_google_notice_that_is_not_a_bounce_gives_no_record() -> None:
    notice = _message("Mail Delivery Subsystem <mailer-daemon@googlemail.com>", "Hello", "Nothing failed here.\n")
    assert parse_message(notice) == []
