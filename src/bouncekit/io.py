"""The edges: sources that stream messages from files, directories, mbox files, Maildir folders
and stdin, and sinks that write records as JSON lines, JSON, CSV or a table."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from .model import DELIVERY_FIELDS, Delivery

# An mbox "From " separator line (RFC 4155): "From " at the start of a line, after a blank line.
MBOX_MARK = b"From "
# Larger files are still read, but never whole: mbox is streamed line by line.
READ_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Problem:
    """An input that could not be read, with where and why."""

    source: str
    index: int | None
    reason: str

    def __str__(self) -> str:
        where = self.source if self.index is None else f"{self.source} (message {self.index})"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Item:
    """One message from a source: its bytes, where it came from and its position there."""

    source: str
    index: int
    data: bytes


def _is_mbox(head: bytes) -> bool:
    return head.startswith(MBOX_MARK) and b"\n" in head[:1000]


def _mbox_messages(stream: IO[bytes], source: str) -> Iterator[Item]:
    """Split an mbox stream at 'From ' lines that follow a blank line (or start the file)."""
    index = 0
    lines: list[bytes] = []
    previous_blank = True
    for line in stream:
        if line.startswith(MBOX_MARK) and previous_blank:
            if lines:
                yield Item(source, index, b"".join(lines))
                index += 1
            lines = []
        else:
            lines.append(line[1:] if line.startswith(b">From ") else line)
        previous_blank = line in (b"\n", b"\r\n")
    if lines:
        yield Item(source, index, b"".join(lines))


def _file_items(path: str, shown: str) -> Iterator[Item | Problem]:
    try:
        with open(path, "rb") as f:
            head = f.read(5)
            f.seek(0)
            if _is_mbox(head + f.peek(1000)[5:] if hasattr(f, "peek") else head):
                yield from _mbox_messages(f, shown)
            else:
                yield Item(shown, 0, f.read())
    except OSError as exc:
        yield Problem(shown, None, exc.strerror or str(exc))


def _walk(root: str) -> Iterator[str]:
    """Files under *root*, recursively, in a stable order; Maildir's tmp/ holds unfinished mail."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        dirnames.sort()
        if os.path.basename(dirpath) == "tmp" and {"cur", "new"} & set(os.listdir(os.path.dirname(dirpath))):
            continue
        for name in sorted(filenames):
            if not name.startswith("."):
                yield os.path.join(dirpath, name)


def iter_inputs(paths: list[str]) -> Iterator[Item | Problem]:
    """Every message of every path: files, directories (recursively, Maildir included), mbox, '-'."""
    for path in paths:
        if path == "-":
            stdin = sys.stdin.buffer
            data = stdin.read()
            if _is_mbox(data[:1000]):
                yield from _mbox_messages(io.BytesIO(data), "-")
            else:
                yield Item("-", 0, data)
        elif os.path.isdir(path):
            for file_path in _walk(path):
                yield from _file_items(file_path, file_path)
        elif os.path.exists(path):
            yield from _file_items(path, path)
        else:
            yield Problem(path, None, "no such file or directory")


# --- sinks -------------------------------------------------------------------------------------

class Sink:
    """Writes records as they come; close() finishes the document (JSON array, table)."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, record: Delivery) -> None:
        raise NotImplementedError

    def close(self) -> None:
        self.out.flush()


class JsonLinesSink(Sink):
    def write(self, record: Delivery) -> None:
        self.out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")


class JsonSink(Sink):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.count = 0
        out.write("[")

    def write(self, record: Delivery) -> None:
        self.out.write(("," if self.count else "") + "\n  " + json.dumps(record.to_dict(), ensure_ascii=False))
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")
        super().close()


class CsvSink(Sink):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.writer = csv.DictWriter(out, fieldnames=DELIVERY_FIELDS, lineterminator="\n")
        self.writer.writeheader()

    def write(self, record: Delivery) -> None:
        self.writer.writerow(record.to_dict())


TABLE_COLUMNS = ("source", "recipient", "status", "reply_code", "reason", "hard_bounce", "fault",
                 "action_advice", "decoded_by")


class TableSink(Sink):
    """A fixed-width table of the main fields; the column names are the schema's field names."""

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.rows: list[list[str]] = []

    def write(self, record: Delivery) -> None:
        values = record.to_dict()
        self.rows.append([str(values[c]) for c in TABLE_COLUMNS])

    def close(self) -> None:
        rows = [list(TABLE_COLUMNS), *self.rows]
        widths = [min(60, max(len(r[i]) for r in rows)) for i in range(len(TABLE_COLUMNS))]
        for row in rows:
            self.out.write("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        super().close()


SINKS: dict[str, type[Sink]] = {"jsonl": JsonLinesSink, "json": JsonSink, "csv": CsvSink, "table": TableSink}
