"""The edges: sources that stream messages one at a time from files, directories, mbox files, Maildir
folders and stdin, and sinks that write records as JSON lines, JSON, CSV or a table.

Sources never hold more than one message (capped at MAX_MESSAGE_BYTES) plus one read chunk in
memory, however large the input; sinks write each record as it comes (the table sink excepted: it
must see every row to size its columns).
"""

from __future__ import annotations

import csv
import io
import json
import operator
import os
import re
import stat
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from json.encoder import encode_basestring
from typing import IO, Any, ClassVar, cast

from .model import DELIVERY_FIELDS, Delivery

# Reads are this large: big enough that a 1 GB mbox costs ~1,000 read calls, small enough to be
# irrelevant to the memory of a worker.
READ_CHUNK = 1 << 20
# A bounce states its facts near the top (the report, then the returned original's headers); what
# lies beyond is the rest of a returned attachment. The stdlib parser holds several times a
# message's size while parsing it, so reading at most 8 MiB keeps one worker well under 200 MB.
MAX_MESSAGE_BYTES = 8 << 20

# RFC 4155: an mbox message starts at a "From " line; we, like mutt and Python's mailbox module in
# practice, only split where that line follows a blank line (or starts the file), because "From "
# at the start of a body line is common in unescaped mbox files. A separator line is short (sender
# and date); 998 is RFC 5322's line limit, so a longer line is content, and the scan stays linear.
# A line in the full separator form, "From sender  Thu Jul  2 12:05:05 2020" (an asctime date), also
# splits where no blank line comes before it: some MTAs append messages right after a MIME end line.
MBOX_MARK = b"From "
_LINE_MAX = 5 + 998  # "From " and the rest of the line, before its "\n"
_DATED = re.compile(
    rb"From [^\s]{1,256} {1,2}(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep"
    rb"|Oct|Nov|Dec) [ \d]\d \d\d:\d\d:\d\d \d{4}[^\n]{0,80}\r?\n")
_FROM_LINE = re.compile(rb"\nFrom ")  # (the regex engine finds it faster than bytes.find does)
_SEPARATOR_MAX = 1 + 2 + _LINE_MAX + 1  # the most a separator and the blank line before it take
# mboxrd (RFC 4155 s2): a body line "From " is stored as ">From ", ">From " as ">>From ", ...
_QUOTED_FROM = re.compile(rb"\n>(>*From )")
_QUOTED_FIRST = re.compile(rb">+From ")
# How much of a file or of stdin is looked at to tell an mbox from a single message.
SNIFF_BYTES = 1000


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

    def __reduce__(self) -> tuple[type[Item], tuple[str, int, bytes]]:
        # Sent to worker processes by the thousand: as its arguments, a tenth of the cost of the
        # per-field state that slots dataclasses pickle.
        return Item, (self.source, self.index, self.data)

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class Region:
    """One message left in its file, for the worker process that parses it to read: bytes *start* to
    *end* of the regular file *path* (at most MAX_MESSAGE_BYTES of them), mboxrd-unquoted when they
    are an mbox's. The process that finds the messages then only scans their bytes: it neither copies
    them out nor sends them to the worker."""

    source: str
    index: int
    path: str
    start: int
    end: int
    mbox: bool

    def __reduce__(self) -> tuple[type[Region], tuple[str, int, str, int, int, bool]]:
        return Region, (self.source, self.index, self.path, self.start, self.end, self.mbox)  # (see Item)

    @property
    def size(self) -> int:
        """How many bytes will be read (the message's, up to the cap)."""
        return min(self.end - self.start, MAX_MESSAGE_BYTES)


def read_entries(entries: Iterable[Item | Region]) -> Iterator[Item | Problem]:
    """Each entry as an Item: a Region read from its file (opened once for a run of Regions in the
    same file, as a batch of an mbox's messages is), or a Problem saying why it could not be."""
    fd, path = -1, ""
    try:
        for entry in entries:
            if not isinstance(entry, Region):
                yield entry
                continue
            try:
                if entry.path != path:
                    if fd >= 0:
                        os.close(fd)
                    fd, path = -1, ""
                    fd, path = os.open(entry.path, os.O_RDONLY), entry.path
                data = os.pread(fd, entry.size, entry.start)
            except OSError as exc:
                yield Problem(entry.source, entry.index, f"cannot read: {exc.strerror or exc}")
                continue
            yield Item(entry.source, entry.index, _unquote(data) if entry.mbox else data)
    finally:
        if fd >= 0:
            os.close(fd)


