"""Bounce-format decoders, each a module with NAME, sniff(view) and decode(view) -> list[Facts].

Dispatch is by cheap evidence: the ARF report part first, then the MTA and provider formats
(each sniff() looks at a header or two and a few byte markers), then any RFC 3464 report, then
the generic plain-text reader, then automatic replies (Exim marks its bounces auto-replied).

An MTA or provider module lives in this package as <name>.py and is found automatically; it may
set PRIORITY (default 50; lower is tried earlier) when its evidence overlaps another's.
"""

from __future__ import annotations

import email.errors
import importlib
import pkgutil
import re
from functools import cache
from types import ModuleType

from ..message import MessageView, read_message
from . import arf, autoreply, rfc3464, text
from .base import Facts
from .text import EMBEDDED_BOUNCE, attached_bounce

_FRAMEWORK = frozenset({"base", "arf", "autoreply", "rfc3464", "text"})


@cache
def decoders() -> tuple[ModuleType, ...]:
    found = [importlib.import_module(f"{__name__}.{m.name}") for m in pkgutil.iter_modules(__path__)
             if m.name not in _FRAMEWORK and not m.name.startswith("_")]
    found.sort(key=lambda module: (getattr(module, "PRIORITY", 50), module.NAME))
    return (arf, *found, rfc3464, text, autoreply)


_QUOTE = re.compile(r"^> ?", re.MULTILINE)


def decode(view: MessageView, nested: bool = False) -> tuple[str, list[Facts]]:
    """The facts of every recipient the report names, and the decoder that read them."""
    for decoder in decoders():
        if decoder.sniff(view):
            found: list[Facts] = decoder.decode(view)
            if found:
                return decoder.NAME, found
    if not nested:
        # A bounce forwarded by a person or a help desk ("Fwd: Returned mail") carries the real
        # report in its body: read that once, as a message of its own.
        for part in view.parts:
            if part.content_type == "text/plain":
                # forwarded as is, or quoted line by line ("> ") by the forwarding mail client
                for text in (part.text, _QUOTE.sub("", part.text)):
                    m = EMBEDDED_BOUNCE.search(text)
                    if m is not None and m.start() > 0:
                        return decode(read_message(text[m.start():]), nested=True)
        # ... or attached whole, as message/rfc822 (a gateway passing the bounce on)
        if view.attached is not None and attached_bounce(view):
            try:
                data = view.attached.as_bytes()
            except (ValueError, LookupError, TypeError, email.errors.MessageError):  # (the stdlib cannot flatten it)
                return "", []
            return decode(read_message(data), nested=True)
    return "", []
