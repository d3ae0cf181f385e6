"""Remote-host rules (providers that give codes their own meaning) and feedback reports (ARF,
Microsoft JMRP, Apple Mail unsubscribe): small inline cases (the corpus
is checked in test_corpus.py)."""

from __future__ import annotations

import pytest

from bouncekit import parse_message
from bouncekit.reasons.rhost import reason_for_host


@pytest.mark.parametrize(("host", "status", "code", "text", "reason"), [
    ("smtp-in.orange.fr", "5.2.0", "550", "Mail rejete. Mail rejected. OFR_506 [506]", "spamdetected"),
    ("smtp-in.orange.fr", "", "421", "mwinf0000 ME Service refuse. Veuillez essayer plus tard. OFR_999 [999]",
     "blocked"),
    ("smtp-in.orange.fr", "", "421", "Trop de connexions, veuillez verifier votre configuration. "
     "Too many connections, slow down. OFR004_104 [104]", "toomanyconn"),
    ("smtp-in.orange.fr", "", "550", "ME Adresse IP source bloquee pour incident de spam. "
     "Client host blocked for spamming issues. OFR006_102 [102]", "blocked"),
    ("smtpz4.laposte.net", "5.5.0", "550", "Adresse destinataire invalide. Invalid recipient. LPN007_416",
     "userunknown"),
    ("gmail-smtp-in.l.google.com", "5.7.1", "550", "This message is not RFC 5322 compliant. - gsmtp",
     "notcompliantrfc"),
    ("gmail-smtp-in.l.google.com", "5.2.1", "550", "The user you are trying to contact is receiving mail at a "
     "rate that prevents additional messages from being delivered.", "speeding"),
    ("gmail-smtp-in.l.google.com", "5.7.26", "550", "This mail has been blocked because the sender is "
     "unauthenticated.", "authfailure"),
    ("", "5.1.10", "550", "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
     "userunknown"),
    ("example-com.mail.protection.outlook.com", "5.7.606", "550", "Access denied, banned sending IP [192.0.2.1].",
     "blocked"),
    ("mta5.am0.yahoodns.net", "4.7.0", "421", "[TSS04] Messages from 192.0.2.1 temporarily deferred", "rejected"),
    ("mta5.am0.yahoodns.net", "5.7.9", "554", "Message not accepted for policy reasons.", "policyviolation"),
    ("smtp.secureserver.net", "5.1.1", "550", "192.0.2.1 has sent to too many recipients this hour. IB607",
     "speeding"),
    ("mx1.qq.com", "5.0.0", "550", "Connection frequency limited. http://service.mail.qq.com/cgi-bin/help",
     "toomanyconn"),
    ("mfsmax.docomo.ne.jp", "5.2.0", "550", "Unknown user someone@docomo.ne.jp", "filtered"),
    ("mfsmax.docomo.ne.jp", "5.0.0", "550", "Unknown user someone@docomo.ne.jp", "rejected"),
    ("lsean.ezweb.ne.jp", "5.2.0", "550", ": User unknown", "filtered"),
    ("eu-smtp-inbound-1.mimecast.com", "5.0.0", "554", "Host network not allowed", "policyviolation"),
    ("cxr.mx.a.cloudfilter.net", "5.1.0", "550", "sender rejected. AUP#CXBL", "blocked"),
    ("", "5.1.0", "550", "sender rejected. https://www.spectrum.net/support/ AUP#In-1320", "toomanyconn"),
])
def test_provider_rule_decides(host: str, status: str, code: str, text: str, reason: str) -> None:
    verdict = reason_for_host(host, status, code, text)
    assert verdict is not None and verdict[0] == reason


@pytest.mark.parametrize(("host", "status", "code", "text"), [
    # a provider's precise code keeps its standard meaning when no rule of its own applies
    ("msmx.au.com", "5.1.1", "550", "<someone@au.com>: User unknown"),
    ("gmail-smtp-in.l.google.com", "5.1.1", "550", "The email account that you tried to reach does not exist."),
    # another provider's wording does not apply to a host that is not theirs
    ("mx.example.net", "5.2.0", "550", "Unknown user someone@example.net"),
    ("mx.example.net", "5.0.0", "421", "Service refuse. Veuillez essayer plus tard."),
])
def test_no_provider_rule_applies(host: str, status: str, code: str, text: str) -> None:
    assert reason_for_host(host, status, code, text) is None


def test_provider_rules_read_only_a_bounded_text() -> None:
    assert reason_for_host("mx1.qq.com", "5.0.0", "550", "x" * 1_000_000 + " frequency limited") is None


ARF_MANY = b"""\
From: fbl@isp.example
To: fbl@sender.example
Subject: Abuse report
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report; boundary="b1"

--b1
Content-Type: text/plain

A complaint.
--b1
Content-Type: message/feedback-report

Feedback-Type: abuse
User-Agent: Example-FBL/1.0
Version: 1
Original-Rcpt-To: <one@isp.example>
Original-Rcpt-To: two@isp.example

--b1
Content-Type: message/rfc822

From: news@sender.example
To: undisclosed-recipients:;
Subject: Offer

Body
--b1--
"""

JMRP = b"""\
From: staff@hotmail.com
To: fbl@sender.example
Subject: complaint about message from 192.0.2.9
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b2"

--b2
Content-Type: message/rfc822

X-HmXmrOriginalRecipient: complainer@hotmail.example
From: news@sender.example
To: complainer@hotmail.example
Subject: Offer

Body
--b2--
"""

APPLE_UNSUBSCRIBE = b"""\
From: reader@icloud.example
To: unsubscribe-123@list.example
Subject: unsubscribe
X-Apple-Unsubscribe: true
Auto-Submitted: auto-replied
Content-Type: text/plain

Apple Mail sent this email to unsubscribe from the message "Offer".
"""


@pytest.mark.parametrize(("data", "recipients", "feedback_type"), [
    (ARF_MANY, ["one@isp.example", "two@isp.example"], "abuse"),
    (JMRP, ["complainer@hotmail.example"], "abuse"),
    (APPLE_UNSUBSCRIBE, ["reader@icloud.example"], "opt-out"),
])
def test_feedback_report_names_every_recipient(data: bytes, recipients: list[str], feedback_type: str) -> None:
    records = parse_message(data)
    assert [(d.recipient, d.reason, d.feedback_type, d.decoded_by) for d in records] == [
        (r, "feedback", feedback_type, "arf") for r in recipients]
