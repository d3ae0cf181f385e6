"""The ASGI app: a thin HTTP layer over the public API (explain, classify_reply, parse_message,
parse_log_line) and the web page at ``/``. Every error answers ``{"error": "..."}`` with a status
that says whose fault it is."""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.convertors import PathConvertor, register_url_convertor
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

import bouncekit

from .. import __version__
from .._errors import BouncekitError
from ..codes import kb
from ..io import Problem, stream_items
from .limits import DEFAULT_MAX_BODY, DEFAULT_TIME_BUDGET, BodySizeLimit, Deadline, error_response, within_budget
from .openapi import MAX_CODE_TEXT, MAX_REPLIES, MESSAGE_TYPES, openapi_document

STATIC = Path(__file__).resolve().parent / "static"
# An upload of more files than this is a mistake or an attack; 100 .eml files fit the 10 MB limit anyway.
MAX_FILES = 100
# Accept-Language is short in practice (browsers send 2-10 tags); a longer one is read only this far.
MAX_ACCEPT_LANGUAGE = 512

# The page loads nothing from elsewhere: the policy makes the browser enforce it.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'self'; img-src 'self' data:; object-src 'none'; "
                                 b"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
]


class _AnyText(PathConvertor):
    """A path parameter that takes any text: a pasted reply line may hold slashes and line breaks,
    which Starlette's ``path`` convertor (``.*``, no DOTALL) would answer with 404."""

    regex = r"[\s\S]+"


register_url_convertor("text", _AnyText())


def negotiate_language(accept_language: str) -> str:
    """The language bouncekit has that the client prefers most (RFC 9110 s12.5.4), else English."""
    best, best_q = "en", 0.0
    for item in accept_language[:MAX_ACCEPT_LANGUAGE].split(","):
        tag, *params = item.strip().split(";")
        q = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        lang = tag.strip()[:2].lower()
        if lang in kb.LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


