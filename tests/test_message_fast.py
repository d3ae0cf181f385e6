"""The fast reader (our splitter's nodes) gives exactly the view that the stdlib's compat32 tree gives."""

from __future__ import annotations

import email.message
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncekit.message import (
    MAX_DECODED_FIELD,
    MessageView,
    StdlibMessage,
    _charset,
    _Node,
    _param,
    _read_as_plain_text,
    _Splitter,
    _Unusual,
    parse_stdlib,
    read_fast,
    read_message,
    read_with_stdlib,
)

from .conftest import shared_path


def view_fields(view: MessageView) -> Any:
    """Everything of a view the decoders can see (the headers' order included)."""
    return (view.headers, list(view.headers), view.header_list, view.parts, view.reports, view.original,
            view.attached, view.body_text)


def node_tree(node: _Node) -> Any:
    payload = node.payload
    return (node.fields, node.content_type, [node_tree(p) for p in payload] if isinstance(payload, list) else payload)


def stdlib_tree(msg: email.message.Message) -> Any:
    """What the splitter copies of a compat32 message: fields (made str), content type, payload."""
    payload = msg._payload
    return ([(k, str(v)) for k, v in msg.items()], msg.get_content_type(),
            [stdlib_tree(p) for p in payload] if isinstance(payload, list) else payload)


def split(data: bytes) -> _Node:
    return _Splitter(data.decode("ascii", errors="surrogateescape")).parse()


def outcome(read: Callable[[bytes], MessageView], data: bytes) -> Any:
    """The view's fields, or the error: the stdlib fails on a few malformed RFC 2231 parameters."""
    try:
        return view_fields(read(data))
    except TypeError as exc:
        return repr(exc)


def assert_same_as_stdlib(data: bytes) -> None:
    """read_message (fast, or the stdlib when the splitter declines) gives the stdlib's view, and the
    splitter, when it reads the message, the stdlib's tree."""
    normalized = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    reference = outcome(read_with_stdlib, normalized)
    if isinstance(reference, str):  # the stdlib failed: read_message reads it as plain text instead
        reference = view_fields(_read_as_plain_text(normalized))
    assert view_fields(read_message(data)) == reference
    try:
        tree = node_tree(split(normalized))
    except _Unusual:
        return
    except TypeError as exc:
        tree = repr(exc)
    try:
        stdlib = stdlib_tree(parse_stdlib(normalized))
    except TypeError as exc:
        stdlib = repr(exc)
    assert tree == stdlib


@pytest.mark.parametrize("data", [
    b"Content-Type: text/plain; charset*=utf-8''utf-8\n\ncaf\xc3\xa9\n",
    b"Content-Type: application/x; name*=a; name*0=b\n\nx\n",
    b"Content-Type: multipart/mixed; boundary=B\n\n--B\nContent-Type: text/plain; name*=a; name*0=b\n\nx\n--B--\n",
])
def test_parameters_the_stdlib_cannot_decode_leave_a_plain_text_view(data: bytes) -> None:
    with pytest.raises(TypeError):
        read_with_stdlib(data)
    view = read_message(data)
    assert view.body_text.strip()


