"""The fast MIME splitter builds exactly the stdlib's compat32 tree, and so exactly the same MessageView."""

from __future__ import annotations

import email.message
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bouncekit.message import MessageView, _FastSplitter, _Unusual, parse_stdlib, parse_tree, read_message

from .conftest import shared_path


def tree(msg: email.message.Message) -> Any:
    """Everything of a compat32 message the parser sets, nested parts included."""
    payload = msg._payload
    return (msg._unixfrom, msg._headers, msg._default_type, msg.preamble, msg.epilogue,
            [tree(p) for p in payload] if isinstance(payload, list) else payload)


def fast_tree(data: bytes) -> email.message.Message:
    return _FastSplitter(data.decode("ascii", errors="surrogateescape")).parse()


def view_fields(view: MessageView) -> Any:
    attached = view.attached.as_bytes() if view.attached is not None else None
    return (view.headers, view.header_list, view.parts, view.reports, view.original, attached, view.body_text)


def corpus_files() -> list[bytes]:
    root = shared_path("corpus", "bounces", "maildir")
    return [p.read_bytes().replace(b"\r\n", b"\n").replace(b"\r", b"\n")
            for p in sorted(root.rglob("*")) if p.is_file() and not p.name.startswith(".")]


def test_fast_tree_equals_stdlib_tree_on_every_corpus_message() -> None:
    files = corpus_files()
    assert [i for i, data in enumerate(files) if tree(fast_tree(data)) != tree(parse_stdlib(data))] == []


def test_view_equals_stdlib_view_on_every_corpus_message(monkeypatch: pytest.MonkeyPatch) -> None:
    files = corpus_files()
    fast = [view_fields(read_message(data)) for data in files]
    monkeypatch.setattr("bouncekit.message.parse_tree", parse_stdlib)
    assert [i for i, data in enumerate(files) if view_fields(read_message(data)) != fast[i]] == []


MULTI = b"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\n\n"
TRICKY = [
    pytest.param(b"Subject: plain\n\nbody\n", id="plain"),
    pytest.param(b"Subject: no body", id="headers-only-no-newline"),
    pytest.param(b"Subject: x\nbody without blank line\n", id="no-blank-line-after-headers"),
    pytest.param(b" folded first\nSubject: x\n\nb\n", id="continuation-before-first-field"),
    pytest.param(b"From MAILER-DAEMON Thu Jan 1\nSubject: x\n\nb\n", id="envelope-line"),
    pytest.param(b":no name\nSubject: x\n  folded\n\tagain\n\nb\n", id="nameless-field-and-folds"),
    pytest.param(b"Subject: =?utf-8?B?w6k=?=\nX-Raw: caf\xc3\xa9\n\nb\xff\n", id="encoded-word-and-8bit"),
    pytest.param(MULTI + b"preamble\n--B\nContent-Type: text/plain\n\nhello\n--B\nContent-Type: message/delivery-status"
                 b"\n\nReporting-MTA: dns; a\n\nFinal-Recipient: rfc822; u@x\nStatus: 5.1.1\nrun-on line\n\n\n"
                 b"Action: failed\n--B\nContent-Type: message/rfc822\n\nSubject: orig\n\nbody\n--B--\nepilogue\n",
                 id="report-with-blocks-and-rfc822"),
    pytest.param(MULTI + b"--B\n--B\n\ntwice\n--B  \n\nblank-trailing\n--B--x\nnot a delimiter\n--B-- \n",
                 id="repeated-and-near-delimiters"),
    pytest.param(MULTI + b"--B\nContent-Type: multipart/alternative; boundary=C\n\n--C\n\ninner\n--B\n\nouter\n--B--",
                 id="inner-close-missing-outer-ends-it"),
    pytest.param(MULTI + b"--B\nContent-Type: multipart/mixed; boundary=C\n\n--C\n\ni\n--C--\n\nep\n--B--\n",
                 id="nested-with-epilogue"),
    pytest.param(MULTI + b"no delimiter at all\n", id="start-boundary-missing"),
    pytest.param(MULTI + b"--B\n\nunterminated\n", id="close-boundary-missing"),
    pytest.param(b"Content-Type: multipart/mixed\n\nno boundary parameter\n", id="multipart-without-boundary"),
    pytest.param(b"Content-Type: multipart/digest; boundary=D\n\n--D\n\nSubject: in digest\n\nx\n--D--\n",
                 id="digest-default-type"),
    pytest.param(b"Content-Type: message/delivery-status\n\nA: 1\n\n\nB: 2\n", id="top-level-field-blocks"),
    pytest.param(MULTI + b"--B\nContent-Transfer-Encoding: base64\n\naGVsbG8=\n--B\n"
                 b"Content-Transfer-Encoding: quoted-printable\nContent-Type: text/plain; charset=latin-1\n\n"
                 b"caf=E9=\n!\n--B--\n", id="transfer-encodings"),
    pytest.param(MULTI + b"--B\nSubject: x\nFrom someone odd\n\nb\n--B--\n", id="envelope-line-in-part"),
    pytest.param(b"Subject: x\n\nform\x0cfeed\n", id="other-line-break"),
]


@pytest.mark.parametrize("data", TRICKY)
def test_parse_tree_equals_stdlib_tree(data: bytes) -> None:
    assert tree(parse_tree(data)) == tree(parse_stdlib(data))


@pytest.mark.parametrize("data", [p for p in TRICKY if p.id not in ("envelope-line-in-part", "other-line-break")])
def test_fast_splitter_reads_tricky_message_itself(data: bytes) -> None:
    assert tree(fast_tree(data)) == tree(parse_stdlib(data))


def test_unusual_message_is_left_to_the_stdlib() -> None:
    with pytest.raises(_Unusual):
        fast_tree(MULTI + b"--B\nSubject: x\nFrom someone odd\n\nb\n--B--\n")


def test_deep_nesting_keeps_the_stdlib_recursion_fallback() -> None:
    data = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (i, i) for i in range(3000))
    view = read_message(data)
    assert [p.content_type for p in view.parts] == ["text/plain"]


FRAGMENTS = [b"--B\n", b"--B--\n", b"--B \n", b"--C\n", b"--C--\n", b"\n", b"\n\n", b"Subject: s\n", b" fold\n",
             b"Content-Type: multipart/mixed; boundary=C\n", b"Content-Type: message/rfc822\n",
             b"Content-Type: message/delivery-status\n", b"Content-Type: multipart/digest; boundary=C\n",
             b"Content-Transfer-Encoding: base64\n", b"aGk=\n", b"text line\n", b"From x\n", b":\n", b"--B",
             b"Status: 5.1.1\n", b"caf\xc3\xa9\n", b"=E9=\n"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=40))
def test_generated_messages_parse_as_the_stdlib_does(pieces: list[bytes]) -> None:
    data = MULTI + b"".join(pieces)
    assert tree(parse_tree(data)) == tree(parse_stdlib(data))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_parse_as_the_stdlib_does(data: bytes) -> None:
    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    assert tree(parse_tree(data)) == tree(parse_stdlib(data))
