"""The exceptions bouncekit raises.

    BouncekitError                 base of everything below; catch this to catch all
    ├── CodeSyntaxError            a reply code or enhanced status code is not well formed
    ├── NoCodeFoundError           a text holds no SMTP reply code or enhanced status code
    └── UnknownLanguageError       a language other than en, ru, bg was asked for
"""

from __future__ import annotations


class BouncekitError(Exception):
    """Base class of every error bouncekit raises on purpose."""


class CodeSyntaxError(BouncekitError, ValueError):
    """The input looks like a code but breaks the grammar of RFC 5321 s4.2 or RFC 3463 s2."""


class NoCodeFoundError(BouncekitError, ValueError):
    """The text contains neither a reply code nor an enhanced status code."""


class UnknownLanguageError(BouncekitError, ValueError):
    """The knowledge base has no texts in the requested language."""
