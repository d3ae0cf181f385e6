"""`bouncekit parse` as a user runs it: files, mbox, Maildir, stdin, --jobs, --summary, exit codes,
a broken message in the middle of a run, and Ctrl-C leaving only whole records."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bouncekit import engine
from bouncekit.commands import parse as parse_command
from bouncekit.commands._workers import Workers
from bouncekit.io import SINKS, Item, iter_inputs

from .conftest import shared_path


def dsn(recipient: str, status: str, diagnostic: str) -> bytes:
    """A minimal RFC 3464 delivery status notification, as Postfix writes them."""
    return f"""\
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: sender@example.org
Subject: Undelivered Mail Returned to Sender
Date: Mon, 2 Nov 2026 10:00:00 +0000
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B1"

--B1
Content-Type: text/plain

I'm sorry to have to inform you that your message could not be delivered.

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--B1--
""".encode()


UNKNOWN = dsn("nobody@example.net", "5.1.1", "550 5.1.1 <nobody@example.net>: Recipient address rejected: "
                                                "User unknown")
FULL = dsn("full@example.net", "4.2.2", "452 4.2.2 Mailbox full")
BROKEN = b"\x00\xff\xfe garbage \x00 Content-Type: multipart/report; boundary=\n\n--\n\x00\n"


def mbox_of(*messages: bytes) -> bytes:
    return b"".join(b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + m + b"\n" for m in messages)


def bouncekit(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bouncekit.cli", "parse", *args], input=stdin,
                          capture_output=True, timeout=120)


def records(stdout: bytes) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.decode().splitlines()]


def test_a_file_gives_a_record_per_recipient_and_exit_0(tmp_path: Path) -> None:
    (tmp_path / "a.eml").write_bytes(UNKNOWN)
    done = bouncekit(str(tmp_path / "a.eml"))
    assert done.returncode == 0
    assert [(r["recipient"], r["status"], r["message_index"]) for r in records(done.stdout)] == [
        ("nobody@example.net", "5.1.1", 0)]


@pytest.mark.parametrize("data,expected", [
    (UNKNOWN, [("-", 0, "nobody@example.net")]),
    (mbox_of(UNKNOWN, FULL), [("-", 0, "nobody@example.net"), ("-", 1, "full@example.net")]),
])
def test_stdin_is_read_as_one_message_or_as_an_mbox(data: bytes, expected: list[tuple[str, int, str]]) -> None:
    done = bouncekit("-", stdin=data)
    assert done.returncode == 0
    assert [(r["source"], r["message_index"], r["recipient"]) for r in records(done.stdout)] == expected


def test_a_maildir_is_read_from_cur_and_new_but_not_tmp(tmp_path: Path) -> None:
    for sub, data in (("cur", UNKNOWN), ("new", FULL), ("tmp", UNKNOWN)):
        (tmp_path / "Maildir" / sub).mkdir(parents=True)
        (tmp_path / "Maildir" / sub / "1.eml").write_bytes(data)
    done = bouncekit(str(tmp_path / "Maildir"))
    assert [Path(str(r["source"])).parent.name for r in records(done.stdout)] == ["cur", "new"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_broken_message_inside_an_mbox_does_not_stop_the_run(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "box").write_bytes(mbox_of(UNKNOWN, BROKEN, FULL))
    done = bouncekit("--jobs", jobs, str(tmp_path / "box"))
    assert done.returncode == 0
    assert [(r["message_index"], r["recipient"]) for r in records(done.stdout)] == [
        (0, "nobody@example.net"), (2, "full@example.net")]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_unreadable_inputs_are_reported_with_their_path_and_exit_1(tmp_path: Path, jobs: str) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "a.eml").write_bytes(UNKNOWN)
    (tmp_path / "d" / "b.eml").symlink_to(tmp_path / "gone")
    (tmp_path / "d" / "c.eml").write_bytes(FULL)
    done = bouncekit("--jobs", jobs, str(tmp_path / "d"), str(tmp_path / "missing.mbox"))
    assert done.returncode == 1
    assert [r["recipient"] for r in records(done.stdout)] == ["nobody@example.net", "full@example.net"]
    stderr = done.stderr.decode()
    assert f"{tmp_path / 'd' / 'b.eml'}: No such file or directory" in stderr
    assert f"{tmp_path / 'missing.mbox'}: no such file or directory" in stderr


@pytest.mark.parametrize("argv", [["--jobs", "0", "x"], ["--jobs", "many", "x"], ["--format", "xml", "x"], []])
def test_bad_arguments_exit_2(argv: list[str]) -> None:
    assert bouncekit(*argv).returncode == 2


def test_jobs_2_writes_the_same_records_in_the_same_order_as_one_job() -> None:
    corpus = str(shared_path("corpus", "bounces", "maildir"))
    one, two = bouncekit("--jobs", "1", corpus), bouncekit("--jobs", "2", corpus)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    assert len(records(one.stdout)) > 100


def test_messages_and_results_larger_than_a_pipe_pass_between_workers_whole() -> None:
    # From stdin the main process sends the messages themselves: each here is several times what a pipe
    # holds (64 KiB), and so is each batch of results (a long diagnostic per record).
    long = dsn("nobody@example.net", "5.1.1", "550 5.1.1 user unknown " + "x " * 2000)
    data = mbox_of(*[long + b"\n" + b"y" * (200_000 if i % 10 == 0 else 0) + b"\n" for i in range(200)])
    one, two = bouncekit("--jobs", "1", "-", stdin=data), bouncekit("--jobs", "2", "-", stdin=data)
    assert one.returncode == two.returncode == 0
    assert one.stdout == two.stdout
    assert [r["message_index"] for r in records(two.stdout)] == list(range(200))
    assert max(map(len, one.stdout.splitlines())) * parse_command.BATCH_MESSAGES > 1 << 16


def test_summary_goes_to_stderr_and_leaves_stdout_as_json_lines(tmp_path: Path) -> None:
    (tmp_path / "box").write_bytes(mbox_of(UNKNOWN, FULL, UNKNOWN))
    done = bouncekit("--summary", str(tmp_path / "box"))
    assert len(records(done.stdout)) == 3
    stderr = done.stderr.decode()
    assert stderr.startswith("3 messages, 3 records, 0 problems")
    for title in ("reason", "hard/soft", "fault", "decoded_by"):
        assert f"\n{title} " in stderr
    assert "\nuserunknown " in stderr


def on_a_terminal(*args: str, stdin: bytes = b"") -> tuple[bytes, bytes]:
    """`bouncekit parse *args*` with stderr on a pseudo-terminal: (stdout, what the terminal showed)."""
    controller, terminal = os.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "bouncekit.cli", "parse", *args], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=terminal)
    finally:
        os.close(terminal)
    stdout, _ = proc.communicate(stdin, timeout=120)
    shown = b""
    while True:
        try:  # (once the process has exited and all is read, Linux says EIO)
            chunk = os.read(controller, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(controller)
    assert proc.returncode == 0
    return stdout, shown


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_on_a_terminal_progress_shows_messages_rate_and_eta_then_clears(tmp_path: Path, jobs: str) -> None:
    # long enough a run to be shown (a run shorter than PROGRESS_INTERVAL shows nothing)
    (tmp_path / "box").write_bytes(mbox_of(*[UNKNOWN, FULL] * 3000))
    stdout, shown = on_a_terminal("--jobs", jobs, str(tmp_path / "box"))
    assert len(records(stdout)) == 6000  # the progress never reaches stdout
    lines = shown.decode().split("\r\x1b[K")
    drawn = [line for line in lines if line]
    assert drawn, shown
    for line in drawn:
        # the size of a file is known: a share done and the time left
        assert re.fullmatch(r"[\d,]+ messages  [\d,]+/s  +\d+%  ETA \d+:\d\d:\d\d", line), line
    assert lines[-1] == ""  # the line is cleared at the end


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_progress_from_stdin_has_no_eta_and_none_is_drawn_off_a_terminal() -> None:
    data = mbox_of(*[UNKNOWN, FULL] * 2000)
    _, shown = on_a_terminal("--jobs", "1", "-", stdin=data)
    drawn = [line for line in shown.decode().split("\r\x1b[K") if line]
    assert drawn and all(re.fullmatch(r"[\d,]+ messages  [\d,]+/s", line) for line in drawn), shown
    piped = bouncekit("--jobs", "1", "-", stdin=data)
    assert piped.returncode == 0 and piped.stderr == b""


def test_a_message_that_raises_is_reported_and_the_batch_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    real = engine.parse_message

    def flaky(data: bytes | str, source: str = "", index: int = 0) -> list:  # type: ignore[type-arg]
        if index == 1:
            raise RecursionError("deep")
        return real(data, source, index)

    monkeypatch.setattr(engine, "parse_message", flaky)  # parse_batch imports it from there
    result = parse_command.parse_batch([Item("box", i, m) for i, m in enumerate((UNKNOWN, FULL, UNKNOWN))],
                                       "jsonl", True)
    assert result.messages == 3
    assert result.problems == ["box (message 1): cannot parse: RecursionError('deep')"]
    assert [json.loads(e)["message_index"] for e in result.encoded] == [0, 2]
    assert [t[0] for t in result.tallies] == ["userunknown", "userunknown"]


def test_a_message_that_kills_its_worker_is_reported_and_the_rest_is_written_in_order(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = engine.parse_message

    def deadly(data: bytes | str, source: str = "", index: int = 0) -> list:  # type: ignore[type-arg]
        if index == 7:
            os._exit(9)  # as a crash in C or the out-of-memory killer would end it
        return real(data, source, index)

    monkeypatch.setattr(engine, "parse_message", deadly)  # the forked workers have it too
    monkeypatch.setattr(parse_command, "BATCH_MESSAGES", 4)
    (tmp_path / "box").write_bytes(mbox_of(*[UNKNOWN, FULL] * 10))
    out = io.StringIO()
    writer = parse_command.Writer(SINKS["jsonl"](out), None)
    Workers(2, writer, "jsonl", False).run(parse_command._batches(iter_inputs([str(tmp_path / "box")], regions=True)))
    assert [json.loads(line)["message_index"] for line in out.getvalue().splitlines()] == [
        i for i in range(20) if i != 7]
    assert writer.failed == 1
    assert f"{tmp_path / 'box'} (message 7): cannot parse: the worker process died" in capsys.readouterr().err


@pytest.mark.parametrize("stream", [False, True])
def test_an_error_while_reading_for_the_workers_is_raised_after_what_was_read(stream: bool) -> None:
    def batches() -> Iterator[list[parse_command.Entry]]:
        yield [Item("-", 0, UNKNOWN)]
        raise OSError("the disk is on fire")

    out = io.StringIO()
    writer = parse_command.Writer(SINKS["jsonl"](out), None)
    with pytest.raises(OSError, match="on fire"):
        Workers(2, writer, "jsonl", False).run(batches(), stream=stream)
    assert [json.loads(line)["recipient"] for line in out.getvalue().splitlines()] == ["nobody@example.net"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_stops_cleanly_with_only_whole_records_written(jobs: str) -> None:
    proc = subprocess.Popen([sys.executable, "-m", "bouncekit.cli", "parse", "--jobs", jobs, "-"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    # An mbox that keeps coming: records appear as messages arrive; the pipe stays open.
    proc.stdin.write(mbox_of(*[UNKNOWN, FULL] * 60) + b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n")
    proc.stdin.flush()
    first = proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    rest = proc.stdout.read()  # from the same buffered reader as the first line
    stderr = proc.stderr.read() if proc.stderr else b""
    proc.stdin.close()
    assert proc.wait(timeout=60) == 130
    assert b"interrupted" in stderr and b"Traceback" not in stderr
    assert len(records(first + rest)) >= 1  # every line is a whole JSON record
