"""A fast, tolerant view of one email: top headers, the leaf parts with decoded text, and the
headers of the returned original message.

The view is defined by the stdlib's compat32 email.message.Message tree and its API (content type,
parameters, transfer and charset decoding): read_with_stdlib builds that tree with the stdlib parser
and walks it. Building Message objects and asking them costs most of the time, so read_message
splits the common message with a splitter of our own (_Splitter) into light nodes holding what
email.feedparser would have put in the tree, and computes the same answers from them directly.
Whatever the splitter does not copy goes to read_with_stdlib instead (tests/test_message_fast.py
compares both on the corpus and on generated messages). The walk is iterative, with named limits."""

from __future__ import annotations

import base64
import binascii
import email
import email.errors
import email.message
import functools
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32
from email.utils import collapse_rfc2231_value, decode_params, quote, unquote
from typing import Any, Protocol, TypeVar

# Limits against hostile input. A real bounce has 2-4 parts nested 1-3 deep; mailing-list digests
# reach a few hundred parts. 100 levels / 1,000 parts leave wide room while bounding the walk.
MAX_MIME_DEPTH = 100
MAX_PARTS = 1_000
# Text beyond this is not needed to read a bounce (reports sit near the top); bounding it keeps a
# 50 MB one-line body from costing more than a slice.
MAX_TEXT_CHARS = 512 * 1024

# A header field is at most 998 characters a line (RFC 5322 s2.1.1); one folded over many lines may
# be long (a To: of many recipients), but a field beyond this holds no encoded words worth decoding.
MAX_DECODED_FIELD = 64 * 1024

# How much of the human-readable text format sniffs look at (their markers sit near the top).
SNIFF_CHARS = 8000
_IRREGULAR_CASE = ("\u0130", "\u0131", "\u017f")

REPORT_TYPES = {
    "message/delivery-status": "delivery-status",
    "message/global-delivery-status": "delivery-status",  # RFC 6533
    "message/feedback-report": "feedback-report",  # RFC 5965
}
ORIGINAL_TYPES = frozenset({"message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers",
                            "message/partial", "message/rfc822-headers"})


@dataclass(slots=True)
class Part:
    content_type: str
    text: str
    filename: str = ""


@dataclass(slots=True)
class Attached:
    """An attached message: it offers the two Message methods its readers use, and builds the
    Message itself (by the stdlib reading of the whole message) only when as_bytes() needs it."""

    source: bytes
    """The whole message it is attached to (line ends \\n)."""
    fields: tuple[tuple[str, str], ...]

    def items(self) -> list[tuple[str, str]]:
        """Its header fields, as Message.items() gives them (values made str)."""
        return list(self.fields)

    def message(self) -> email.message.Message:
        """The attached message as the stdlib's compat32 tree holds it."""
        _, attached = _walk(_StdlibPart(parse_stdlib(self.source)), self.source)
        assert attached is not None  # the stdlib reading finds what the fast one found (tested)
        return attached.msg

    def as_bytes(self) -> bytes:
        return self.message().as_bytes()