def corpus_files() -> list[bytes]:
    root = shared_path("corpus", "bounces", "maildir")
    return [p.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def test_fast_view_equals_stdlib_view_on_every_corpus_message() -> None:
    files = corpus_files()  # read_fast: the splitter must read every one itself
    assert [i for i, data in enumerate(files)
            if view_fields(read_fast(data)) != view_fields(read_with_stdlib(data))] == []


def test_fast_tree_equals_stdlib_tree_on_every_corpus_message() -> None:
    files = corpus_files()
    assert [i for i, data in enumerate(files) if node_tree(split(data)) != stdlib_tree(parse_stdlib(data))] == []


@pytest.mark.parametrize("line_end", [b"\r\n", b"\r"])
def test_every_corpus_message_reads_alike_with_other_line_ends(line_end: bytes) -> None:
    files = corpus_files()
    assert [i for i, data in enumerate(files)
            if view_fields(read_message(data.replace(b"\n", line_end))) != view_fields(read_fast(data))] == []


def test_the_attached_message_is_built_on_demand_with_the_fields_the_view_shows() -> None:
    views = [view for view in map(read_message, corpus_files()) if view.attached is not None]
    assert len(views) > 100
    for view in views:
        assert view.attached is not None
        message = view.attached.message()
        assert [(k, str(v)) for k, v in message.items()] == view.attached.items()
        assert view.attached.as_bytes() == message.as_bytes()


MULTI = b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
TRICKY = [
    pytest.param(b"Subject: plain\n\nbody\n", id="plain"),
    pytest.param(b"Subject: no body", id="headers-only-no-newline"),
    pytest.param(b"\nno header at all\n", id="no-header"),
    pytest.param(b"", id="empty"),
    pytest.param(b"Subject: x\nbody without blank line\n", id="no-blank-line-after-headers"),
    pytest.param(b" folded first\nSubject: x\n\nb\n", id="continuation-before-first-field"),
    pytest.param(b"From MAILER-DAEMON Thu Jan 1 00:00:00 2026\nSubject: x\n\nb\n", id="envelope-line"),
    pytest.param(b":no name\n  its fold\nSubject: x\n  folded\n\tagain\nEmpty:\n  fold\nX:y\n\nb\n",
                 id="nameless-field-and-folds"),
    pytest.param(b"Subject: =?utf-8?B?w6k=?=\nX-Raw: caf\xc3\xa9\n\nb\xff\n", id="encoded-word-and-8bit"),
    pytest.param(MULTI + b"preamble\n--B\nContent-Type: text/plain\n\nhello\n--B\nContent-Type: message/delivery-status"
                 b"\n\nReporting-MTA: dns; a\n\nFinal-Recipient: rfc822; u@x\nStatus: 5.1.1\nrun-on line\n\n\n"
                 b"Action: failed\n--B\nContent-Type: message/rfc822\n\nSubject: orig\n\nbody\n--B--\nepilogue\n",
                 id="report-with-blocks-and-rfc822"),
    pytest.param(MULTI + b"--B\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; a\nFinal-Recipient: "
                 b"rfc822; u@x\nAction: failed\nStatus: 5.1.1\n--B--\n", id="delivery-status-without-blank-lines"),
    pytest.param(MULTI + b"--B\nContent-Type: message/delivery-status\n\nStatus: 5.1.1\nX: caf\xc3\xa9\nrun-on "
                 b"caf\xc3\xa9\n\n--B--\n", id="delivery-status-8bit-run-on"),
    pytest.param(MULTI + b"--B\nContent-Type: message/delivery-status; charset=latin-1\n\nStatus: 5.1.1\n"
                 b"run-on caf\xe9\n--B--\n", id="delivery-status-run-on-with-charset"),
    pytest.param(MULTI + b"--B\n--B\n\ntwice\n--B  \n\nblank-trailing\n--B--x\nnot a delimiter\n--B-- \n",
                 id="repeated-and-near-delimiters"),
    pytest.param(MULTI + b"--B\n--B--\n--B\n\nafter a close\n--B--\n", id="close-among-repeated-delimiters"),
    pytest.param(MULTI + b"--B\nContent-Type: multipart/alternative; boundary=C\n\n--C\n\ninner\n--B\n\nouter\n--B--",
                 id="inner-close-missing-outer-ends-it"),
    pytest.param(MULTI + b"--B\nContent-Type: multipart/mixed; boundary=C\n\n--C\n\ni\n--C--\n\nep\n--B--\n",
                 id="nested-with-epilogue"),
    pytest.param(MULTI + b"--B\nContent-Type: multipart/mixed; boundary=B\n\n--B\n\nsame boundary\n--B--\n",
                 id="nested-with-the-same-boundary"),
    pytest.param(MULTI + b"no delimiter at all\n", id="start-boundary-missing"),
    pytest.param(MULTI + b"--B\n\nunterminated\n", id="close-boundary-missing"),
    pytest.param(MULTI + b"--B--\nclosed before any part\n", id="close-before-any-part"),
    pytest.param(b"Content-Type: multipart/mixed\n\nno boundary parameter\n", id="multipart-without-boundary"),
    pytest.param(b"Content-Type: multipart/digest; boundary=D\n\n--D\n\nSubject: in digest\n\nx\n--D\n"
                 b"Content-Type: multipart/digest; boundary=E\n\n--E\n\nSubject: nested\n\ny\n--E--\n--D--\n",
                 id="nested-digests"),
    pytest.param(b"Content-Type: message/delivery-status\n\nA: 1\n\n\nB: 2\n", id="top-level-field-blocks"),
    pytest.param(b"Content-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: x\n\nrest\n",
                 id="feedback-report"),
    pytest.param(MULTI + b"--B\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--B\n"
                 b"Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain; charset=latin-1\n\n"
                 b"caf=E9=\n!\n--B--\n", id="transfer-encodings"),
    pytest.param(b"Content-Transfer-Encoding: base64\n\naGVsbG8\n", id="base64-padding-missing"),
    pytest.param(b"Content-Transfer-Encoding: BASE64\n\naGV$sbG8=\n", id="base64-bad-character"),
    pytest.param(b"Content-Transfer-Encoding: base64\n\naGVsb\n", id="base64-bad-length"),
    pytest.param(b"Content-Transfer-Encoding: base64 \n\naGVsbG8=\n", id="transfer-encoding-with-a-blank"),
    pytest.param(b"Content-Transfer-Encoding: quoted-printable\n\nbad =ZZ escape=\nsoft =3D\n", id="qp-bad-escape"),
    pytest.param(b"Content-Transfer-Encoding: x-uuencode\n\nbegin 644 f\n#86)C\n`\nend\n", id="uuencode"),
    pytest.param(b"Content-Type: text/plain; charset=x-no-such\n\ncaf\xc3\xa9\n", id="unknown-charset"),
    pytest.param(b"Content-Type: text/plain; charset\n\ncaf\xc3\xa9\n", id="bare-charset"),
    pytest.param(b"Content-Type: text/plain; charset=\"\"\n\ncaf\xc3\xa9\n", id="empty-charset"),
    pytest.param(b"Content-Type: text/plain; charset=caf\xc3\xa9\n\nx\n", id="8bit-charset"),
    pytest.param(b"Content-Type: text/plain; charset*=us-ascii''utf-8\n\ncaf\xc3\xa9\n", id="rfc2231-charset"),
    pytest.param(b"Content-Type: application/x; name*0*=utf-8''caf%C3%A9; name*1=\".txt\"\n\nx\n",
                 id="rfc2231-continued-name"),
    pytest.param(b"Content-Disposition: attachment; filename*=iso-8859-1'en'r%E9sum%E9.txt\n\nx\n",
                 id="rfc2231-filename"),
    pytest.param(b"Content-Disposition: attachment; filename*=no-such''x%41.txt; filename=plain\n\nx\n",
                 id="rfc2231-unknown-charset"),
    pytest.param(b"Content-Type: application/x; name=\"a;b\\\"c\\\\d.txt\"; x=\"<y>\"\n\nx\n", id="quoted-name"),
    pytest.param(b"Content-Type: application/x; NAME=<angle.txt>\nContent-Disposition: inline\n\nx\n",
                 id="angle-name"),
    pytest.param(b"Content-Type: multipart/mixed; boundary*0=\"B\"; boundary*1=\"x\"\n\n--Bx\n\npart\n--Bx--\n",
                 id="rfc2231-boundary"),
    pytest.param(b"Content-Type: multipart/mixed; boundary=\"B \"\n\n--B\n\npart\n--B--\n", id="boundary-blank"),
    pytest.param(b"Content-Type: multipart/mixed;\n boundary=\"folded\n B\"\n\n--B\n\npart\n--B--\n",
                 id="line-break-in-boundary"),
    pytest.param(b"Content-Type: text/plain/x\n\nx\n", id="type-with-two-slashes"),
    pytest.param(b"Content-Type: \xc3\xa9/x; charset=utf-8\n\nx\n", id="8bit-type"),
    pytest.param(b"Content-Type: text/html\nContent-type: text/plain\n\n<b>x</b>\n", id="repeated-content-type"),
    pytest.param(MULTI + b"--B\nSubject: x\nFrom someone odd\n\nb\n--B--\n", id="envelope-line-in-part"),
    pytest.param(MULTI + b"--B\nSubject: x\n--B\nContent-Type: text/html\n\n<b>\n--B--\n", id="delimiter-in-header"),
    pytest.param(MULTI + b"--B\nContent-Type: message/rfc822\n\nSubject: inner\nContent-Type: multipart/mixed; "
                 b"boundary=C\n\n--C\nContent-Type: message/delivery-status\n\nStatus: 5.0.0\n--C--\n--B--\n",
                 id="report-inside-the-attached-message"),
    pytest.param(MULTI + b"--B\nContent-Type: message/rfc822\n\n\n--B\nContent-Type: message/rfc822\n\n"
                 b"Subject: second\n\nx\n--B--\n", id="empty-attached-message-then-another"),
    pytest.param(b"Subject: x\n\nform\x0cfeed\n", id="other-line-break"),
]


@pytest.mark.parametrize("data", TRICKY)
def test_tricky_message_reads_as_with_the_stdlib(data: bytes) -> None:
    assert_same_as_stdlib(data)


_LEFT_TO_THE_STDLIB = ("envelope-line-in-part", "line-break-in-boundary", "uuencode", "rfc2231-charset",
                       "other-line-break")


@pytest.mark.parametrize("data", [p for p in TRICKY if p.id not in _LEFT_TO_THE_STDLIB])
def test_fast_reader_reads_tricky_message_itself(data: bytes) -> None:
    assert view_fields(read_fast(data)) == view_fields(read_with_stdlib(data))


@pytest.mark.parametrize("data", [p for p in TRICKY if p.id in _LEFT_TO_THE_STDLIB[:4]])
def test_unusual_message_is_left_to_the_stdlib(data: bytes) -> None:
    with pytest.raises(_Unusual):
        read_fast(data)


def test_deep_nesting_keeps_the_stdlib_recursion_fallback() -> None:
    data = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(3000))
    view = read_message(data)
    assert [p.content_type for p in view.parts] == ["text/plain"]


