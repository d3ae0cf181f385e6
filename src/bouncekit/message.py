"""A fast, tolerant view of one email: top headers, the leaf parts with decoded text, and the
headers of the returned original message. Built on the stdlib parser with the compat32 policy
(several times faster than policy.default); walks MIME iteratively with named limits."""

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

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def body_text(self) -> str:
        """The human-readable text: every text part that is not the returned original or a report."""
        # a multipart/* leaf is a multipart whose boundaries are missing: its text is all we have;
        # HTML only counts when there is no plain alternative
        texts = [p for p in self.parts if p.content_type.startswith(("text/", "multipart/"))
                 and p.content_type != "text/rfc822-headers"]
        plain = [p for p in texts if p.content_type != "text/html"]
        return "\n".join(p.text for p in plain or texts)


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


_HEADER_BLOCK_END = re.compile(r"\r?\n\r?\n")


def read_message(data: bytes | str) -> MessageView:
    """Parse one email into a MessageView. Never raises on malformed input."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogateescape")
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    try:
        msg = email.message_from_bytes(data, policy=compat32)
    except RecursionError:
        # The stdlib parser recurses once per nested multipart; a hostile message nested
        # thousands deep is read as headers plus one undivided text body instead.
        msg = BytesHeaderParser(policy=compat32).parsebytes(data)
        msg.set_type("text/plain")
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