@dataclass(slots=True)
class MessageView:
    """What the decoders look at. Header names are lower case; values are decoded to str."""

    headers: dict[str, str]
    header_list: list[tuple[str, str]]
    parts: list[Part] = field(default_factory=list)
    """Leaf parts in document order, with text decoded (transfer encoding and charset)."""
    reports: list[Part] = field(default_factory=list)
    """message/delivery-status and message/feedback-report parts (also found as text/plain)."""
    original: str = ""
    """The returned original message (or its headers) as text, when the report includes it."""
    attached: Attached | None = None
    """The first attached message/rfc822, for a bounce that arrives wrapped in another."""
    _body_text: str | None = field(default=None, init=False, repr=False, compare=False)
    """body_text once computed: decoders' sniff() ask for it again and again (the parts never change)."""

    _head_folded: str | None = field(default=None, init=False, repr=False, compare=False)

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def head_folded(self) -> str:
        """The first SNIFF_CHARS of body_text lower-cased, so that an ASCII literal is in it wherever a
        case-insensitive regex would find that literal in the text, at the same position: sniffs test
        the literals their patterns need here, lower-casing once per message instead of once each.
        "" (test nothing) when the text holds a character re.IGNORECASE matches to an ASCII letter
        that lower() does not give as that letter (U+0130, U+0131, U+017F; the Kelvin sign lowers to k)."""
        if self._head_folded is None:
            head = self.body_text[:SNIFF_CHARS]
            if head.isascii() or not any(c in head for c in _IRREGULAR_CASE):
                self._head_folded = head.lower()
            else:
                self._head_folded = ""
        return self._head_folded

    @property
    def body_text(self) -> str:
        """The human-readable text: every text part that is not the returned original or a report."""
        if self._body_text is not None:
            return self._body_text
        # a multipart/* leaf is a multipart whose boundaries are missing: its text is all we have;
        # HTML only counts when there is no plain alternative
        texts = [p for p in self.parts if p.content_type.startswith(("text/", "multipart/"))
                 and p.content_type != "text/rfc822-headers"]
        plain = [p for p in texts if p.content_type != "text/html"]
        self._body_text = "\n".join(p.text for p in plain or texts)
        return self._body_text


def decode_words(value: str) -> str:
    """Decode RFC 2047 encoded words; a broken one is kept as it is, and so is a field longer than
    MAX_DECODED_FIELD (the stdlib's decoding takes time quadratic in the number of words)."""
    if "=?" not in value or len(value) > MAX_DECODED_FIELD:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, email.errors.MessageError):  # (bad base64, a charset name beyond ASCII)
        return value


def read_message(data: bytes | str) -> MessageView:
    """Parse one email into a MessageView. Never raises on malformed input."""
    if isinstance(data, str):
        text = data
        try:
            data = text.encode("utf-8", errors="surrogateescape")
        except UnicodeEncodeError:  # a lone surrogate that stands for no byte (a text decoded as UTF-7)
            data = text.encode("utf-8", errors="replace")
    if b"\r" in data:
        data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        if not _other_line_breaks(data):
            try:
                return read_fast(data)
            except _Unusual:
                pass
        return read_with_stdlib(data)
    except (TypeError, ValueError):
        # The stdlib's RFC 2231 decoding, which both paths use, fails on some malformed parameters
        # (charset*= on an 8-bit body; name* beside name*0), and its Message.get_payload() on an 8-bit
        # body whose charset no codec decodes with errors="replace" (ValueError: "idna", a NUL in the
        # name): such a message is read as its headers and one body of plain text, without the fields
        # that carry parameters.
        return _read_as_plain_text(data)


def _read_as_plain_text(data: bytes) -> MessageView:
    msg = BytesHeaderParser(StdlibMessage, policy=compat32).parsebytes(data)
    del msg["content-type"], msg["content-transfer-encoding"], msg["content-disposition"]
    return _walk(_StdlibPart(msg), data)[0]


def _other_line_breaks(data: bytes) -> bool:
    """Whether *data* holds a character that str.splitlines(), which the feedparser uses, takes for a
    line break besides \\n: the splitter leaves such messages to the stdlib."""
    return b"\x0b" in data or b"\x0c" in data or b"\x1c" in data or b"\x1d" in data or b"\x1e" in data


def read_fast(data: bytes) -> MessageView:
    """The view of *data* (line ends already \\n) from the splitter's nodes; _Unusual when the
    message takes a path the splitter does not copy."""
    return _walk(_Splitter(data.decode("ascii", errors="surrogateescape")).parse(), data)[0]


def read_with_stdlib(data: bytes) -> MessageView:
    """The view of *data* (line ends already \\n) from the stdlib's compat32 tree: the reference."""
    return _walk(_StdlibPart(parse_stdlib(data)), data)[0]


class StdlibMessage(email.message.Message):
    """compat32's Message, whose parameters are split by _params, in linear time: the stdlib's
    _parseparam counts the quotes from a piece's start again for each ';' it tries, so a quoted value
    holding 100,000 of them took minutes. The split and the answers are the same (tested)."""

    def _get_params_preserve(self, failobj: Any, header: str) -> Any:
        value = self.get(header)
        if value is None:
            return failobj
        return decode_params(_params(str(value)))


