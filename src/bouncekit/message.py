"""A fast, tolerant view of one email: top headers, the leaf parts with decoded text, and the
headers of the returned original message. The message tree is the stdlib's compat32 one (several
times faster than policy.default), built by a small splitter of our own for the common case (see
_FastSplitter) and by the stdlib parser for anything unusual; walks MIME iteratively with named limits."""

from __future__ import annotations

import email
import email.message
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.parser import BytesHeaderParser
from email.policy import compat32

# Limits against hostile input. A real bounce has 2-4 parts nested 1-3 deep; mailing-list digests
# reach a few hundred parts. 100 levels / 1,000 parts leave wide room while bounding the walk.
MAX_MIME_DEPTH = 100
MAX_PARTS = 1_000
# Text beyond this is not needed to read a bounce (reports sit near the top); bounding it keeps a
# 50 MB one-line body from costing more than a slice.
MAX_TEXT_CHARS = 512 * 1024

REPORT_TYPES = {
    "message/delivery-status": "delivery-status",
    "message/global-delivery-status": "delivery-status",  # RFC 6533
    "message/feedback-report": "feedback-report",  # RFC 5965
}
ORIGINAL_TYPES = ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers",
                  "message/partial", "message/rfc822-headers")


@dataclass(slots=True)
class Part:
    content_type: str
    text: str
    filename: str = ""


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
    attached: email.message.Message | None = None
    """The first attached message/rfc822, parsed, for a bounce that arrives wrapped in another."""
    _body_text: str | None = field(default=None, init=False, repr=False, compare=False)
    """body_text once computed: decoders' sniff() ask for it again and again (the parts never change)."""

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

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
    """Decode RFC 2047 encoded words; a broken one is kept as it is."""
    if "=?" not in value:
        return value
    try:
        return str(make_header(decode_header(value)))
    except (ValueError, LookupError, UnicodeError):
        return value


def _payload_text(part: email.message.Message) -> str:
    try:
        raw = part.get_payload(decode=True)
    except (ValueError, AssertionError, LookupError):
        raw = None
    if not isinstance(raw, bytes):
        payload = part.get_payload()
        return payload[:MAX_TEXT_CHARS] if isinstance(payload, str) else ""
    raw = raw[:MAX_TEXT_CHARS]
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, errors="replace")
    except LookupError:  # unknown charset name
        return raw.decode("utf-8", errors="replace")


def _headers_as_text(msg: email.message.Message) -> str:
    return "\n".join(f"{k}: {v}" for k, v in msg.items())


def _block_text(block: email.message.Message) -> str:
    """One field block of a delivery-status part. A field value that runs on without indentation
    ends the parser's header block early; the rest of the fields are then its 'body'."""
    rest = block.get_payload()
    text = _headers_as_text(block)
    return f"{text}\n{rest.strip()}" if isinstance(rest, str) and rest.strip() else text


def parse_stdlib(data: bytes) -> email.message.Message:
    """The stdlib's compat32 tree of *data* (line ends already \\n): the reference _FastSplitter matches."""
    try:
        return email.message_from_bytes(data, policy=compat32)
    except RecursionError:
        # The stdlib parser recurses once per nested multipart; a hostile message nested
        # thousands deep is read as headers plus one undivided text body instead.
        msg = BytesHeaderParser(policy=compat32).parsebytes(data)
        msg.set_type("text/plain")
        return msg


def parse_tree(data: bytes) -> email.message.Message:
    """The compat32 tree of *data* (line ends already \\n), by the fast splitter when it can."""
    if not any(char in data for char in _OTHER_LINE_BREAKS):
        try:
            return _FastSplitter(data.decode("ascii", errors="surrogateescape")).parse()
        except (_Unusual, RecursionError):
            pass
    return parse_stdlib(data)


