"""bouncekit as a service: the HTTP API and the web page (needs the ``server`` extra: Starlette, uvicorn)."""

from __future__ import annotations

from .app import create_app
from .limits import DEFAULT_MAX_BODY, DEFAULT_TIME_BUDGET

__all__ = ["DEFAULT_MAX_BODY", "DEFAULT_TIME_BUDGET", "create_app"]
