"""Postfix's notices to the postmaster about a failed incoming session ("Postfix SMTP server: errors
from host[ip]"): not a bounce to the sender, but a transcript of the dialogue from the server's side,
``In:`` for what the client sent and ``Out:`` for the server's replies.

    Transcript of session follows.

     Out: 220 mx.example.com ESMTP
     In:  RCPT TO:<user@example.com>
     Out: 250 2.1.5 Ok
     In:  DATA
     Out: 354 End data with <CR><LF>.<CR><LF>
     Out: 451 4.3.0 Error: queue file write error

The dialogue is read by bouncekit.transcript; each recipient whose delivery failed is a record.
"""

from __future__ import annotations

from ..message import MessageView
from .base import Facts

NAME = "postfixnotice"

_MARKER = "Transcript of session follows."


def sniff(view: MessageView) -> bool:
    return view.header("subject").startswith("Postfix SMTP server: errors from") and _MARKER in view.body_text


def decode(view: MessageView) -> list[Facts]:
    # imported here: the transcript reader brings the log readers, which most runs never need
    from ..transcript import parse_transcript

    text = view.body_text
    dialogue = text[text.index(_MARKER) + len(_MARKER):]
    # the facts are the server's reply as the dialogue states it; the engine classifies them again
    return [Facts(recipient=d.recipient, reply_code=d.reply_code, diagnostic_code=d.diagnostic_code,
                  smtp_command=d.smtp_command, action="delayed" if d.reply_code.startswith("4") else "failed")
            for d in parse_transcript(dialogue) if d.recipient and d.reason != "delivered"]