def read_message(data: bytes | str) -> MessageView:
    """Parse one email into a MessageView. Never raises on malformed input."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogateescape")
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    msg = parse_tree(data)
    header_list = [(k.lower(), decode_words(str(v))) for k, v in msg.items()]
    headers: dict[str, str] = {}
    for k, v in header_list:
        headers.setdefault(k, v)
    view = MessageView(headers, header_list)
    stack: list[tuple[email.message.Message, int]] = [(msg, 0)]
    while stack and len(view.parts) < MAX_PARTS:
        part, depth = stack.pop()
        ctype = part.get_content_type()
        if ctype in ORIGINAL_TYPES:
            _take_original(view, part)
            continue
        payload = part.get_payload()
        if ctype in REPORT_TYPES and isinstance(payload, list):
            # compat32 parses a delivery-status body as a list of header blocks (RFC 3464 s2.1)
            leaf = Part(ctype, "\n\n".join(_block_text(m) for m in payload if isinstance(m, email.message.Message)))
            view.parts.append(leaf)
            view.reports.append(leaf)
            continue
        if part.is_multipart() and isinstance(payload, list):
            if depth < MAX_MIME_DEPTH:
                stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, email.message.Message))
            continue
        text = _payload_text(part)
        leaf = Part(ctype, text, part.get_filename() or "")
        view.parts.append(leaf)
        if ctype in REPORT_TYPES:
            view.reports.append(leaf)
    return view


def _take_original(view: MessageView, part: email.message.Message) -> None:
    if view.original:
        return
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], email.message.Message):
        view.original = _headers_as_text(payload[0])
        view.attached = payload[0]
    else:
        view.original = _payload_text(part)


# --- The splitter -------------------------------------------------------------------------------
# The stdlib's feedparser spends most of its time in per-line generator machinery and in compiling
# a regular expression for every message's (unique) MIME boundary. _FastSplitter builds the very
# same compat32 Message tree - same headers, payload strings, preamble, epilogue and default types
# (tests/test_message_fast.py compares the two trees on the corpus and on generated messages) - with
# str.find over the whole text. It follows email/feedparser.py (Python 3.11) step by step; where
# that parser takes a rare path whose effects are awkward to copy, the splitter raises _Unusual and
# the stdlib parser reads the message instead.

# str.splitlines(), which the feedparser uses, also breaks lines at these; such messages go to the stdlib
_OTHER_LINE_BREAKS = (b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e")
# feedparser.headerRE: what may start a line of the header block
_HEADER_LINE = re.compile(r"From |[\041-\071\073-\176]*:|[\t ]")
_HEADER_BLOCK = re.compile(r"(?:(?:From |[\041-\071\073-\176]*:|[\t ])[^\n]*(?:\n|\Z))*")
# Nesting beyond this goes to the stdlib parser, so deep hostile nesting keeps its RecursionError path.
_FAST_MAX_DEPTH = 50


def _field(lines: list[str]) -> tuple[str, str]:
    """compat32's header_source_parse: the name, and the value with its folds kept."""
    name, value = lines[0].split(":", 1)
    return name, (value.lstrip(" \t") + "".join(lines[1:])).rstrip("\r\n")


class _Unusual(Exception):
    """The message takes a feedparser path the splitter does not copy."""


def _boundary_line(line: str, separator: str) -> str | None:
    """'end' or 'next' when *line* is the close or an inter-part delimiter of *separator* (feedparser's
    boundaryre: separator, optional '--', blanks, optional line end), else None."""
    if not line.startswith(separator):
        return None
    rest = line[len(separator):]
    if rest.endswith("\n"):
        rest = rest[:-1]
    rest = rest.rstrip(" \t")
    return "next" if not rest else "end" if rest == "--" else None


