"""Sources stream messages one at a time from real files: single messages, mbox, Maildir, nested
directories; unreadable inputs become Problems with the path; sinks write well-formed documents."""

from __future__ import annotations

import csv
import io
import json
import os
import threading
from pathlib import Path

import pytest

from bouncekit import io as bio
from bouncekit.engine import parse_message
from bouncekit.io import SINKS, Item, Problem, iter_inputs
from bouncekit.model import Delivery

from .conftest import shared_path

MESSAGE_A = b"From: a@example.org\nSubject: one\n\nbody one\n"
MESSAGE_B = b"From: b@example.org\nSubject: two\n\nbody two\nFrom here on, a body line that starts with From\nend\n"
MESSAGE_C = b"From: c@example.org\nSubject: three\n\n>From quoted\n>>From twice quoted\n"


def mbox_of(*messages: bytes, newline: bytes = b"\n") -> bytes:
    entries = [b"From MAILER-DAEMON Thu Jan  1 00:00:00 2026\n" + m + b"\n" for m in messages]
    return b"".join(entries).replace(b"\n", newline)


def read(paths: list[Path | str]) -> list[Item | Problem]:
    return list(iter_inputs([str(p) for p in paths]))


def test_a_single_message_file_is_one_item(tmp_path: Path) -> None:
    (tmp_path / "one.eml").write_bytes(MESSAGE_A)
    assert read([tmp_path / "one.eml"]) == [Item(str(tmp_path / "one.eml"), 0, MESSAGE_A)]


def test_an_mbox_splits_only_at_from_lines_after_a_blank_line(tmp_path: Path) -> None:
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_A, MESSAGE_B))
    items = read([tmp_path / "box"])
    assert [(i.index, i.data) for i in items if isinstance(i, Item)] == [(0, MESSAGE_A + b"\n"), (1, MESSAGE_B + b"\n")]


def test_a_full_separator_line_splits_even_without_a_blank_line_before(tmp_path: Path) -> None:
    box = b"From MAILER-DAEMON  Thu Jul  2 12:05:05 2020\n" + MESSAGE_A + b"--end--\n" \
        + b"From double-bounce@example.com  Thu Jul  2 12:05:05 2020\n" + MESSAGE_B
    (tmp_path / "box").write_bytes(box)
    items = read([tmp_path / "box"])
    assert [i.data for i in items if isinstance(i, Item)] == [MESSAGE_A + b"--end--\n", MESSAGE_B]


def test_mboxrd_quoted_from_lines_lose_one_quote(tmp_path: Path) -> None:
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_C))
    (item,) = read([tmp_path / "box"])
    assert isinstance(item, Item)
    assert b"\nFrom quoted\n>From twice quoted\n" in item.data


def test_a_crlf_mbox_is_split_like_an_lf_one(tmp_path: Path) -> None:
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_A, MESSAGE_B, newline=b"\r\n"))
    assert [i.index for i in read([tmp_path / "box"])] == [0, 1]


@pytest.mark.parametrize("chunk", [1, 7, 50, 64, 1 << 20])
def test_mbox_splitting_does_not_depend_on_the_read_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         chunk: int) -> None:
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_A, MESSAGE_B, MESSAGE_C) * 3)
    expected = read([tmp_path / "box"])
    monkeypatch.setattr(bio, "READ_CHUNK", chunk)
    assert read([tmp_path / "box"]) == expected
    assert len(expected) == 9


def test_a_message_longer_than_the_cap_keeps_its_beginning(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bio, "MAX_MESSAGE_BYTES", 4096)
    monkeypatch.setattr(bio, "READ_CHUNK", 1000)
    big = MESSAGE_A + b"x" * 70 + b"\n" * 1 + (b"y" * 79 + b"\n") * 500
    (tmp_path / "box").write_bytes(mbox_of(big, MESSAGE_B))
    first, second = read([tmp_path / "box"])
    assert isinstance(first, Item) and isinstance(second, Item)
    assert first.data == big[:4096]
    assert second.data == MESSAGE_B + b"\n"


def test_a_maildir_yields_cur_then_new_and_skips_tmp(tmp_path: Path) -> None:
    for sub, name, data in (("cur", "2:S", MESSAGE_A), ("new", "1", MESSAGE_B), ("tmp", "0", MESSAGE_C)):
        (tmp_path / "Maildir" / sub).mkdir(parents=True, exist_ok=True)
        (tmp_path / "Maildir" / sub / name).write_bytes(data)
    items = read([tmp_path / "Maildir"])
    assert [Path(i.source).parent.name for i in items] == ["cur", "new"]


