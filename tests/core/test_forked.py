"""core.forked: a function over a stream of items in a forked child fed through a pipe; its
failures come out as ForkedCallFailed, the producer's own errors unchanged, and no child is
left behind either way."""

import glob
import os
import signal

import pytest

from core import forked
from core.forked import ForkedCallFailed, call_forked

pytestmark = pytest.mark.skipif(not forked.fork_available(), reason="needs os.fork")


def joined(items) -> bytes:
    return b",".join(str(item).encode() for item in items) + f"@{os.getpid()}".encode()


def child_pids() -> set[int]:
    """This process's children, running or not yet reaped (Linux's /proc)."""
    pids = set()
    for path in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        with open(path) as children:
            pids.update(int(pid) for pid in children.read().split())
    return pids


@pytest.fixture(autouse=True)
def no_child_left():
    """Each call leaves no child behind, running or unreaped (other tests' workers, if any
    are still around, are not this module's business)."""
    before = child_pids()
    yield
    assert child_pids() <= before


def test_the_function_runs_in_another_process_over_every_item():
    result = call_forked(joined, range(1234), batch_size=100)
    values, pid = result.split(b"@")
    assert values == b",".join(str(n).encode() for n in range(1234))
    assert int(pid) != os.getpid()


def test_no_items_still_calls_the_function_once():
    assert call_forked(lambda items: b"empty" if not list(items) else b"", []) == b"empty"


def test_an_exception_in_the_child_raises_forked_call_failed_with_its_traceback():
    def broken(items):
        for item in items:
            if item == 700:
                raise ValueError("cell 700 is bad")
        return b"never"

    with pytest.raises(ForkedCallFailed, match="cell 700 is bad"):
        call_forked(broken, range(100_000), batch_size=50)


def test_a_child_that_dies_without_an_answer_raises_forked_call_failed():
    def killed(items):
        next(iter(items))
        os.kill(os.getpid(), signal.SIGKILL)

    with pytest.raises(ForkedCallFailed, match="status -9"):
        call_forked(killed, range(10_000))


def test_an_exception_of_the_items_comes_out_unchanged_and_the_child_stops():
    def items():
        yield from range(2000)
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError, match="database went away"):
        call_forked(joined, items(), batch_size=100)


def test_without_fork_the_function_runs_here(monkeypatch):
    monkeypatch.setattr(forked, "fork_available", lambda: False)
    values, pid = call_forked(joined, range(3)).split(b"@")
    assert (values, int(pid)) == (b"0,1,2", os.getpid())


def test_a_daemonic_process_writes_in_itself(monkeypatch):
    class Daemonic:
        daemon = True

    monkeypatch.setattr(forked.multiprocessing, "current_process", lambda: Daemonic())
    assert not forked.fork_available()