FRAGMENTS = [b"--B\n", b"--B--\n", b"--B \n", b"--C\n", b"--C--\n", b"\n", b"\n\n", b"Subject: s\n", b" fold\n",
             b"Content-Type: multipart/mixed; boundary=C\n", b"Content-Type: message/rfc822\n",
             b"Content-Type: message/delivery-status\n", b"Content-Type: multipart/digest; boundary=C\n",
             b"Content-Type: message/feedback-report\n", b"Content-Type: text/rfc822-headers\n",
             b"Content-Type: text/plain; charset=latin-1\n", b"Content-Type: text/plain; charset*=utf-8''x\n",
             b"Content-Disposition: attachment; filename=\"a.txt\"\n", b"Content-Type: text/html; name*=x''b%41\n",
             b"Content-Transfer-Encoding: base64\n", b"Content-Transfer-Encoding: quoted-printable\n",
             b"aGk=\n", b"aGk\n", b"=E9=\n", b"text line\n", b"From x\n", b":\n", b"--B", b"Status: 5.1.1\n",
             b"caf\xc3\xa9\n", b"X-8bit: \xe9\n"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_generated_messages_read_as_with_the_stdlib(pieces: list[bytes]) -> None:
    assert_same_as_stdlib(MULTI + b"".join(pieces))


_PARAMS = st.lists(st.sampled_from([
    "; charset=utf-8", "; CHARSET=\"ISO-8859-1\"", "; charset", "; charset=\"\"", "; charset=x-unknown",
    "; charset*=us-ascii'en'utf-8", "; charset*=bad", "; name=a.txt", "; name=\"a;b.txt\"", "; Name=\"q\\\"x\"",
    "; name*=utf-8''%C3%A9.txt", "; name*0=a; name*1=b", "; name*1*=%41; name*0*=utf-8''x", "; name=<x>",
    "; filename=f.txt", "; filename*=''%ZZ", "; boundary=B", "; x=\"unterminated", ";", "; =v", "; a=b=c",
    " ; spaced = \" v \" ", "; na\xe9me=\xe9",
]), max_size=5).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["text/plain", "TEXT/HTML", "application/octet-stream", "text", "", "message/rfc822",
                        "multipart/mixed"]), _PARAMS, _PARAMS,
       st.sampled_from([None, "base64", "Quoted-Printable", "7bit", "8bit", "binary", "x-other"]),
       st.sampled_from(["aGVsbG8=", "caf=C3=A9=\nx", "caf\xe9 =", "", "--B--"]))