def _is_mbox(head: bytes) -> bool:
    return head.startswith(MBOX_MARK) and b"\n" in head[:SNIFF_BYTES]


def _unquote(data: bytes) -> bytes:
    if b">From " not in data:
        return data
    if _QUOTED_FIRST.match(data):
        data = data[1:]
    # (a pattern that starts with a literal is found by a fast scan; "^" in MULTILINE mode is not)
    return _QUOTED_FROM.sub(rb"\n\1", data)


def _separators(buf: bytes, scan: int) -> Iterator[tuple[int, int]]:
    """Where each separator line found in *buf* from *scan* on starts and ends (past its newline): a
    "From " line after a blank line, or one in the dated form after any line. A line whose end is not
    in *buf* yet is not one (the caller looks again once more is read)."""
    floor = scan  # a separator, with the blank line before it, lies after the previous one
    found = _FROM_LINE.search(buf, floor)
    while found is not None:
        at = found.start()
        line = at + 1
        end = buf.find(b"\n", line + 5, line + _LINE_MAX + 1)
        blank = (at - 1 >= floor and buf[at - 1] == 10) or (at - 2 >= floor and buf[at - 2:at] == b"\n\r")
        dated = None if end >= 0 and blank else _DATED.match(buf, line)
        if dated is not None:
            end = dated.end() - 1
        elif not (end >= 0 and blank):
            found = _FROM_LINE.search(buf, line)
            continue
        yield line, end + 1
        floor = end + 1
        found = _FROM_LINE.search(buf, floor)


def _mbox_messages(chunks: Iterable[bytes], source: str, path: str = "") -> Iterator[Item | Region | Problem]:
    """Split an mbox, given as a stream of chunks that starts with its first "From " line, into
    messages. Holds one message (its first MAX_MESSAGE_BYTES) and one chunk at a time; with the *path*
    of the regular file the chunks come from, yields where each message lies in it instead (Regions),
    and holds no message."""
    index = 0
    buf = b""
    offset = 0  # where buf starts in the stream
    start = -1  # where the current message's content begins in buf; -1 until the first line is read
    begins = 0  # ... and in the stream
    scan = 0  # where the separator search resumes in buf
    long = False  # the current message is longer than MAX_MESSAGE_BYTES: buf holds only its end
    head = b""  # the kept beginning of such a message (none in Regions)

    def message(end: int) -> Item | Region:
        if path:
            return Region(source, index, path, begins, offset + end, True)
        return Item(source, index, _unquote(head if long else buf[start:min(end, start + MAX_MESSAGE_BYTES)]))

    try:
        for chunk in chunks:
            buf += chunk
            if start < 0:
                newline = buf.find(b"\n")
                if newline < 0:
                    continue
                start = scan = newline + 1
                begins = offset + start
            for end, after in _separators(buf, scan):
                yield message(end)
                index += 1
                long = False
                start = after
                begins = offset + after
            # Keep only the current message; at most MAX_MESSAGE_BYTES of it, plus what a separator
            # cut by the chunk boundary needs to be found on the next round.
            buf = buf[start:]
            offset += start
            start = 0
            scan = max(0, len(buf) - _SEPARATOR_MAX)
            if len(buf) > MAX_MESSAGE_BYTES + _SEPARATOR_MAX:
                if not long:
                    head = b"" if path else buf[:MAX_MESSAGE_BYTES]
                    long = True
                offset += len(buf) - _SEPARATOR_MAX
                buf = buf[-_SEPARATOR_MAX:]
                scan = 0
    except OSError as exc:
        yield Problem(source, index, f"cannot read: {exc.strerror or exc}")
        return
    if start >= 0 and (long or buf[start:]):
        yield message(len(buf))


