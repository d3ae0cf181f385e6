"""The worker processes of ``bouncekit parse --jobs N``: forked children that read, parse and encode the
batches sent down a pipe each. This process finds the messages, hands each batch to the worker with the
least work in hand, and writes the results in input order. A worker that dies (killed, out of memory, a
crash in C) costs only the message that killed it: the batches it held are redone one message at a time,
each in a fresh worker.

Pipes and fork() rather than a multiprocessing pool: nothing to import before the workers start, no
feeder or manager threads, and the work of this process is only what is written here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import queue
import select
import signal
import struct
import threading
from collections import deque
from collections.abc import Iterator
from typing import Any

from ..io import Problem
from .parse import IN_FLIGHT_PER_JOB, BatchResult, Entry, Writer, parse_batch

# Each message on a pipe: its length, then the pickled object.
_LENGTH = struct.Struct("<Q")
# A dead worker's batches are redone message by message; those that kill their worker again say so.
DIED = "cannot parse: the worker process died"


def _frame(obj: Any) -> bytes:
    data = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(data)) + data


def _read_exactly(fd: int, size: int) -> bytes:
    parts = []
    while size:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            raise EOFError("the other end closed the pipe")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _receive(fd: int) -> Any:
    (size,) = _LENGTH.unpack(_read_exactly(fd, _LENGTH.size))
    return pickle.loads(_read_exactly(fd, size))


def _send(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _serve(tasks: int, results: int, format_name: str, tally: bool) -> None:
    """A worker's life: load the engine (in every worker at once, while the parent starts finding
    messages), then batches in and results out until its task pipe is closed."""
    from ..engine import prepare

    prepare()
    while True:
        try:
            batch = _receive(tasks)
        except EOFError:
            return
        _send(results, _frame(parse_batch(batch, format_name, tally)))


class _Worker:
    def __init__(self, pid: int, tasks: int, results: int) -> None:
        self.pid, self.tasks, self.results = pid, tasks, results
        self.held: deque[tuple[int, list[Entry]]] = deque()
        """The batches sent to it whose results have not come back, in the order sent."""
        self.outgoing = memoryview(b"")
        """What is still to be written to its task pipe (written as the pipe takes it, so that this
        process never blocks on a worker that is itself blocked writing a result)."""


_NOT_YET = object()


class _Feed:
    """The batches, taken as they are needed: from files, reading never waits long."""

    wake = -1  # no descriptor to wait on: get() never answers _NOT_YET

    def __init__(self, batches: Iterator[list[Entry] | Problem]) -> None:
        self.batches = batches
        self.error: BaseException | None = None
        """What stopped the reading early: raised once the batches read before it are written."""

    def get(self) -> list[Entry] | Problem | object | None:
        """The next batch, None after the last, or _NOT_YET."""
        try:
            return next(self.batches, None)
        except Exception as exc:  # (Ctrl-C is no Exception: it stops the run at once)
            self.error = exc
            return None


class _StreamFeed(_Feed):
    """The batches of a stream that may keep the next message waiting (stdin): a thread reads them, and
    its descriptor wakes the loop when one is ready, so that the results in hand go out meanwhile."""

    def __init__(self, batches: Iterator[list[Entry] | Problem], room: int) -> None:
        super().__init__(batches)
        self.ready: queue.Queue[list[Entry] | Problem | None] = queue.Queue(maxsize=room)
        self.wake, self.wake_write = os.pipe()
        os.set_blocking(self.wake, False)
        threading.Thread(target=self._read, name="bouncekit-reader", daemon=True).start()

    def _read(self) -> None:
        try:
            for batch in self.batches:
                self.ready.put(batch)
                os.write(self.wake_write, b".")
        except BaseException as exc:  # raised again once the batches read before it are written
            self.error = exc
        finally:
            self.ready.put(None)
            os.write(self.wake_write, b".")

    def get(self) -> list[Entry] | Problem | object | None:
        try:
            batch = self.ready.get_nowait()
        except queue.Empty:
            # Drain the wake-ups of the batches taken; one that comes after this is for a new batch.
            with contextlib.suppress(BlockingIOError):
                os.read(self.wake, 1 << 16)
            try:
                batch = self.ready.get_nowait()
            except queue.Empty:
                return _NOT_YET
        return batch


class Workers:
    """Forked worker processes; see the module's docstring."""

    def __init__(self, jobs: int, writer: Writer, format_name: str, tally: bool) -> None:
        self.writer, self.format_name, self.tally = writer, format_name, tally
        self.workers: list[_Worker] = []
        for _ in range(jobs):
            self.workers.append(self._fork())

    def _fork(self) -> _Worker:
        tasks_read, tasks_write = os.pipe()
        results_read, results_write = os.pipe()
        # Ctrl-C is the parent's to handle: held while forking, so the child ignores it before any arrives.
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            pid = os.fork()
            if pid == 0:  # the worker
                code = 1
                try:
                    signal.signal(signal.SIGINT, signal.SIG_IGN)
                    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
                    # the other workers' pipe ends too: a worker must see EOF when its own is closed
                    for fd in (tasks_write, results_read, *(fd for w in self.workers for fd in (w.tasks, w.results))):
                        os.close(fd)
                    _serve(tasks_read, results_write, self.format_name, self.tally)
                    code = 0
                finally:
                    os._exit(code)  # nothing of the parent's (atexit, buffered output) runs here
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(tasks_read)
        os.close(results_write)
        os.set_blocking(tasks_write, False)
        return _Worker(pid, tasks_write, results_read)

    def run(self, batches: Iterator[list[Entry] | Problem], stream: bool = False) -> None:
        """Parse every batch in the workers and write the results in input order. A *stream* (stdin)
        is read by a thread, so that results go out while the next message is awaited."""
        done: dict[int, list[BatchResult | Problem]] = {}  # batch number -> what to write for it
        handed = written = 0  # batches handed out (or problems met) so far, and written so far
        more = True
        try:
            feed = _StreamFeed(batches, len(self.workers) * IN_FLIGHT_PER_JOB) if stream else _Feed(batches)
            while True:
                while more and (worker := self._least_busy()) is not None:
                    batch = feed.get()
                    if batch is _NOT_YET:
                        break
                    if batch is None:
                        more = False
                    elif isinstance(batch, Problem):
                        done[handed] = [batch]
                        handed += 1
                    else:
                        assert isinstance(batch, list)
                        worker.held.append((handed, batch))
                        worker.outgoing = memoryview(bytes(worker.outgoing) + _frame(batch))
                        handed += 1
                        self._push(worker, done)
                while written in done:
                    for result in done.pop(written):
                        if isinstance(result, Problem):
                            self.writer.problem(str(result))
                        else:
                            self.writer.take(result)
                    written += 1
                if not more and written == handed:
                    if feed.error is not None:
                        raise feed.error
                    return
                self._wait(done, feed.wake if more and self._least_busy() is not None else -1)
        finally:
            self._stop()

    def _least_busy(self) -> _Worker | None:
        worker = min(self.workers, key=lambda w: len(w.held))
        return worker if len(worker.held) < IN_FLIGHT_PER_JOB else None

    def _wait(self, done: dict[int, list[BatchResult | Problem]], wake: int) -> None:
        """Wait for a result, for room in a task pipe or (*wake*, unless -1) for a batch, and take what
        came (the batch is taken by the caller)."""
        by_fd = {fd: w for w in self.workers for fd in (w.tasks, w.results)}
        readable, writable, _ = select.select([w.results for w in self.workers if w.held] + [wake] * (wake >= 0),
                                              [w.tasks for w in self.workers if w.outgoing], [])
        for fd in writable:
            self._push(by_fd[fd], done)
        for fd in readable:
            worker = by_fd.get(fd)
            if worker is None or worker not in self.workers:
                continue  # replaced while pushing
            try:
                result = _receive(fd)  # (a worker writes a whole result once it starts)
            except (EOFError, OSError, pickle.UnpicklingError):
                self._replace(worker, done)
                continue
            number, _ = worker.held.popleft()
            done[number] = [result]

    def _push(self, worker: _Worker, done: dict[int, list[BatchResult | Problem]]) -> None:
        try:
            sent = os.write(worker.tasks, worker.outgoing)
        except BlockingIOError:
            return
        except OSError:  # BrokenPipeError: it died
            self._replace(worker, done)
            return
        worker.outgoing = worker.outgoing[sent:]

    def _replace(self, worker: _Worker, done: dict[int, list[BatchResult | Problem]]) -> None:
        """A worker died, and the batches it held with it: redo them message by message, each in a
        fresh worker, so that only a message that kills its worker again is reported; then start a
        worker in its place."""
        self.workers.remove(worker)
        self._end(worker, kill=True)
        for number, batch in worker.held:
            done[number] = [self._alone(entry) for entry in batch]
        self.workers.append(self._fork())

    def _alone(self, entry: Entry) -> BatchResult | Problem:
        worker = self._fork()
        try:
            os.set_blocking(worker.tasks, True)
            _send(worker.tasks, _frame([entry]))
            result: BatchResult = _receive(worker.results)
            return result
        except (EOFError, OSError, pickle.UnpicklingError):
            return Problem(entry.source, entry.index, DIED)
        finally:
            self._end(worker, kill=True)

    @staticmethod
    def _end(worker: _Worker, kill: bool) -> None:
        os.close(worker.tasks)  # a worker waiting for a batch sees EOF and exits
        os.close(worker.results)
        if kill:
            with contextlib.suppress(ProcessLookupError):
                os.kill(worker.pid, signal.SIGTERM)
        os.waitpid(worker.pid, 0)

    def _stop(self) -> None:
        """End every worker: those with nothing in hand exit at EOF; the others (after Ctrl-C or an
        error here) are stopped without waiting for their batches."""
        for worker in self.workers:
            self._end(worker, kill=bool(worker.held))
        self.workers = []