def parse_stdlib(data: bytes) -> email.message.Message:
    """The stdlib's compat32 tree of *data* (line ends already \\n)."""
    try:
        return email.message_from_bytes(data, StdlibMessage, policy=compat32)
    except RecursionError:
        # The stdlib parser recurses once per nested multipart; a hostile message nested
        # thousands deep is read as headers plus one undivided text body instead.
        msg = BytesHeaderParser(StdlibMessage, policy=compat32).parsebytes(data)
        msg.set_type("text/plain")
        return msg


# --- The walk -----------------------------------------------------------------------------------

_T = TypeVar("_T", bound="_Tree")


class _Tree(Protocol):
    """What the walk asks of a part, answered as compat32's Message API answers."""

    content_type: str

    def children(self: _T) -> list[_T] | None:
        """The parts of a multipart or message/* part (its payload is a list), else None."""

    def items(self) -> list[tuple[str, str]]:
        """The header fields, values made str."""

    def text(self) -> str:
        """The payload decoded by its transfer encoding, then by its charset."""

    def rest(self) -> str | None:
        """get_payload() when it is a str (a delivery-status field block's run-on lines)."""

    def filename(self) -> str: ...


def _walk(root: _T, source: bytes) -> tuple[MessageView, _T | None]:
    """The view of a message tree, and the part that view.attached stands for."""
    # (decode_words looks for "=?" itself: looking first saves the call for most fields)
    header_list = [(k.lower(), decode_words(v) if "=?" in v else v) for k, v in root.items()]
    headers: dict[str, str] = {}
    for k, v in header_list:
        if k not in headers:
            headers[k] = v
    view = MessageView(headers, header_list)
    parts, reports = view.parts, view.reports
    attached: _T | None = None
    stack: list[tuple[_T, int]] = [(root, 0)]
    while stack and len(parts) < MAX_PARTS:
        part, depth = stack.pop()
        ctype = part.content_type
        if ctype in ORIGINAL_TYPES:
            if view.original:
                continue
            children = part.children()
            if children:
                fields = children[0].items()
                view.original = _fields_text(fields)
                view.attached, attached = Attached(source, tuple(fields)), children[0]
            else:
                view.original = part.text()
            continue
        children = part.children()
        if children is not None:
            if ctype in REPORT_TYPES:
                # compat32 parses a delivery-status body as a list of header blocks (RFC 3464 s2.1)
                leaf = Part(ctype, "\n\n".join(_block_text(block) for block in children))
                parts.append(leaf)
                reports.append(leaf)
            elif depth < MAX_MIME_DEPTH:
                stack.extend((child, depth + 1) for child in reversed(children))
            continue
        leaf = Part(ctype, part.text(), part.filename())
        parts.append(leaf)
        if ctype in REPORT_TYPES:
            reports.append(leaf)
    return view, attached


def _fields_text(fields: list[tuple[str, str]]) -> str:
    return "\n".join(map(": ".join, fields))


def _block_text(block: _Tree) -> str:
    """One field block of a delivery-status part. A field value that runs on without indentation
    ends the parser's header block early; the rest of the fields are then its 'body'."""
    rest = block.rest()
    text = _fields_text(block.items())
    return f"{text}\n{rest.strip()}" if rest is not None and rest.strip() else text


class _StdlibPart:
    """A part of the stdlib's compat32 tree, asked through the Message API."""

    __slots__ = ("content_type", "msg")

    def __init__(self, msg: email.message.Message) -> None:
        self.msg = msg
        self.content_type = msg.get_content_type()

    def children(self) -> list[_StdlibPart] | None:
        payload = self.msg.get_payload()
        if not isinstance(payload, list):
            return None
        return [_StdlibPart(p) for p in payload if isinstance(p, email.message.Message)]

    def items(self) -> list[tuple[str, str]]:
        return [(k, str(v)) for k, v in self.msg.items()]

    def text(self) -> str:
        part = self.msg
        try:
            raw = part.get_payload(decode=True)
        except (ValueError, AssertionError, LookupError):
            raw = None
        if not isinstance(raw, bytes):
            payload = part.get_payload()
            return payload[:MAX_TEXT_CHARS] if isinstance(payload, str) else ""
        return _decode(raw[:MAX_TEXT_CHARS], _charset(part.get_param("charset")))

    def rest(self) -> str | None:
        payload = self.msg.get_payload()
        return payload if isinstance(payload, str) else None

    def filename(self) -> str:
        return self.msg.get_filename() or ""