def test_generated_parameters_read_as_with_the_stdlib(ctype: str, params: str, disposition: str, cte: str | None,
                                                      body: str) -> None:
    head = f"Content-Type: {ctype}{params}\nContent-Disposition: attachment{disposition}\n"
    if cte is not None:
        head += f"Content-Transfer-Encoding: {cte}\n"
    data = (head + "\n" + body + "\n").encode("latin-1")
    assert_same_as_stdlib(data)
    assert_same_as_stdlib(MULTI + b"--B\n" + data + b"--B--\n")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_read_as_with_the_stdlib(data: bytes) -> None:
    assert_same_as_stdlib(data)


def answer(ask: Callable[[], Any]) -> Any:
    try:
        return ask()
    except TypeError as exc:  # the stdlib's decode_params fails on a few RFC 2231 mixtures
        return repr(exc)


_FIELD_VALUE = st.lists(st.sampled_from([
    "text/plain", "multipart/mixed", "TEXT/x", "/", ";", " ", "\t", '"', "\\", "=", "*", "0", "1", "'", "%41", "%e9",
    "charset", "Charset", "name", "boundary", "filename", "utf-8", "x-unknown", "<", ">", "\ufffd", "é",
]), max_size=30).map("".join)


@settings(max_examples=1000, deadline=None)
@given(_FIELD_VALUE, _FIELD_VALUE)
def test_a_part_answers_as_the_compat32_message_does(content_type: str, disposition: str) -> None:
    msg = email.message.Message()
    msg["Content-Type"], msg["Content-Disposition"] = content_type, disposition
    node = _Node([("Content-Type", content_type), ("Content-Disposition", disposition)], "text/plain")
    assert node.content_type == msg.get_content_type()
    for name in ("charset", "boundary", "name", "filename"):
        assert answer(partial(_param, content_type, name)) == answer(partial(msg.get_param, name))
    assert answer(lambda: _charset(_param(content_type, "charset"))) == answer(msg.get_content_charset)
    assert answer(node.boundary) == answer(msg.get_boundary)
    assert answer(node.filename) == answer(lambda: msg.get_filename() or "")
    # the stdlib path's own Message splits parameters as the stdlib does
    ours = StdlibMessage()
    ours["Content-Type"], ours["Content-Disposition"] = content_type, disposition
    for header in ("content-type", "content-disposition"):
        assert answer(partial(ours.get_params, header=header)) == answer(partial(msg.get_params, header=header))


def test_a_quoted_parameter_full_of_semicolons_is_read_alike_by_both_paths() -> None:
    # (the stdlib's own split takes time quadratic in the ';': 100,000 of them took minutes)
    data = b'Content-Type: multipart/mixed; boundary="' + b";" * 100_000 + b'"\n\n550 5.1.1 x\n'
    assert read_fast(data) == read_with_stdlib(data)
    assert read_message(data + b"\x0c").parts  # (a form feed sends it to the stdlib path)


def test_encoded_words_are_decoded_up_to_a_field_of_max_decoded_field_characters() -> None:
    words = "=?utf-8?q?caf=C3=A9?= "
    fits = words * (MAX_DECODED_FIELD // len(words))
    assert read_message(f"Subject: {fits}\n\nx\n".encode()).header("subject").startswith("café")
    too_long = fits + words
    assert read_message(f"Subject: {too_long}\n\nx\n".encode()).header("subject") == too_long


def test_text_with_a_lone_surrogate_is_read() -> None:
    # (a part decoded as UTF-7 may hold one; formats.decode reads such text again as a message)
    assert read_message("Subject: x\n\n\ud90f 550 5.1.1\n").parts[0].text == "? 550 5.1.1\n"