class _FastSplitter:
    """One message text (line ends \\n only) split into a compat32 Message tree."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.size = len(text)
        self.pos = 0
        self.separators: list[str] = []  # active boundary delimiters, innermost last
        self.blank_ends = 0  # > 0 inside a delivery-status field block, which a blank line ends
        self.last: email.message.Message | None = None  # feedparser's _last: the latest message made
        self.depth = 0

    def parse(self) -> email.message.Message:
        return self._part(None, "")

    def _ends_here(self, line: str) -> bool:
        """Whether *line* is a false end of file for the part being read (feedparser's eof matchers)."""
        if self.blank_ends and line == "\n":
            return True
        return line.startswith("--") and any(_boundary_line(line, s) for s in self.separators)

    def _readline(self) -> str:
        if self.pos >= self.size:
            return ""
        end = self.text.find("\n", self.pos)
        end = self.size if end < 0 else end + 1
        line = self.text[self.pos:end]
        if self._ends_here(line):
            return ""
        self.pos = end
        return line

    def _unread(self, line: str) -> None:
        self.pos -= len(line)

    def _line_at(self, start: int) -> str:
        end = self.text.find("\n", start)
        return self.text[start:self.size if end < 0 else end + 1]

    def _read_rest(self) -> str:
        """Every line up to the part's false end of file, found with str.find rather than line by line."""
        text, start = self.text, self.pos
        end = self.size
        if self.blank_ends:
            if text.startswith("\n", start):
                end = start
            else:
                blank = text.find("\n\n", start)
                if blank >= 0:
                    end = blank + 1
        for separator in self.separators:
            if text.startswith(separator, start) and _boundary_line(self._line_at(start), separator):
                end = start
                break
            at = start
            while (found := text.find("\n" + separator, at, end)) >= 0:
                at = found + 1
                if _boundary_line(self._line_at(at), separator):
                    end = at
                    break
        self.pos = end
        return text[start:end]

    def _part(self, parent: email.message.Message | None, parent_type: str) -> email.message.Message:
        self.depth += 1
        if self.depth > _FAST_MAX_DEPTH:
            raise _Unusual("nested too deep")
        msg = email.message.Message(policy=compat32)
        if parent is not None:
            if parent_type == "multipart/digest":
                msg.set_default_type("message/rfc822")  # RFC 2046 s5.1.5
            parent.attach(msg)
        self.last = msg
        self._headers(msg, self._header_lines())
        ctype = msg.get_content_type()
        maintype = ctype.split("/")[0]
        if ctype == "message/delivery-status":
            self._field_blocks(msg, ctype)
        elif maintype == "message":
            self._part(msg, ctype)
        elif maintype == "multipart":
            self._multipart(msg, ctype)
        else:
            msg.set_payload(self._read_rest())
        self.depth -= 1
        return msg

    def _header_lines(self) -> list[str]:
        """The lines of the header block at the read position; reads past the blank line after it."""
        text, start = self.text, self.pos
        block = text[start:_HEADER_BLOCK.match(text, start).end()]  # type: ignore[union-attr]
        if self.separators and (block.startswith("--") or "\n--" in block):
            return self._header_lines_slowly()  # a delimiter line may end the block early
        end = start + len(block)
        # the blank line after the block is dropped, unless it ends a delivery-status field block;
        # any other line after it starts the body (or ends the part)
        self.pos = end + 1 if text.startswith("\n", end) and not self.blank_ends else end
        return block.splitlines(True)

    def _header_lines_slowly(self) -> list[str]:
        lines = []
        while line := self._readline():
            if not _HEADER_LINE.match(line):
                if line != "\n":  # no blank line between header and body: the line is body
                    self._unread(line)
                break
            lines.append(line)
        return lines

    def _headers(self, msg: email.message.Message, lines: list[str]) -> None:
        """feedparser._parse_headers with the compat32 policy's header_source_parse and set_raw inlined."""
        fields = msg._headers  # type: ignore[attr-defined]
        value: list[str] = []
        for number, line in enumerate(lines):
            if line[0] in " \t":
                if value:  # a continuation line before any field is dropped, as feedparser does
                    value.append(line)
                continue
            if value:
                fields.append(_field(value))
                value = []
            if line.startswith("From "):
                if number:
                    raise _Unusual("envelope line inside the header block")
                msg.set_unixfrom(line.removesuffix("\n"))
            elif not line.startswith(":"):  # a field without a name is dropped
                value = [line]
        if value:
            fields.append(_field(value))

    def _field_blocks(self, msg: email.message.Message, ctype: str) -> None:
        """message/delivery-status: blocks of fields separated by blank lines, one message each."""
        while True:
            self.blank_ends += 1
            self._part(msg, ctype)
            self.blank_ends -= 1
            self._readline()  # the blank line
            line = self._readline()
            if not line:
                return
            self._unread(line)

    def _multipart(self, msg: email.message.Message, ctype: str) -> None:
        boundary = msg.get_boundary()
        if boundary is None:
            msg.set_payload(self._read_rest())
            return
        separator = "--" + boundary
        if "\n" in separator:
            raise _Unusual("line break in boundary")
        preamble: list[str] = []
        in_preamble, closed, line_end = True, False, False
        while line := self._readline():
            kind = _boundary_line(line, separator)
            if kind is None:
                preamble.append(line)
                continue
            if kind == "end":
                closed, line_end = True, line.endswith("\n")
                break
            if in_preamble:
                if preamble:
                    preamble[-1] = preamble[-1].removesuffix("\n")  # RFC 2046: it belongs to the delimiter
                    msg.preamble = "".join(preamble)
                in_preamble = False
                self._unread(line)
                continue
            while line := self._readline():  # repeated delimiters make no empty parts
                if _boundary_line(line, separator) is None:
                    self._unread(line)
                    break
            self.separators.append(separator)
            self._part(msg, ctype)
            last = self.last
            assert last is not None
            if last.get_content_maintype() == "multipart":
                epilogue = last.epilogue
                if epilogue == "":
                    last.epilogue = None
                elif epilogue is not None:
                    last.epilogue = epilogue.removesuffix("\n")
            elif isinstance(payload := last._payload, str):  # type: ignore[attr-defined]
                last.set_payload(payload.removesuffix("\n"))
            self.separators.pop()
            self.last = msg
        if in_preamble:
            msg.set_payload("".join(preamble))
            self._read_rest()  # feedparser reads the rest of the part and keeps none of it
            msg.epilogue = ""
        elif closed:
            rest = self._read_rest()
            if not line_end:
                rest = rest.removeprefix("\n")
            msg.epilogue = rest