# --- The splitter -------------------------------------------------------------------------------
# The stdlib's feedparser spends most of its time in per-line generator machinery and in compiling
# a regular expression for every message's (unique) MIME boundary, and the Message API much of the
# rest. _Splitter finds the same parts - same fields, payload strings and default types - with
# str.find and one regular expression per header block, following email/feedparser.py (Python 3.11)
# in what it does but not in how (see _Splitter); where that parser takes a rare path whose effects
# are awkward to copy, it raises _Unusual and the stdlib parser reads the message instead. _Node
# then answers as the compat32 Message would.

_HEADER_BLOCK = re.compile(r"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\n]*(?:\n|\Z))*")
# One field of a header block: its name, and its value without leading blanks, with the continuation
# lines. Any other line of the block gives ("", ""): an envelope "From " line (its 'name' would hold a
# space), a line without a name and continuation lines before any field, all of which the feedparser
# drops, and the first line that is no header line, which ends the block.
# (Possessive quantifiers: no part of a match ever needs to give back what it took, and sre is faster
# when told so.)
_FIELDS = re.compile(r"([\041-\071\073-\176]++):[\t ]*+([^\n]*+(?:\n[\t ][^\n]*+)*+)\n?|[^\n]++\n?")
# Nesting beyond this goes to the stdlib parser, so deep hostile nesting keeps its RecursionError path.
_FAST_MAX_DEPTH = 50
_UUENCODE = ("x-uuencode", "uuencode", "uue", "x-uue")

_Param = str | tuple[str | None, str | None, str]  # a parameter as Message.get_param gives it


class _Unusual(Exception):
    """The message takes a path the splitter does not copy."""


def _as_str(value: str) -> str:
    """A field value as str(Message.get(...)) and Message.items() give it: compat32 wraps a value
    holding undecodable bytes (surrogates here) in an unknown-8bit Header, whose str() shows each
    such byte as U+FFFD."""
    if value.isascii():
        return value
    return value.encode("ascii", "surrogateescape").decode("ascii", "replace")


# _content_type and _param are cached: field values repeat from message to message ("text/plain;
# charset=us-ascii", "message/delivery-status"); one with a unique boundary costs a miss.
@functools.lru_cache(maxsize=1024)
def _content_type(value: str | None, default: str) -> str:
    """Message.get_content_type for a Content-Type field *value* (None: no such field)."""
    if value is None:
        return default
    ctype = value.partition(";")[0].strip().lower()
    return ctype if ctype.count("/") == 1 else "text/plain"  # RFC 2045 s5.2


def _param_pieces(value: str) -> list[str]:
    """The split of email.message._parseparam: at each ';' outside a quoted string."""
    pieces = value.split(";")
    # Without backslashes, the quotes _parseparam counts before a ';' are those of its piece: when
    # every piece holds an even number, no ';' is quoted
    if '"' not in value or ("\\" not in value and not any(piece.count('"') % 2 for piece in pieces)):
        return pieces
    # A ';' ends a piece when the piece before it holds an even number of quotes not preceded by a
    # backslash. The count grows with each ';' tried (none straddles one), so a long quoted value full
    # of ';' is read in linear time, where _parseparam counts from the piece's start for each.
    pieces = []
    start = 0
    while True:
        end = value.find(";", start)
        counted, quotes = start, 0
        while end > start:
            quotes += value.count('"', counted, end) - value.count('\\"', counted, end)
            counted = end
            if quotes % 2 == 0:
                break
            end = value.find(";", end + 1)
        if end < 0:
            pieces.append(value[start:])
            return pieces
        pieces.append(value[start:end])
        start = end + 1


