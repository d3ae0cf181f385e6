"""Provider formats (Gmail, Google Groups, Yahoo, Microsoft Exchange/Office 365, Amazon SES and
WorkMail, Facebook): small hand-written samples
(the corpus is checked in test_corpus.py)."""

from __future__ import annotations

import pytest

from bouncekit import parse_message


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
