"""The HTTP API over real HTTP: answers, errors that say what is wrong, limits, and a worker that keeps
serving whatever it is sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("starlette", reason="the server extra is not installed: pip install -e '.[server]'")

import bouncekit
from bouncekit.model import DELIVERY_FIELDS
from bouncekit.policy import POLICY

from .conftest import shared_path
from .test_web_server import call, serving

BSD = ("corpus", "bounces", "maildir", "bsd")
POSTFIX_USERUNKNOWN = (*BSD, "lhost-postfix-04.eml")
STATIC = Path(bouncekit.__file__).parent / "web" / "static"
JSON = {"Content-Type": "application/json"}
RFC822 = {"Content-Type": "message/rfc822"}


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serving() as url:
        yield url


def as_json(value: object) -> object:
    """What *value* looks like after a trip through JSON (tuples become lists)."""
    return json.loads(json.dumps(value))


def multipart(files: list[tuple[str, bytes]], boundary: str = "test-boundary") -> tuple[bytes, dict[str, str]]:
    body = b""
    for name, data in files:
        body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
                 "Content-Type: message/rfc822\r\n\r\n").encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# --- codes ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "lang"), [("5.1.1", "bg"), ("550", "ru"), ("4.7.26", "en"), ("5.7.999", "bg")])
def test_codes_explains_a_code_in_the_chosen_language(live_url: str, code: str, lang: str) -> None:
    answer = call(live_url, "GET", f"/v1/codes/{code}?lang={lang}")
    assert answer.status == 200
    assert answer.json() == as_json(bouncekit.explain(code, lang=lang).to_dict())


@pytest.mark.parametrize("line", [
    "550 5.1.1 <a/b@example.com>: Recipient address rejected: User unknown",
    "550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 User unknown",
])
def test_codes_reads_a_whole_reply_line_with_slashes_and_line_breaks(live_url: str, line: str) -> None:
    answer = call(live_url, "GET", "/v1/codes/" + quote(line, safe=""))
    result = answer.json()
    assert [c["code"] for c in result["codes"]] == ["550", "5.1.1"]
    assert result["verdict"]["reason"] == "userunknown"
    assert result["verdict"]["hard_bounce"] is True


@pytest.mark.parametrize(("accept_language", "lang"), [
    ("bg-BG,bg;q=0.9,en;q=0.8", "bg"),
    ("fr-FR, ru;q=0.5, en;q=0.4", "ru"),
    ("de, fr", "en"),
    ("", "en"),
    ("en;q=0.1, bg;q=bogus, ru;q=0.2", "ru"),
])
def test_codes_language_defaults_to_the_best_of_accept_language(live_url: str, accept_language: str,
                                                                lang: str) -> None:
    answer = call(live_url, "GET", "/v1/codes/5.1.1", headers={"Accept-Language": accept_language})
    assert answer.json()["lang"] == lang


@pytest.mark.parametrize(("path", "says"), [
    ("/v1/codes/6.1.1", "6.1.1"),
    ("/v1/codes/5.1.1234", "three digits"),
    ("/v1/codes/hello", "not a reply code"),
    ("/v1/codes/5.1.1?lang=de", "unknown language 'de'"),
    ("/v1/codes/5.1.1?lang=", "unknown language ''"),
    ("/v1/codes/" + "5" * 3000, "at most 2000"),
])
def test_codes_answers_422_saying_what_is_wrong(live_url: str, path: str, says: str) -> None:
    answer = call(live_url, "GET", path)
    assert answer.status == 422
    assert says in answer.json()["error"]


# --- replies ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "reason", "hard"), [
    ("550 5.1.1 <x@example.com>: Recipient address rejected: User unknown", "userunknown", True),
    ("452 4.2.2 The email account that you tried to reach is over quota", "mailboxfull", False),
    ("554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", "blocked", False),
])
def test_replies_classifies_one_reply(live_url: str, text: str, reason: str, hard: bool) -> None:
    answer = call(live_url, "POST", "/v1/replies", json.dumps({"text": text}).encode(), JSON)
    assert answer.status == 200
    result = answer.json()
    assert result["reply"] == as_json(bouncekit.parse_reply(text).to_dict())
    assert (result["record"]["reason"], result["record"]["hard_bounce"]) == (reason, hard)


def test_replies_answers_a_list_with_a_list_in_the_same_order(live_url: str) -> None:
    texts = ["452 4.2.2 Mailbox full", "550 5.1.1 User unknown", "421 4.7.0 Try again later"]
    answer = call(live_url, "POST", "/v1/replies", json.dumps([{"text": t} for t in texts]).encode(), JSON)
    assert [r["record"]["status"] for r in answer.json()] == ["4.2.2", "5.1.1", "4.7.0"]


@pytest.mark.parametrize(("body", "headers", "status", "says"), [
    (b"{", JSON, 400, "not valid JSON"),
    (b"\xc3\x28", JSON, 400, "not UTF-8"),
    (b"[" * 100_000, JSON, 400, "not valid JSON"),
    (b"[]", JSON, 422, "the list is empty"),
    (b'{"txt": "550"}', JSON, 422, '"text" field'),
    (b'[{"text": "550 5.1.1 x"}, 5]', JSON, 422, "item 1:"),
    (b'{"text": 550}', JSON, 422, "must be a string"),
    (b'{"text": "  \\n "}', JSON, 422, "is empty"),
    (json.dumps([{"text": "550"}] * 1001).encode(), JSON, 422, "at most 1000"),
    (b"550 5.1.1 User unknown", {"Content-Type": "text/plain"}, 415, "application/json"),
])
def test_replies_refuses_a_malformed_body_saying_what_is_wrong(live_url: str, body: bytes, headers: dict[str, str],
                                                               status: int, says: str) -> None:
    answer = call(live_url, "POST", "/v1/replies", body, headers)
    assert answer.status == status
    assert says in answer.json()["error"]


# --- messages ---------------------------------------------------------------------------------

def _essentials(records: list[dict[str, object]]) -> list[tuple[object, ...]]:
    return [(r["recipient"], r["status"], r["reason"], r["hard_bounce"]) for r in records]


def test_messages_reads_a_raw_email_as_the_engine_does(live_url: str) -> None:
    data = shared_path(*POSTFIX_USERUNKNOWN).read_bytes()
    answer = call(live_url, "POST", "/v1/messages", data, RFC822)
    assert answer.status == 200
    result = answer.json()
    assert result["messages"] == 1 and result["problems"] == []
    assert result["records"] == as_json([r.to_dict() for r in bouncekit.parse_message(data, "body")])
    assert _essentials(result["records"]) == [("kijitora@example.co.jp", "5.1.1", "userunknown", True)]


def test_messages_reads_every_file_and_every_mbox_message_of_an_upload(live_url: str) -> None:
    bounce = shared_path(*POSTFIX_USERUNKNOWN).read_bytes()
    mbox = b"From MAILER-DAEMON Mon May 24 19:06:50 2010\n" + bounce.replace(b"\r\n", b"\n") + b"\n"
    body, headers = multipart([("one.eml", bounce), ("two.mbox", mbox + mbox)])
    result = call(live_url, "POST", "/v1/messages", body, headers).json()
    assert result["messages"] == 3
    assert [(r["source"], r["message_index"]) for r in result["records"]] == [("one.eml", 0), ("two.mbox", 0),
                                                                               ("two.mbox", 1)]
    assert {r["reason"] for r in result["records"]} == {"userunknown"}


def test_messages_gives_no_record_for_a_message_that_is_not_a_bounce(live_url: str) -> None:
    mail = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: lunch\r\n\r\nSee you at noon.\r\n"
    answer = call(live_url, "POST", "/v1/messages", mail, RFC822)
    assert (answer.status, answer.json()["records"]) == (200, [])


@pytest.mark.parametrize(("body", "headers", "status", "says"), [
    (b"", RFC822, 422, "the body is empty"),
    (b" \r\n", RFC822, 422, "the body is empty"),
    (b'{"a": 1}', JSON, 415, "message/rfc822"),
    (b"--x--\r\n", {"Content-Type": "multipart/form-data"}, 400, "boundary"),
    (b"--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nb\r\n--x--\r\n",
     {"Content-Type": "multipart/form-data; boundary=x"}, 422, "no file part"),
])
def test_messages_refuses_a_malformed_body_saying_what_is_wrong(live_url: str, body: bytes, headers: dict[str, str],
                                                                status: int, says: str) -> None:
    answer = call(live_url, "POST", "/v1/messages", body, headers)
    assert answer.status == status
    assert says in answer.json()["error"]


# --- logs -------------------------------------------------------------------------------------

def test_logs_reads_log_lines(live_url: str) -> None:
    line = ("Jan  2 03:04:05 mx postfix/smtp[123]: 4F2A81C0: to=<x@example.com>, relay=mx.example.com[192.0.2.1]:25, "
            "delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (host mx.example.com[192.0.2.1] said: 550 5.1.1 "
            "<x@example.com>: Recipient address rejected: User unknown (in reply to RCPT TO command))")
    answer = call(live_url, "POST", "/v1/logs", line.encode(), {"Content-Type": "text/plain"})
    assert answer.status == 200
    assert [(r["recipient"], r["reason"]) for r in answer.json()["records"]] == [("x@example.com", "userunknown")]


# --- limits and hostile input -----------------------------------------------------------------

def test_a_declared_body_over_the_limit_gets_413_before_it_is_read() -> None:
    with serving(max_body=1000) as url:
        answer = call(url, "POST", "/v1/messages", b"x" * 1001, RFC822)
        assert answer.status == 413
        assert "limit of 1000 bytes" in answer.json()["error"]
        assert call(url, "GET", "/healthz").status == 200


@pytest.mark.parametrize("path", ["/v1/messages", "/v1/replies"])
def test_a_chunked_body_over_the_limit_gets_413(path: str) -> None:
    with serving(max_body=1000) as url:
        answer = call(url, "POST", path, headers=RFC822 if "messages" in path else JSON, chunks=[b"y" * 600] * 3)
        assert answer.status == 413
        assert call(url, "GET", "/healthz").status == 200


def test_an_upload_over_the_limit_gets_413() -> None:
    with serving(max_body=5000) as url:
        body, headers = multipart([("big.eml", b"z" * 6000)])
        assert call(url, "POST", "/v1/messages", body, headers).status == 413


def test_a_request_over_its_time_budget_gets_503_and_the_worker_keeps_serving() -> None:
    with serving(time_budget=1e-6) as url:
        answer = call(url, "POST", "/v1/messages", shared_path(*POSTFIX_USERUNKNOWN).read_bytes(), RFC822)
        assert answer.status == 503
        assert "time budget" in answer.json()["error"]
        assert answer.headers["retry-after"]
        assert call(url, "GET", "/healthz").status == 200


def _nested_multipart(depth: int) -> bytes:
    body = b"text/plain\r\n\r\nx\r\n"
    for level in range(depth):
        body = (f'multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\nContent-Type: ').encode() + body + \
            f"--b{level}--\r\n".encode()
    return b"From: x@example.com\r\nSubject: Undelivered Mail\r\nContent-Type: " + body


HOSTILE = [
    ("/v1/messages", RFC822, bytes(range(256)) * 64),
    ("/v1/messages", RFC822, b"Subject: " + b"A" * 2_000_000 + b"\r\n\r\nbody"),
    ("/v1/messages", RFC822, b"X-" + b"a: b\r\n X-" * 100_000 + b"\r\n\r\n"),
    ("/v1/messages", RFC822, _nested_multipart(500)),
    ("/v1/messages", RFC822, b"Content-Type: multipart/report; boundary=\"\"\r\n\r\n--\r\n--\r\n" * 1000),
    ("/v1/messages", RFC822, b"From \n" * 50_000),
    ("/v1/messages", RFC822, b"\x00" * 100_000),
    ("/v1/messages", RFC822, b"Subject: =?utf-8?b?" + b"\xc3(" * 10_000 + b"?=\r\n\r\n550 5.1.1"),
    ("/v1/replies", JSON, json.dumps({"text": "550 " + "5.1.1 " * 200_000}).encode()),
    ("/v1/replies", JSON, json.dumps({"text": "550-x\n" * 50_000, "n": 1e308}).encode()),
    ("/v1/replies", JSON, b'{"text": "\\ud800\\udfff\\u0000 550"}'),
    ("/v1/replies", JSON, b"1e999999"),
    ("/v1/replies", JSON, b'"550 5.1.1"'),
    ("/v1/replies", JSON, b"{" * 50_000 + b"}" * 50_000),
]


@pytest.mark.parametrize(("path", "headers", "body"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_bodies_get_an_answer_below_500_and_the_worker_keeps_serving(live_url: str, path: str,
                                                                              headers: dict[str, str],
                                                                              body: bytes) -> None:
    answer = call(live_url, "POST", path, body, headers)
    assert answer.status < 500, answer.body[:300]
    assert "error" in answer.json() or answer.status == 200
    assert call(live_url, "GET", "/healthz").status == 200


def test_an_unknown_path_answers_404_as_json(live_url: str) -> None:
    answer = call(live_url, "GET", "/v2/nothing")
    assert answer.status == 404
    assert answer.json()["error"]


# --- the document and the page ----------------------------------------------------------------

def test_openapi_document_describes_the_delivery_record_field_by_field(live_url: str) -> None:
    document = call(live_url, "GET", "/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) >= {"/healthz", "/v1/codes/{code}", "/v1/replies", "/v1/messages"}
    assert tuple(document["components"]["schemas"]["Delivery"]["properties"]) == DELIVERY_FIELDS


def test_openapi_document_references_only_schemas_it_defines(live_url: str) -> None:
    document = call(live_url, "GET", "/openapi.json").json()
    refs = set(re.findall(r'"#/components/schemas/(\w+)"', json.dumps(document)))
    assert refs <= set(document["components"]["schemas"])


def test_the_page_is_served_with_a_policy_that_allows_nothing_from_elsewhere(live_url: str) -> None:
    answer = call(live_url, "GET", "/")
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in answer.headers["content-security-policy"]


@pytest.mark.parametrize("asset", sorted(p.name for p in STATIC.iterdir()))
def test_page_assets_are_served_and_load_nothing_from_another_host(live_url: str, asset: str) -> None:
    answer = call(live_url, "GET", f"/assets/{asset}")
    assert answer.status == 200
    assert re.search(rb"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", answer.body) is None


def test_page_strings_cover_every_language_reason_fault_and_advice(live_url: str) -> None:
    strings = call(live_url, "GET", "/ui/strings.json").json()
    assert set(strings) == {"en", "ru", "bg"}
    assert set(strings["en"]) == set(strings["ru"]) == set(strings["bg"])
    for reason, (fault, advice) in POLICY.items():
        assert {f"reason.{reason}", f"fault.{fault}", f"advice.{advice}"} <= set(strings["bg"])