def _params(value: str) -> list[tuple[str, str]]:
    """The parameters as _parseparam and _get_params_preserve name them (a bare one has no value)."""
    params = []
    for piece in _param_pieces(value):
        key, equals, found = piece.partition("=")
        params.append((key.strip().lower(), found.strip()) if equals else (piece.strip(), ""))
    return params


@functools.lru_cache(maxsize=1024)
def _param(value: str | None, name: str) -> _Param | None:
    """Message.get_param(*name*) for a field *value* (None: no such field); None when missing."""
    if value is None:
        return None
    if "*" in value:
        params = _params(value)
        if any("*" in key for key, _ in params[1:]):
            # RFC 2231 (name*=charset'lang'text, name*0=...): the stdlib's own decoding, which may
            # fail (TypeError) as get_param does, whichever parameter is asked for
            for key, decoded in decode_params(params):
                if key.lower() == name:
                    return (decoded[0], decoded[1], unquote(decoded[2])) if isinstance(decoded, tuple) \
                        else unquote(decoded)
            return None
    elif name not in value.lower():  # the common miss, told at once
        return None
    for index, piece in enumerate(_param_pieces(value)):
        key, equals, found = piece.partition("=")
        if (key if equals else piece).strip().lower() == name:
            found = unquote(found.strip())
            if index and ("\\" in found or '"' in found):
                # decode_params quotes every value after the first piece (the type), and get_param
                # unquotes it again, which changes a value holding backslashes or quotes
                found = unquote(f'"{quote(found)}"')
            return found
    return None


def _charset(found: _Param | None) -> str | None:
    """Message.get_content_charset for the charset parameter *found* (Message.get_param's answer), but
    where that raises ValueError (an RFC 2231 charset name holding a NUL): then the value is taken as
    it stands, as when the name is unknown."""
    if found is None:
        return None
    if isinstance(found, tuple):  # RFC 2231 encoded: it should decode to ASCII
        try:
            found = found[2].encode("raw-unicode-escape").decode(found[0] or "us-ascii")
        except (LookupError, ValueError):  # (UnicodeError is a ValueError)
            found = found[2]
    return found.lower() if found.isascii() else None


def _decode(raw: bytes, charset: str | None) -> str:
    """A part's text: *raw* decoded by its *charset*, or as UTF-8 where that names no text codec Python
    can decode with (unknown, "hex", a NUL in the name, "idna" which takes no errors="replace")."""
    try:
        return raw.decode(charset or "utf-8", errors="replace")
    except (LookupError, ValueError):
        return raw.decode("utf-8", errors="replace")


def _base64(encoded: bytes) -> bytes:
    """email._encoded_words.decode_b without its defects: strict with padding fixed, then lenient,
    then with padding added; undecodable data is kept as it is."""
    missing = b"==="[:4 - len(encoded) % 4] if len(encoded) % 4 else b""
    for candidate, validate in ((encoded + missing, True), (encoded, False), (encoded + b"==", False)):
        try:
            return base64.b64decode(candidate, validate=validate)
        except binascii.Error:
            continue
    return encoded