def _chunks(stream: io.BufferedIOBase, first: bytes) -> Iterator[bytes]:
    """The stream's bytes as they arrive: read1() returns what a pipe has, without waiting for more."""
    yield first
    while chunk := stream.read1(READ_CHUNK):
        yield chunk


def stream_items(stream: io.BufferedIOBase, source: str) -> Iterator[Item | Problem]:
    """One message, or every message of an mbox, from an open binary stream."""
    for entry in _stream_entries(stream, source, ""):
        assert not isinstance(entry, Region)  # (only given a path)
        yield entry


def _stream_entries(stream: io.BufferedIOBase, source: str, path: str) -> Iterator[Item | Region | Problem]:
    """stream_items(); as Regions of the regular file *path* the stream reads, when given."""
    first = b""
    while len(first) < SNIFF_BYTES and (chunk := stream.read1(READ_CHUNK)):
        first += chunk
    if _is_mbox(first):
        yield from _mbox_messages(_chunks(stream, first), source, path)
        return
    if path:
        yield Region(source, 0, path, 0, os.fstat(stream.fileno()).st_size, False)
        return
    data = first + stream.read(max(0, MAX_MESSAGE_BYTES - len(first)))
    while stream.read1(READ_CHUNK):  # drain the rest of a pipe, so the writer does not get SIGPIPE
        pass
    yield Item(source, 0, data[:MAX_MESSAGE_BYTES])


def _file_items(path: str, shown: str, regions: bool) -> Iterator[Item | Region | Problem]:
    try:
        f = open(path, "rb")  # noqa: SIM115 - closed below; reading may fail after opening
    except OSError as exc:
        yield Problem(shown, None, exc.strerror or str(exc))
        return
    with f:
        try:
            # (a pipe or a device given by name is read here: it cannot be read again)
            regular = regions and stat.S_ISREG(os.fstat(f.fileno()).st_mode)
            yield from _stream_entries(f, shown, path if regular else "")
        except OSError as exc:
            yield Problem(shown, None, f"cannot read: {exc.strerror or exc}")


def _walk(root: str) -> Iterator[str | Problem]:
    """Files under *root*, recursively, in a stable order; unreadable directories as Problems."""
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=errors.append):
        while errors:
            error = errors.pop(0)
            yield Problem(str(error.filename or dirpath), None, error.strerror or str(error))
        # Maildir: tmp/ holds messages still being written (maildir(5)); cur/ and new/ are the mail.
        if "cur" in dirnames and "new" in dirnames and "tmp" in dirnames:
            dirnames.remove("tmp")
        dirnames.sort()
        for name in sorted(filenames):
            if not name.startswith("."):
                yield os.path.join(dirpath, name)
    for error in errors:
        yield Problem(str(error.filename or root), None, error.strerror or str(error))


def iter_inputs(paths: Iterable[str], regions: bool = False,
                stdin: io.BufferedIOBase | None = None) -> Iterator[Item | Region | Problem]:
    """Every message of every path, one at a time: files, directories (recursively, Maildir
    included), mbox files, and '-' for stdin (a single message or an mbox; read from *stdin* when
    given). With *regions*, the messages of regular files come as Regions, to be read where they are
    parsed."""
    for path in paths:
        if path == "-":
            yield from stream_items(stdin or cast(io.BufferedIOBase, sys.stdin.buffer), "-")
        elif os.path.isdir(path):
            for found in _walk(path):
                if isinstance(found, Problem):
                    yield found
                else:
                    yield from _file_items(found, found, regions)
        elif os.path.lexists(path):
            yield from _file_items(path, path, regions)
        else:
            yield Problem(path, None, "no such file or directory")


def total_bytes(paths: Iterable[str]) -> int | None:
    """The size of everything iter_inputs(paths) will read, or None when it cannot be known (stdin)."""
    total = 0
    for path in paths:
        if path == "-":
            return None
        if os.path.isdir(path):
            for found in _walk(path):
                if not isinstance(found, Problem):
                    total += _size(found)
        else:
            total += _size(path)
    return total


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


# --- sinks -------------------------------------------------------------------------------------

_FIELD_VALUES = operator.attrgetter(*DELIVERY_FIELDS)


# one encoder for every record (json.dumps with options builds a new one per call)
_JSON = json.JSONEncoder(ensure_ascii=False).encode


