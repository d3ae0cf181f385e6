"""bouncekit: explain SMTP reply codes and enhanced status codes, read bounces, classify failures.

The public API is what this module exports; everything else is internal. Exports are imported on
first use (PEP 562), so a program that only parses bounces never loads the knowledge base, the
log readers or the explainer, and ``bouncekit`` commands start fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import BouncekitError, CodeSyntaxError, NoCodeFoundError, UnknownLanguageError
    from .engine import classify_reply, parse_message
    from .explain import explain
    from .logs import parse_log_line
    from .model import CodeExplanation, Delivery, Explanation, Reply, StatusCode
    from .reply import parse_reply
    from .transcript import parse_transcript

__version__ = "0.1.0"

# each public name and the module that defines it
_EXPORTS = {
    "BouncekitError": "._errors", "CodeSyntaxError": "._errors", "NoCodeFoundError": "._errors",
    "UnknownLanguageError": "._errors",
    "classify_reply": ".engine", "parse_message": ".engine",
    "explain": ".explain",
    "parse_log_line": ".logs",
    "CodeExplanation": ".model", "Delivery": ".model", "Explanation": ".model", "Reply": ".model",
    "StatusCode": ".model",
    "parse_reply": ".reply",
    "parse_transcript": ".transcript",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later lookups find it directly
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
