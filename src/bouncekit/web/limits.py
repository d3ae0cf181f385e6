"""Limits that keep one request from hurting the worker: body size (413) and a time budget (503)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TypeVar

import anyio
import anyio.to_thread
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

T = TypeVar("T")

# 10 MB holds a large mbox of bounces (a typical bounce is 5-50 kB) and is the default request
# limit of common front ends (nginx's client_max_body_size is 1 MB, Cloudflare's free plan 100 MB).
DEFAULT_MAX_BODY = 10 * 1024 * 1024
# Parsing one bounce takes about a millisecond; ten seconds is a generous budget for a full 10 MB body.
DEFAULT_TIME_BUDGET = 10.0


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    """Every error of the API has this one shape: ``{"error": "what is wrong"}``."""
    return JSONResponse({"error": message}, status_code=status, headers=headers)


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")


class OverBudget(HTTPException):
    def __init__(self, budget: float, done: str = "") -> None:
        detail = f"the request took longer than its time budget of {budget:g} s"
        super().__init__(503, f"{detail} ({done})" if done else detail, headers={"Retry-After": "60"})


class BodySizeLimit:
    """ASGI middleware: refuse a declared Content-Length over the limit before reading anything, and
    stop reading a body (chunked or lying about its length) as soon as it passes the limit."""

    def __init__(self, app: ASGIApp, max_body: int = DEFAULT_MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            too_large = BodyTooLarge(self.max_body)
            await error_response(too_large.status_code, too_large.detail)(scope, receive, send)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        await self.app(scope, limited_receive, send)


class Deadline:
    """A point in time that bulk work checks between items, so it stops at its budget."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.end = time.monotonic() + budget

    def check(self, done: str = "") -> None:
        if time.monotonic() > self.end:
            raise OverBudget(self.budget, done)


async def within_budget(budget: float, work: Callable[[Deadline], T]) -> T:
    """Run CPU-bound *work* in a thread, off the event loop, and answer 503 when it overruns *budget*.

    The work gets a Deadline to check between items; a single item that overruns is abandoned (its
    thread finishes on its own, the parsers bound their inputs) so the worker keeps serving.
    """
    deadline = Deadline(budget)
    try:
        with anyio.fail_after(budget):
            return await anyio.to_thread.run_sync(work, deadline, abandon_on_cancel=True)
    except TimeoutError:
        raise OverBudget(budget) from None