class _Node:
    """One part as the splitter reads it: the fields and payload of the compat32 Message that
    email.feedparser would make, and that Message's answers to the walk."""

    __slots__ = ("_cte", "_disposition", "_type_field", "content_type", "fields", "payload")

    def __init__(self, fields: list[tuple[str, str]], default_type: str) -> None:
        self.fields = fields
        self.payload: str | list[_Node] = []
        # Message.get: the first field of each name the answers need (None: no such field)
        type_field = cte = disposition = None
        for key, value in fields:
            if key[0] not in "Cc":  # cheaper than lower() for the many fields that are none of these
                continue
            name = key.lower()
            if name == "content-type":
                type_field = value if type_field is None else type_field
            elif name == "content-transfer-encoding":
                cte = value if cte is None else cte
            elif name == "content-disposition":
                disposition = value if disposition is None else disposition
        self._type_field, self._cte, self._disposition = type_field, cte, disposition
        self.content_type = _content_type(type_field, default_type)

    def boundary(self) -> str | None:
        """Message.get_boundary."""
        found = _param(self._type_field, "boundary")
        return None if found is None else collapse_rfc2231_value(found).rstrip()

    def children(self) -> list[_Node] | None:
        if isinstance(self.payload, list):
            return self.payload
        if not self.payload.isascii():
            self._payload_charset()  # Message.get_payload() would fail here: so must the walk
        return None

    def _payload_charset(self) -> str | None:
        """The charset parameter by which Message.get_payload() decodes bytes beyond ASCII. It fails
        (TypeError) on an RFC 2231 one: such a message is left to the stdlib, which fails alike."""
        charset = _param(self._type_field, "charset")
        if isinstance(charset, tuple):
            raise _Unusual("RFC 2231 charset of an 8-bit payload")
        return charset

    def items(self) -> list[tuple[str, str]]:
        return self.fields

    def text(self) -> str:
        payload = self.payload
        if isinstance(payload, list):  # Message.get_payload(decode=True) gives None, and the payload no str
            return ""
        raw = payload.encode("ascii", "surrogateescape")
        cte = (self._cte or "").lower()
        if cte == "quoted-printable":
            raw = binascii.a2b_qp(raw)
        elif cte == "base64":
            raw = _base64(b"".join(raw.splitlines()))
        elif cte in _UUENCODE:
            raise _Unusual("uuencoded payload")
        return _decode(raw[:MAX_TEXT_CHARS], _charset(_param(self._type_field, "charset")))

    def rest(self) -> str | None:
        payload = self.payload
        if isinstance(payload, list):
            return None
        if payload.isascii():
            return payload
        # Message.get_payload() decodes bytes beyond ASCII by the charset parameter as it is
        charset = self._payload_charset()
        raw = payload.encode("ascii", "surrogateescape")
        try:
            return raw.decode("ascii" if charset is None else charset, "replace")
        except LookupError:
            return raw.decode("ascii", "replace")

    def filename(self) -> str:
        """Message.get_filename."""
        found = _param(self._disposition, "filename")
        if found is None:
            found = _param(self._type_field, "name")
        return "" if found is None else collapse_rfc2231_value(found).strip()


