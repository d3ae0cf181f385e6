"""The worker processes of ``bouncekit parse --jobs N``: batches parsed in a process pool, results
written in input order; a worker that dies costs only the message that killed it."""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ..io import Problem
from .parse import IN_FLIGHT_PER_JOB, BatchResult, Entry, Writer, parse_batch


def _start_worker() -> None:
    # Workers leave Ctrl-C to the parent, which stops them once the batches under way are written.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Load the engine and build its tables now, in every worker at once, while the parent reads the
    # first batches (forked before the parent loaded it, the workers share none of that work).
    from ..engine import prepare

    prepare()


class Workers:
    """Worker processes parsing batches; results are written in input order as they complete.

    This thread finds the messages and submits batches; a writer thread waits for results in order
    and writes them, so finished batches go out while the next input is still awaited (a pipe).
    Ctrl-C interrupts this thread only: the writer finishes the batch it is writing, then stops.
    """

    def __init__(self, jobs: int, writer: Writer, format_name: str, tally: bool) -> None:
        self.jobs, self.writer, self.format_name, self.tally = jobs, writer, format_name, tally
        # fork: workers start at once with the engine already imported (spawn re-imports it).
        self.context = multiprocessing.get_context("fork") if sys.platform == "linux" else None
        self.lock = threading.Lock()  # this thread submits while the writer may replace a broken pool
        self.executor = self._start()
        # The first task forks every worker now, while this is the only thread (forking beside a thread
        # is unsafe); no need to wait for it while they load the engine.
        self.executor.submit(int)

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.jobs, mp_context=self.context, initializer=_start_worker)

    def run(self, batches: Iterator[list[Entry] | Problem]) -> None:
        pending: queue.Queue[tuple[list[Entry] | Problem, Future[BatchResult] | None] | None] = queue.Queue(
            maxsize=self.jobs * IN_FLIGHT_PER_JOB)
        stop = threading.Event()
        failure: list[BaseException] = []

        def write() -> None:
            try:
                while not stop.is_set() and (entry := pending.get()) is not None:
                    self._write(*entry)
            except BaseException as exc:  # a closed stdout, say: this thread reports it
                failure.append(exc)

        def put(entry: tuple[list[Entry] | Problem, Future[BatchResult] | None] | None) -> None:
            while True:
                if failure:
                    raise failure[0]
                try:
                    pending.put(entry, timeout=0.2)
                    return
                except queue.Full:
                    continue

        writing = threading.Thread(target=write, name="bouncekit-writer", daemon=True)
        writing.start()
        try:
            for batch in batches:
                put((batch, None if isinstance(batch, Problem) else self._submit(batch)))
            put(None)
            writing.join()
        except BaseException:
            stop.set()
            with contextlib.suppress(queue.Full):
                pending.put_nowait(None)
            writing.join()
            raise
        finally:
            with self.lock:
                self.executor.shutdown(wait=True, cancel_futures=True)
        if failure:
            raise failure[0]

    def _write(self, batch: list[Entry] | Problem, future: Future[BatchResult] | None) -> None:
        if isinstance(batch, Problem) or future is None:
            self.writer.problem(str(batch))
            return
        try:
            result = future.result()
        except BrokenProcessPool:
            self._isolate(batch)
            return
        self.writer.take(result)

    def _submit(self, batch: list[Entry]) -> Future[BatchResult]:
        with self.lock:
            try:
                return self.executor.submit(parse_batch, batch, self.format_name, self.tally)
            except (BrokenProcessPool, RuntimeError) as exc:  # broken, or shut down by Ctrl-C
                failed: Future[BatchResult] = Future()
                failed.set_exception(BrokenProcessPool(str(exc)))
                return failed

    def _isolate(self, batch: list[Entry]) -> None:
        """A worker died (killed, out of memory, a crash in C) and its batches with it: redo a lost
        batch one message at a time, in a fresh pool when needed, so that only the culprit is reported."""
        for item in batch:
            for fresh_pool in (False, True):
                if fresh_pool:
                    with self.lock:
                        self.executor.shutdown(wait=True, cancel_futures=True)
                        self.executor = self._start()
                try:
                    result = self._submit([item]).result()
                except BrokenProcessPool:
                    continue
                self.writer.take(result)
                break
            else:
                self.writer.problem(str(Problem(item.source, item.index, "cannot parse: the worker process died")))
