"""A function over a stream of items, run in a forked child process fed through a pipe, so
that producing the items (here) and consuming them (in the child) use two cores at once.

The ledger export uses it (children/io/ledger_export.py): this process reads the rows from
the database while the child turns them into cells and writes the workbook; at 100,000
rows the two halves take a few seconds each.

What the child may do: run ``function`` on the items it receives and send back the bytes
it returns. It touches nothing else it inherited: not the database connection (after a fork
the socket is shared; the child never uses it, and leaves with ``os._exit`` so that no
finaliser closes it or talks on it), not the files. Its result comes back as bytes and the
caller puts it where it belongs (a job's result file is written whole or not at all by
``jobs.files.write_result``), so a child or parent killed half-way leaves no file behind:
the child sees the feed end without its end mark and stops; the parent sees the child's
answer missing and raises ``ForkedCallFailed``.

Where a fork is not available (not POSIX) or not allowed (a daemonic multiprocessing
process may not have children) the function runs here, on the same items, in turn.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

# Items a message: large enough that pickling and the pipe cost little per item, small
# enough that the pipe (and the child's queue) holds a few hundred kilobytes at a time.
BATCH_SIZE = 500


class ForkedCallFailed(RuntimeError):
    """The child process raised or died before sending its result. The message says how:
    the child's traceback when it could send it, else its exit status."""


def fork_available() -> bool:
    return hasattr(os, "fork") and not multiprocessing.current_process().daemon


def call_forked(
    function: Callable[[Iterator[Any]], bytes],
    items: Iterable[Any],
    *,
    batch_size: int = BATCH_SIZE,
) -> bytes:
    """``function(iterator over items)`` run in a forked child while ``items`` is consumed
    here and sent to it; its return value (bytes). An exception raised by ``items`` comes
    out unchanged (the child is stopped and reaped first); one raised in the child, or the
    child's death, raises ``ForkedCallFailed``."""
    if not fork_available():
        return function(iter(items))
    feed_reader, feed_writer = multiprocessing.Pipe(duplex=False)
    result_reader, result_writer = multiprocessing.Pipe(duplex=False)
    pid = os.fork()
    if pid == 0:
        _child(function, feed_reader, feed_writer, result_reader, result_writer)
    feed_reader.close()
    result_writer.close()
    try:
        _feed(feed_writer, items, batch_size)
        try:
            ok, payload = result_reader.recv()
        except EOFError:
            ok, payload = False, None
    finally:
        result_reader.close()
        _pid, status = os.waitpid(pid, 0)
    if not ok:
        how = payload or f"it exited with status {os.waitstatus_to_exitcode(status)}"
        raise ForkedCallFailed(f"The forked process failed: {how}")
    return payload


def _feed(writer, items: Iterable[Any], batch_size: int) -> None:
    iterator = iter(items)
    try:
        while batch := list(islice(iterator, batch_size)):
            writer.send(batch)
        writer.send(None)  # the end mark: the child's function may finish
    except BrokenPipeError:
        pass  # the child stopped reading (it failed): its answer says why
    finally:
        # Closed in every case: without the end mark the child stops, whatever this
        # process was doing when ``items`` raised.
        writer.close()


class _FeedEnded(Exception):
    """The parent closed the feed without the end mark: it failed or was killed."""


def _received(reader) -> Iterator[Any]:
    while True:
        try:
            batch = reader.recv()
        except EOFError:
            raise _FeedEnded from None
        if batch is None:
            return
        yield from batch


def _child(function, feed_reader, feed_writer, result_reader, result_writer) -> None:
    status = 1
    try:
        # The worker's own handlers (a graceful shutdown) are not the child's business:
        # stopped, it just dies, and the parent reports it.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        feed_writer.close()
        result_reader.close()
        try:
            result = function(_received(feed_reader))
        except _FeedEnded:
            return  # nobody waits for an answer
        except BaseException:
            feed_reader.close()  # the parent's next send fails at once, and it reads on
            result_writer.send((False, traceback.format_exc()))
        else:
            result_writer.send((True, result))
            status = 0
    except BaseException:  # noqa: S110 - nothing may escape into the parent's code
        pass
    finally:
        os._exit(status)