def test_nested_directories_are_walked_in_sorted_order_without_dot_files(tmp_path: Path) -> None:
    for rel in ("b/2.eml", "a/z/1.eml", "a/3.eml", "c.eml", ".hidden"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(MESSAGE_A)
    assert [os.path.relpath(i.source, tmp_path) for i in read([tmp_path])] == ["c.eml", "a/3.eml", "a/z/1.eml",
                                                                             "b/2.eml"]


def test_an_mbox_inside_a_directory_gives_every_message(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "box").write_bytes(mbox_of(MESSAGE_A, MESSAGE_B))
    assert [(Path(i.source).name, i.index) for i in read([tmp_path / "d"])] == [("box", 0), ("box", 1)]


def test_a_missing_path_is_a_problem_naming_it(tmp_path: Path) -> None:
    assert read([tmp_path / "nope.eml"]) == [Problem(str(tmp_path / "nope.eml"), None, "no such file or directory")]


def test_an_unreadable_file_in_a_directory_is_a_problem_and_the_walk_goes_on(tmp_path: Path) -> None:
    (tmp_path / "a.eml").symlink_to(tmp_path / "gone")
    (tmp_path / "b.eml").write_bytes(MESSAGE_B)
    problem, item = read([tmp_path])
    assert isinstance(problem, Problem) and problem.source == str(tmp_path / "a.eml") and problem.index is None
    assert isinstance(item, Item) and item.data == MESSAGE_B


def test_a_problem_names_the_message_position_when_known() -> None:
    assert str(Problem("box.mbox", 3, "cannot parse")) == "box.mbox (message 3): cannot parse"


def corpus_records() -> list[Delivery]:
    root = shared_path("corpus", "bounces", "maildir")
    paths = sorted(p for p in root.rglob("*.eml"))[:40]
    return [r for p in paths for r in parse_message(p.read_bytes(), str(p))]


def written(fmt: str, records: list[Delivery]) -> str:
    """What the sink of *fmt* writes for *records*."""
    out = io.StringIO()
    sink = SINKS[fmt](out)
    for record in records:
        sink.write(record)
    sink.close()
    return out.getvalue()


def test_the_jsonl_sink_writes_one_json_object_per_record() -> None:
    records = corpus_records()
    text = written("jsonl", records)
    assert [json.loads(line) for line in text.splitlines()] == [r.to_dict() for r in records]


def test_the_json_sink_writes_one_array() -> None:
    records = corpus_records()
    assert json.loads(written("json", records)) == [r.to_dict() for r in records]


def test_the_json_sink_writes_an_empty_array_for_no_records() -> None:
    out = io.StringIO()
    SINKS["json"](out).close()
    assert json.loads(out.getvalue()) == []


def test_the_csv_sink_writes_a_header_and_a_row_per_record() -> None:
    records = corpus_records()
    rows = list(csv.DictReader(io.StringIO(written("csv", records))))
    assert [row["recipient"] for row in rows] == [r.recipient for r in records]


def test_the_table_sink_has_a_header_and_a_line_per_record() -> None:
    records = corpus_records()
    lines = written("table", records).splitlines()
    assert lines[0].split()[:3] == ["source", "recipient", "status"]
    assert len(lines) == len(records) + 1


# --- Regions: what --jobs workers read themselves -------------------------------------------------

def read_back(entries: list[Item | bio.Region | Problem]) -> list[Item | Problem]:
    return [item for entry in entries for item in
            ([entry] if isinstance(entry, Problem) else bio.read_entries([entry]))]


@pytest.mark.parametrize("chunk", [1, 50, 1000, 1 << 20])
def test_regions_read_back_exactly_the_messages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(bio, "MAX_MESSAGE_BYTES", 4096)
    monkeypatch.setattr(bio, "READ_CHUNK", chunk)
    big = MESSAGE_A + (b"y" * 79 + b"\n") * 100
    (tmp_path / "Maildir" / "cur").mkdir(parents=True)
    (tmp_path / "Maildir" / "cur" / "1:2,S").write_bytes(MESSAGE_B)
    (tmp_path / "one.eml").write_bytes(MESSAGE_A)
    (tmp_path / "huge.eml").write_bytes(big)
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_A, big, MESSAGE_C) * 2)
    (tmp_path / "crlf").write_bytes(mbox_of(MESSAGE_C, big, MESSAGE_B, newline=b"\r\n"))
    paths = [str(tmp_path)]
    entries = list(iter_inputs(paths, regions=True))
    assert all(isinstance(e, bio.Region) for e in entries) and len(entries) == 12
    assert read_back(entries) == list(iter_inputs(paths))


def test_a_pipe_given_by_name_is_read_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = threading.Thread(target=(fifo).write_bytes, args=(MESSAGE_A,))
    writer.start()
    entries = list(iter_inputs([str(fifo)], regions=True))
    writer.join()
    assert entries == [Item(str(fifo), 0, MESSAGE_A)]  # it cannot be read again by a worker


def test_a_region_whose_file_is_gone_is_a_problem_at_its_place(tmp_path: Path) -> None:
    (tmp_path / "box").write_bytes(mbox_of(MESSAGE_A, MESSAGE_B))
    second = list(iter_inputs([str(tmp_path / "box")], regions=True))[1]
    (tmp_path / "box").unlink()
    (problem,) = bio.read_entries([second]) if isinstance(second, bio.Region) else [None]
    assert isinstance(problem, Problem)
    assert str(problem).startswith(f"{tmp_path / 'box'} (message 1): cannot read: ")