def record_values(record: Delivery) -> dict[str, Any]:
    """The record's fields by name, as Delivery.to_dict() gives them but without the deep copy of
    dataclasses.asdict(), which cost a tenth of a whole parse run; the fields are plain values."""
    return dict(zip(DELIVERY_FIELDS, _FIELD_VALUES(record), strict=True))


def _json_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    return str(value) if value.__class__ is int else _JSON(value)


# The JSON object of a record, written field by field into a template: the same text as _JSON gives for
# record_values() (keys in schema order, ", " and ": " separators), at two thirds of the cost. A string
# field is escaped by the json module's own function; any other value as _JSON would write it.
_TEMPLATE = "{" + ", ".join(f"{_JSON(name)}: %s" for name in DELIVERY_FIELDS) + "}"
_CONVERTERS = tuple(encode_basestring if isinstance(f.default, str) else _json_scalar
                    for f in fields(Delivery))


def json_object(record: Delivery) -> str:
    values = _FIELD_VALUES(record)
    try:
        return _TEMPLATE % tuple([convert(value) for convert, value in zip(_CONVERTERS, values, strict=True)])
    except TypeError:  # a value not of its field's type: the general encoder knows what to do
        return _JSON(record_values(record))


class Sink:
    """Writes records as they come; close() finishes the document (JSON array, table).

    encode() is a pure function of one record, so worker processes can run it and the writing
    process only writes: write(record) is write_encoded(encode(record)).
    """

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    @staticmethod
    def encode(record: Delivery) -> str:
        raise NotImplementedError

    def write_encoded(self, encoded: str) -> None:
        self.out.write(encoded)

    def write(self, record: Delivery) -> None:
        self.write_encoded(self.encode(record))

    def close(self) -> None:
        self.out.flush()


class JsonLinesSink(Sink):
    @staticmethod
    def encode(record: Delivery) -> str:
        return json_object(record) + "\n"


class JsonSink(Sink):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.count = 0
        out.write("[")

    @staticmethod
    def encode(record: Delivery) -> str:
        return json_object(record)

    def write_encoded(self, encoded: str) -> None:
        self.out.write(("," if self.count else "") + "\n  " + encoded)
        self.count += 1

    def close(self) -> None:
        self.out.write("\n]\n" if self.count else "]\n")
        super().close()


class CsvSink(Sink):
    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        csv.writer(out, lineterminator="\n").writerow(DELIVERY_FIELDS)

    @staticmethod
    def encode(record: Delivery) -> str:
        row = io.StringIO()
        csv.DictWriter(row, fieldnames=DELIVERY_FIELDS, lineterminator="\n").writerow(record_values(record))
        return row.getvalue()


TABLE_COLUMNS = ("source", "recipient", "status", "reply_code", "reason", "hard_bounce", "fault",
                 "action_advice", "decoded_by")


class TableSink(Sink):
    """A fixed-width table of the main fields; the column names are the schema's field names.
    It keeps its rows until close(), to size the columns: meant for human-sized outputs."""

    ROW_SEPARATOR: ClassVar[str] = "\x1f"  # ASCII unit separator: never part of a field we print

    def __init__(self, out: IO[str]) -> None:
        super().__init__(out)
        self.rows: list[list[str]] = []

    @staticmethod
    def encode(record: Delivery) -> str:
        values = record_values(record)
        return TableSink.ROW_SEPARATOR.join(str(values[c]).replace(TableSink.ROW_SEPARATOR, " ")
                                            for c in TABLE_COLUMNS)

    def write_encoded(self, encoded: str) -> None:
        self.rows.append(encoded.split(self.ROW_SEPARATOR))

    def close(self) -> None:
        rows = [list(TABLE_COLUMNS), *self.rows]
        widths = [min(60, max(len(r[i]) for r in rows)) for i in range(len(TABLE_COLUMNS))]
        for row in rows:
            self.out.write("  ".join(v[:w].ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() + "\n")
        super().close()


SINKS: dict[str, type[Sink]] = {"jsonl": JsonLinesSink, "json": JsonSink, "csv": CsvSink, "table": TableSink}
