"""RFC 3834 automatic responses (vacation, out-of-office): not bounces, reported with reason
``vacation``. Recognised by Auto-Submitted: auto-replied (RFC 3834 s5) or the subjects that
common clients put on such replies."""

from __future__ import annotations

import re

from ..message import MessageView
from .base import Facts, clean_address

NAME = "autoreply"

_SUBJECT = re.compile(
    r"^(?:auto(?:matic)?[ -]?(?:reply|response|antwort|réponse)|out of (?:the )?office|away|vacation|abwesenheit)\b",
    re.IGNORECASE)


def sniff(view: MessageView) -> bool:
    auto = view.header("auto-submitted").lower()
    if auto.startswith("auto-replied"):
        return True
    if view.header("x-autoreply") or view.header("x-autorespond"):
        return True
    return bool(_SUBJECT.match(view.header("subject").strip()))


def decode(view: MessageView) -> list[Facts]:
    recipient = clean_address(view.header("from")) or clean_address(view.header("reply-to"))
    if not recipient:
        return []
    return [Facts(recipient=recipient, reason="vacation", evidence="format:rfc3834")]