class _Splitter:
    """One message text (line ends \\n only) split into _Nodes.

    The feedparser reads line by line, and a part ends at its 'false end of file': a delimiter line
    of any enclosing multipart, or (inside a delivery-status field block) a blank line. Those lines
    nest, so the splitter gives each part its region of the text instead - up to the next delimiter
    of its multipart, or the blank line after its field block - and a part reads its region whole."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()  # else field values may hold undecodable bytes
        self.last: _Node | None = None  # feedparser's _last: the latest part made
        self.depth = 0

    def parse(self) -> _Node:
        return self._part(0, len(self.text), "")

    def _part(self, start: int, end: int, parent_type: str) -> _Node:
        """The part in text[start:end]."""
        if self.depth == _FAST_MAX_DEPTH:
            raise _Unusual("nested too deep")
        self.depth += 1
        fields, body = self._header(start, end)
        # RFC 2046 s5.1.5: a digest's parts are messages unless they say otherwise
        node = _Node(fields, "message/rfc822" if parent_type == "multipart/digest" else "text/plain")
        self.last = node
        ctype = node.content_type
        if ctype.startswith("multipart/"):
            self._multipart(node, body, end)
        elif ctype == "message/delivery-status":
            self._field_blocks(node, body, end)
        elif ctype.startswith("message/"):
            node.payload = [self._part(body, end, ctype)]
        else:
            node.payload = self.text[body:end]
        self.depth -= 1
        return node

    def _header(self, start: int, end: int) -> tuple[list[tuple[str, str]], int]:
        """The fields of the header block at *start* (as feedparser and compat32's header_source_parse
        store them), and where the body begins: past the blank line after the block."""
        text = self.text
        # the common block: an envelope "From " line (mbox) perhaps, then fields up to a blank line
        if start:  # a region after the first begins after a line break: a blank line at start is found too
            block_end = text.find("\n\n", start - 1, end) + 1 or end
        else:
            block_end = 0 if text.startswith("\n") else text.find("\n\n", 0, end) + 1 or end
        first = start
        if text.startswith("From ", start, end):  # the envelope line, which is no field
            first = text.find("\n", start, block_end) + 1 or block_end
        fields: list[tuple[str, str]] = _FIELDS.findall(text, first, block_end)
        if ("", "") not in fields:
            body = block_end + 1 if block_end < end else end  # past the blank line
        else:  # a line that is no field ends the block early, or is dropped from it
            block_end = _HEADER_BLOCK.match(text, start, end).end()  # type: ignore[union-attr]
            if text.find("\nFrom ", start, block_end) >= 0:
                raise _Unusual("envelope line inside the header block")
            fields = [field for field in _FIELDS.findall(text, first, block_end) if field[0]]
            # the blank line after the block is dropped; any other line after it starts the body
            body = block_end + 1 if text.startswith("\n", block_end, end) else block_end
        if not self.ascii:
            fields = [(name, _as_str(value)) for name, value in fields]
        return fields, body

    def _field_blocks(self, node: _Node, start: int, end: int) -> None:
        """message/delivery-status: blocks of fields separated by blank lines, one part each."""
        text = self.text
        blocks: list[_Node] = []
        node.payload = blocks
        while True:
            blank = start if text.startswith("\n", start, end) else text.find("\n\n", start, end) + 1 or end
            blocks.append(self._part(start, blank, "message/delivery-status"))
            start = blank + 1  # past the blank line
            if start >= end:
                return

    def _multipart(self, node: _Node, start: int, end: int) -> None:
        boundary = node.boundary()
        if boundary is None:
            node.payload = self.text[start:end]
            return
        if "\n" in boundary:
            raise _Unusual("line break in boundary")
        marker = "\n--" + boundary  # a delimiter line starts after a line break (start > 0 here)
        at, kind = self._delimiter(marker, start, end)
        if kind != "next":  # no inter-part delimiter: the body up to the close (if any) is the payload
            node.payload = self.text[start:at]
            return
        parts: list[_Node] = []
        node.payload = parts
        while kind == "next":
            start = self._past_delimiters(marker, at, end)  # repeated delimiters make no empty parts
            at, kind = self._delimiter(marker, start, end)
            parts.append(self._part(start, at, node.content_type))
            last = self.last
            assert last is not None
            # RFC 2046: the line end before a delimiter belongs to the delimiter (the feedparser
            # takes it off the latest part made, unless that is a multipart)
            if not last.content_type.startswith("multipart/") and isinstance(last.payload, str):
                last.payload = last.payload.removesuffix("\n")
            self.last = node
        # after the close delimiter comes the epilogue, which the view does not use

    def _kind(self, marker: str, at: int, end: int) -> str | None:
        """'next' or 'end' when the line at *at*, which starts with the separator (*marker* without its
        line break), is an inter-part or the close delimiter (feedparser's boundaryre: the separator,
        optional '--', blanks, line end), else None."""
        text = self.text
        rest = text[at + len(marker) - 1:text.find("\n", at, end) + 1 or end].rstrip(" \t\n")
        return "next" if not rest else "end" if rest == "--" else None

    def _delimiter(self, marker: str, start: int, end: int) -> tuple[int, str | None]:
        """Where the first delimiter line in text[start:end] begins, and its kind; (end, None) when
        there is none. *start* follows a line break, so that a delimiter line at *start* is found too."""
        text = self.text
        at = start - 1
        while at := text.find(marker, at, end) + 1:
            if kind := self._kind(marker, at, end):
                return at, kind
        return end, None

    def _past_delimiters(self, marker: str, at: int, end: int) -> int:
        """Past the delimiter line at *at* and any delimiter lines right after it."""
        text = self.text
        at = text.find("\n", at, end) + 1 or end
        while text.startswith(marker, at - 1, end) and self._kind(marker, at, end):
            at = text.find("\n", at, end) + 1 or end
        return at
