"""The web service started for real: uvicorn on a loopback port, in a thread for the HTTP tests and as
the `bouncekit serve` process. Also the helpers the other test_web* modules use to talk to it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytest.importorskip("starlette", reason="the server extra is not installed: pip install -e '.[server]'")
import uvicorn

from bouncekit.web import create_app

BOUNCEKIT = Path(sys.executable).with_name("bouncekit")


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(base_url: str, method: str, path: str, body: bytes | None = None,
         headers: dict[str, str] | None = None, chunks: list[bytes] | None = None) -> Answer:
    """One HTTP request over a fresh connection; *chunks* sends the body chunked, without a length."""
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=30)
    try:
        if chunks is not None:
            conn.putrequest(method, path)
            for name, value in (headers or {}).items():
                conn.putheader(name, value)
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            try:
                for chunk in chunks:
                    conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                conn.send(b"0\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server answered (413) before the whole body was sent
        else:
            conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read())
    finally:
        conn.close()


@contextmanager
def serving(**limits: Any) -> Iterator[str]:
    """create_app(**limits) served by uvicorn in a thread on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(**limits), log_level="warning", http="h11"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


@pytest.fixture(scope="module")
def live_url() -> Iterator[str]:
    with serving() as url:
        yield url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_healthz_answers_ok(live_url: str) -> None:
    answer = call(live_url, "GET", "/healthz")
    assert answer.status == 200
    assert answer.json()["status"] == "ok"


def test_bouncekit_serve_brings_the_page_and_the_api_up() -> None:
    if not BOUNCEKIT.exists():
        pytest.skip(f"needs the installed command at {BOUNCEKIT}")
    port = _free_port()
    process = subprocess.Popen([str(BOUNCEKIT), "serve", "--host", "127.0.0.1", "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "NO_COLOR": "1"})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                answer = call(url, "GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert answer.status == 200
        page = call(url, "GET", "/")
        assert page.status == 200 and b"bouncekit" in page.body
        assert call(url, "GET", "/v1/codes/550").json()["codes"][0]["code"] == "550"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


@pytest.mark.parametrize("flag", ["--max-body-mb=0", "--time-budget=-1", "--time-budget=abc"])
def test_bouncekit_serve_refuses_a_limit_that_is_not_positive(flag: str) -> None:
    if not BOUNCEKIT.exists():
        pytest.skip(f"needs the installed command at {BOUNCEKIT}")
    done = subprocess.run([str(BOUNCEKIT), "serve", flag], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert flag.split("=")[0] in done.stderr