async def _json_body(request: Request) -> Any:
    media_type = _media_type(request)
    if media_type and media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(415, f"send JSON with Content-Type: application/json, not {media_type!r}")
    body = await request.body()
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise HTTPException(400, "the body is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise HTTPException(400, f"the body is not valid JSON: {exc}") from None
    except RecursionError:
        raise HTTPException(400, "the body is not valid JSON: nested too deeply") from None


def _reply_texts(payload: Any) -> list[str]:
    """The texts of ``{"text": ...}`` or a list of such objects, or a 422 saying what is wrong."""
    items = payload if isinstance(payload, list) else [payload]
    if not items:
        raise HTTPException(422, "the list is empty: give at least one {\"text\": \"...\"}")
    if len(items) > MAX_REPLIES:
        raise HTTPException(422, f"too many replies: {len(items)}, at most {MAX_REPLIES} per request")
    texts = []
    for i, item in enumerate(items):
        where = f"item {i}: " if isinstance(payload, list) else ""
        if not isinstance(item, dict) or "text" not in item:
            raise HTTPException(422, f"{where}expected an object with a \"text\" field, e.g. "
                                     "{\"text\": \"550 5.1.1 User unknown\"}")
        if not isinstance(item["text"], str):
            raise HTTPException(422, f"{where}\"text\" must be a string")
        if not item["text"].strip():
            raise HTTPException(422, f"{where}\"text\" is empty")
        texts.append(item["text"])
    return texts


def _reply_results(texts: list[str], deadline: Deadline) -> list[dict[str, Any]]:
    results = []
    for i, text in enumerate(texts):
        deadline.check(f"{i} of {len(texts)} replies read")
        results.append({"reply": bouncekit.parse_reply(text).to_dict(),
                        "record": bouncekit.classify_reply(text).to_dict()})
    return results


def _read_messages(uploads: list[tuple[str, bytes]], deadline: Deadline) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    count = 0
    for source, data in uploads:
        for item in stream_items(io.BytesIO(data), source):  # one message, or each of an mbox
            deadline.check(f"{count} messages read")
            if isinstance(item, Problem):
                problems.append({"source": item.source, "index": item.index, "message": item.reason})
                continue
            count += 1
            try:
                found = bouncekit.parse_message(item.data, item.source, item.index)
            except Exception as exc:  # one broken message never fails the others (STYLE.md)
                problems.append({"source": item.source, "index": item.index, "message": f"cannot parse: {exc!r}"})
                continue
            records += [r.to_dict() for r in found]
    return {"records": records, "problems": problems, "messages": count}


async def _uploads(request: Request) -> list[tuple[str, bytes]]:
    """The messages of a request: its body, or each file of a multipart/form-data upload."""
    media_type = _media_type(request)
    if media_type == "multipart/form-data":
        async with request.form(max_files=MAX_FILES, max_fields=MAX_FILES) as form:
            files = [(value.filename or name, await value.read()) for name, value in form.multi_items()
                     if isinstance(value, UploadFile)]
        if not files:
            raise HTTPException(422, "the multipart body has no file part: upload .eml or .mbox files")
        return files
    if media_type and media_type not in MESSAGE_TYPES:
        raise HTTPException(415, f"send a raw email as {', '.join(MESSAGE_TYPES)} or multipart/form-data, "
                                 f"not {media_type!r}")
    body = await request.body()
    if not body.strip():
        raise HTTPException(422, "the body is empty: send a raw email (message/rfc822) or an mbox")
    return [("body", body)]


def _log_records(text: str, deadline: Deadline) -> dict[str, Any]:
    records: list[dict[str, Any]] = []
    problems: list[dict[str, Any]] = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        if number % 1000 == 0:
            deadline.check(f"{number} of {len(lines)} lines read")
        try:
            records += [r.to_dict() for r in bouncekit.parse_log_line(line, "body", number)]
        except Exception as exc:  # one line the readers did not foresee never fails the others
            problems.append({"source": "body", "index": number, "message": f"cannot parse: {exc!r}"})
    return {"records": records, "problems": problems, "messages": len(lines)}


@cache
def _page_strings() -> dict[str, dict[str, str]]:
    """The page's texts per language: the knowledge base's labels (the same the CLI prints) and its own."""
    own = json.loads((STATIC / "strings.json").read_text(encoding="utf-8"))
    return {lang: {**kb.texts(lang)["ui"], **own[lang]} for lang in kb.LANGUAGES}


class SecurityHeaders:
    """ASGI middleware adding SECURITY_HEADERS to every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


def create_app(max_body: int = DEFAULT_MAX_BODY, time_budget: float = DEFAULT_TIME_BUDGET) -> Starlette:
    """The service: limits on body size (413) and time per request (503) as given."""
    async def explain_code(request: Request) -> Response:
        code = request.path_params["code"]
        lang = request.query_params.get("lang")
        if lang is None:
            lang = negotiate_language(request.headers.get("accept-language", ""))
        if lang not in kb.LANGUAGES:
            raise HTTPException(422, f"unknown language {lang!r}; choose one of {', '.join(kb.LANGUAGES)}")
        if len(code) > MAX_CODE_TEXT:
            raise HTTPException(422, f"the code or reply is {len(code)} characters long, at most {MAX_CODE_TEXT}")
        try:
            result = bouncekit.explain(code, lang=lang)
        except BouncekitError as exc:
            raise HTTPException(422, str(exc)) from None
        return JSONResponse(result.to_dict())

    async def classify_replies(request: Request) -> Response:
        payload = await _json_body(request)
        texts = _reply_texts(payload)
        results = await within_budget(time_budget, lambda deadline: _reply_results(texts, deadline))
        return JSONResponse(results if isinstance(payload, list) else results[0])

    async def parse_messages(request: Request) -> Response:
        uploads = await _uploads(request)
        return JSONResponse(await within_budget(time_budget, lambda deadline: _read_messages(uploads, deadline)))

    async def parse_logs(request: Request) -> Response:
        media_type = _media_type(request)
        if media_type and media_type != "text/plain":
            raise HTTPException(415, f"send log lines as text/plain, not {media_type!r}")
        text = (await request.body()).decode("utf-8", "replace")
        if not text.strip():
            raise HTTPException(422, "the body is empty: send log lines as text/plain")
        return JSONResponse(await within_budget(time_budget, lambda deadline: _log_records(text, deadline)))

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    async def openapi(request: Request) -> Response:
        return JSONResponse(openapi_document())

    async def page_strings(request: Request) -> Response:
        return JSONResponse(_page_strings())

    async def page(request: Request) -> Response:
        return FileResponse(STATIC / "index.html", media_type="text/html; charset=utf-8")

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return error_response(exc.status_code, exc.detail, exc.headers)

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(500, f"internal error: {type(exc).__name__}")

    routes = [
        Route("/", page, methods=["GET"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/ui/strings.json", page_strings, methods=["GET"]),
        Route("/v1/codes/{code:text}", explain_code, methods=["GET"]),
        Route("/v1/replies", classify_replies, methods=["POST"]),
        Route("/v1/messages", parse_messages, methods=["POST"]),
        Route("/v1/logs", parse_logs, methods=["POST"]),
        Mount("/assets", StaticFiles(directory=STATIC), name="assets"),
    ]
    return Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders), Middleware(BodySizeLimit, max_body=max_body)],
        exception_handlers={HTTPException: http_error, Exception: server_error},
    )
