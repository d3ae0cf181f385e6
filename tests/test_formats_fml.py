"""fml mailing-list notices: the list refuses a post with a notice of its own."""

from __future__ import annotations

import pytest

from bouncekit import parse_message

NOTICE = """From: lunch-admin@lists.example.org
To: bob@example.net
Subject: {subject}
X-MLServer: fml [fml 4.0.3 release (20011202/4.0.3)]
Content-Type: text/plain; charset=us-ascii

{body}
"""


@pytest.mark.parametrize(("subject", "body", "reason"), [
    ("You bob@example.net are not member (lunch ML)",
     "You are not a member of this mailing list <lunch@lists.example.org>.", "rejected"),
    ("Loop Alert: Duplicated Message-ID (lunch ML)",
     "Duplicated Message-ID in <lunch@lists.example.org>.", "systemerror"),
])
def test_fml_notice_names_the_list_and_the_reason(subject: str, body: str, reason: str) -> None:
    (record,) = parse_message(NOTICE.format(subject=subject, body=body).encode())
    assert (record.recipient, record.reason, record.decoded_by) == ("lunch@lists.example.org", reason, "fml")


def test_an_ordinary_list_message_is_not_a_notice() -> None:
    plain = NOTICE.format(subject="Lunch", body="Lunch is at noon.")
    assert parse_message(plain.encode()) == []
