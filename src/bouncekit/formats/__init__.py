"""Bounce-format decoders, each a module with NAME, sniff(view) and decode(view) -> list[Facts].

Dispatch is by cheap evidence: the standard report parts first (they are unambiguous), then
the plain-text bounce formats, then automatic replies (Exim marks its bounces auto-replied).
A message is tried against one or two decoders, never against every one in turn.
"""

from __future__ import annotations

from types import ModuleType

from ..message import MessageView
from . import arf, autoreply, rfc3464, text
from .base import Facts

# Order matters only between decoders whose evidence can coexist in one message.
DECODERS: tuple[ModuleType, ...] = (arf, rfc3464, text, autoreply)


def decode(view: MessageView) -> tuple[str, list[Facts]]:
    """The facts of every recipient the report names, and the decoder that read them."""
    for decoder in DECODERS:
        if decoder.sniff(view):
            found: list[Facts] = decoder.decode(view)
            if found:
                return decoder.NAME, found
    return "", []
