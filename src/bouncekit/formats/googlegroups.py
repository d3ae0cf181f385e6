"""Google Groups refusing a post: plain text from mailer-daemon@googlemail.com, in the sender's
language, naming the group in X-Failed-Recipients and pointing at the Groups help centre:

    X-Failed-Recipients: group@googlegroups.com

    The group you tried to contact (group) may not exist, or you may not have permission to
    post messages to the group. ...
    If you have questions related to this or any other Google Group, visit the Help Center at
    https://groups.google.com/support/.

    ----- Original message -----

Google's notice covers both causes at once (no such group, or no right to post), so the post was
refused for who sent it: reason ``rejected``.
"""

from __future__ import annotations

from ..message import MessageView
from .base import Facts, clean_address
from .gmail import sniff as sent_by_google
from .text import error_text

NAME = "googlegroups"
PRIORITY = 40  # before gmail: the same sender, with the Groups help link as the extra evidence

_HELP_LINK = "groups.google.com"
MAX_DIAGNOSTIC_CHARS = 1000


def sniff(view: MessageView) -> bool:
    return sent_by_google(view) and _HELP_LINK in view.body_text[:10_000]


def decode(view: MessageView) -> list[Facts]:
    groups = [clean_address(a) for a in view.header("x-failed-recipients").split(",")]
    text = " ".join(error_text(view).split())[:MAX_DIAGNOSTIC_CHARS]
    return [Facts(recipient=g, action="failed", diagnostic_code=text, reason="rejected",
                  evidence="format:googlegroups:cannot-post") for g in groups if g]
