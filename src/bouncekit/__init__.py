"""bouncekit: explain SMTP reply codes and enhanced status codes, read bounces, classify failures.

The public API is what this module exports; everything else is internal.
"""

from __future__ import annotations

from ._errors import BouncekitError, CodeSyntaxError, NoCodeFoundError, UnknownLanguageError
from .engine import classify_reply, parse_message
from .explain import explain
from .logs import parse_log_line
from .model import CodeExplanation, Delivery, Explanation, Reply, StatusCode
from .reply import parse_reply
from .transcript import parse_transcript

__version__ = "0.1.0"

__all__ = [
    "BouncekitError",
    "CodeExplanation",
    "CodeSyntaxError",
    "Delivery",
    "Explanation",
    "NoCodeFoundError",
    "Reply",
    "StatusCode",
    "UnknownLanguageError",
    "__version__",
    "classify_reply",
    "explain",
    "parse_log_line",
    "parse_message",
    "parse_reply",
    "parse_transcript",
]
