"""The OpenAPI 3.1 document of the HTTP API; record schemas are derived from the model's dataclasses,
so the document cannot drift from what the endpoints return."""

from __future__ import annotations

import dataclasses
import inspect
import itertools
import types
import typing
from functools import cache
from typing import Any

from .. import __version__
from ..codes import kb
from ..model import CodeExplanation, CodePart, Delivery, Explanation, Reply, VendorMeaning

# Dataclasses published as components, referenced by name wherever a field holds one.
COMPONENTS: tuple[type, ...] = (Delivery, Reply, CodePart, VendorMeaning, CodeExplanation, Explanation)
_NAMES = {cls: cls.__name__ for cls in COMPONENTS}
_SCALARS: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}

# Bounds published in the document, enforced by the handlers.
MAX_REPLIES = 1000
MAX_CODE_TEXT = 2000


def _type_schema(hint: Any) -> dict[str, Any]:
    if hint in _NAMES:
        return {"$ref": f"#/components/schemas/{_NAMES[hint]}"}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [a for a in args if a is not type(None)]
        inner = _type_schema(options[0]) if len(options) == 1 else {"anyOf": [_type_schema(a) for a in options]}
        if "type" in inner:
            return {**inner, "type": [inner["type"], "null"]}
        return {"anyOf": [inner, {"type": "null"}]}
    if origin in (tuple, list):
        return {"type": "array", "items": _type_schema(args[0]) if args else {}}
    if origin is dict or hint is dict:
        return {"type": "object"}
    return {}


def _dataclass_schema(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    docs = _field_docs(cls)
    fields = dataclasses.fields(cls)
    properties = {}
    for f in fields:
        prop = _type_schema(hints[f.name])
        if f.name in docs and "$ref" not in prop:
            prop["description"] = docs[f.name]
        properties[f.name] = prop
    return {"type": "object", "description": (cls.__doc__ or "").strip(), "properties": properties,
            "required": [f.name for f in fields]}


def _field_docs(cls: type) -> dict[str, str]:
    """The one-line docstrings written under fields in model.py (empty when the source is not shipped)."""
    try:
        lines = inspect.getsource(cls).splitlines()
    except (OSError, TypeError):
        return {}
    docs = {}
    for line, following in itertools.pairwise(lines):
        name, colon, _ = line.strip().partition(":")
        if colon and name.isidentifier() and following.strip().startswith('"""'):
            docs[name] = following.strip().strip('"').strip()
    return docs


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


BODY_ERRORS = {
    "400": _error("The body cannot be read: not JSON, not valid multipart, not UTF-8 where text is needed."),
    "413": _error("The body is larger than the server's limit (10 MB unless configured otherwise)."),
    "415": _error("The Content-Type is not one this endpoint reads."),
    "422": _error("The body was read but does not say what is needed; the message says what is wrong."),
    "503": _error("The request overran the server's time budget; try a smaller body."),
}

MESSAGE_TYPES = ("message/rfc822", "application/mbox", "text/plain", "application/octet-stream")


@cache
def openapi_document() -> dict[str, Any]:
    """The document served at /openapi.json."""
    schemas: dict[str, Any] = {cls.__name__: _dataclass_schema(cls) for cls in COMPONENTS}
    schemas["Error"] = {"type": "object", "required": ["error"],
                        "properties": {"error": {"type": "string", "description": "what is wrong"}}}
    schemas["ReplyInput"] = {"type": "object", "required": ["text"], "properties": {
        "text": {"type": "string", "minLength": 1, "pattern": r"\S",
                 "description": "an SMTP reply, e.g. '550 5.1.1 <x@example.com>: User unknown'"}}}
    schemas["ReplyResult"] = {"type": "object", "required": ["reply", "record"], "properties": {
        "reply": _ref("Reply"), "record": _ref("Delivery")}}
    schemas["Problem"] = {"type": "object", "required": ["source", "index", "message"], "properties": {
        "source": {"type": "string"}, "index": {"type": ["integer", "null"]}, "message": {"type": "string"}}}
    schemas["Records"] = {"type": "object", "required": ["records", "problems", "messages"], "properties": {
        "records": {"type": "array", "items": _ref("Delivery")},
        "problems": {"type": "array", "items": _ref("Problem"),
                     "description": "messages that could not be read, each with where and why"},
        "messages": {"type": "integer", "description": "how many messages (or log lines) were read"}}}
    lang = {"name": "lang", "in": "query", "required": False,
            "description": "language of the explanation; default: the best of Accept-Language, else en",
            "schema": {"type": "string", "enum": list(kb.LANGUAGES)}}
    paths: dict[str, Any] = {
        "/healthz": {"get": {"summary": "Liveness check", "operationId": "healthz", "responses": {
            "200": _json({"type": "object", "required": ["status", "version"], "properties": {
                "status": {"const": "ok"}, "version": {"type": "string"}}}, "The service is up.")}}},
        "/v1/codes/{code}": {"get": {
            "summary": "Explain a reply code (550), an enhanced status code (5.1.1) or a whole reply line",
            "operationId": "explainCode",
            "parameters": [{"name": "code", "in": "path", "required": True,
                            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_CODE_TEXT}}, lang],
            "responses": {"200": _json(_ref("Explanation"), "The explanation, one entry per code found."),
                          "422": _error("Not a code, an ill-formed code, no code in the text, or an "
                                        "unknown language.")}}},
        "/v1/replies": {"post": {
            "summary": "Parse and classify SMTP replies",
            "description": "One object in, one result out; a list in, a list out (at most "
                           f"{MAX_REPLIES}). Each result has the reply read from the text and a Delivery "
                           "record with the verdict (reason, hard_bounce, fault, action_advice, evidence).",
            "operationId": "classifyReplies",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
                _ref("ReplyInput"),
                {"type": "array", "items": _ref("ReplyInput"), "minItems": 1, "maxItems": MAX_REPLIES}]}}}},
            "responses": {"200": _json({"oneOf": [_ref("ReplyResult"),
                                                  {"type": "array", "items": _ref("ReplyResult")}]},
                                       "The results, in the order of the input."), **BODY_ERRORS}}},
        "/v1/messages": {"post": {
            "summary": "Read bounce emails: a raw message or mbox, or a multipart upload of .eml/.mbox files",
            "operationId": "parseMessages",
            "requestBody": {"required": True, "content": {
                **{t: {"schema": {"type": "string", "format": "binary", "minLength": 1}} for t in MESSAGE_TYPES},
                "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
                    "file": {"type": "array", "minItems": 1, "items": {"type": "string", "format": "binary"},
                             "description": "one or more .eml or .mbox files (any field name is read)"}}}}}},
            "responses": {"200": _json(_ref("Records"), "A Delivery record per recipient per bounce; "
                                                        "none for a message that is not a bounce."),
                          **BODY_ERRORS}}},
        "/v1/logs": {"post": {
            "summary": "Read MTA log lines (Postfix, Exim, ...) as Delivery records",
            "operationId": "parseLogs",
            "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string",
                                                                                     "minLength": 1}}}},
            "responses": {"200": _json(_ref("Records"), "A Delivery record per delivery result found."),
                          **BODY_ERRORS}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "bouncekit", "version": __version__,
                 "description": "Explain SMTP codes, read bounces and classify delivery failures."},
        "paths": paths,
        "components": {"schemas": schemas},
    }
