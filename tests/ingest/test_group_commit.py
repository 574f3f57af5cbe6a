"""Pipelined group commit: batches overlap unless they share a connection or a device,
so a device's records are stored, and answered, in the order it sent them."""

from __future__ import annotations

import asyncio
import threading
from types import SimpleNamespace

import pytest

from ecozone.ingest import service
from ecozone.ingest.service import GroupCommitter


class HeldWrites:
    """Stands in for the database write: each batch's write blocks until released."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.release: dict[str, threading.Event] = {}
        self.lock = threading.Lock()

    def __call__(self, engine, verdicts):
        name = ",".join(v.name for v in verdicts)
        with self.lock:
            self.started.append(name)
            gate = self.release.setdefault(name, threading.Event())
        assert gate.wait(10), f"batch {name} was never released"
        with self.lock:
            self.finished.append(name)
        return [None] * len(verdicts)

    def open(self, name: str) -> None:
        with self.lock:
            self.release.setdefault(name, threading.Event()).set()


def frame(name: str, peer: str, mn: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, raw={"peer": peer, "mn": mn}, rows=[], accepted=True)


async def until(condition, what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting until {what}")


@pytest.fixture
def writes(monkeypatch) -> HeldWrites:
    held = HeldWrites()
    monkeypatch.setattr(service, "write_isolating", held)
    return held


def test_a_batch_sharing_a_connection_or_device_waits_for_the_earlier_commit(writes):
    async def scenario():
        committer = GroupCommitter(None, max_batch=1, in_flight=3)
        committer.start()
        a = committer.submit(frame("a", "10.0.0.1:1", "MN1"), wait=True)
        await until(lambda: writes.started == ["a"], "a is being written")
        # Another connection and device: written alongside a.
        b = committer.submit(frame("b", "10.0.0.2:1", "MN2"), wait=True)
        await until(lambda: writes.started == ["a", "b"], "b is written beside a")
        # Same device over a new connection, and the same connection: both wait for a.
        c = committer.submit(frame("c", "10.0.0.3:1", "MN1"), wait=True)
        d = committer.submit(frame("d", "10.0.0.1:1", "MN4"), wait=True)
        await asyncio.sleep(0.2)
        assert writes.started == ["a", "b"]
        writes.open("b")
        assert await b is True
        assert not a.done() and not c.done() and not d.done()
        writes.open("c")
        writes.open("d")
        writes.open("a")
        assert await asyncio.gather(a, c, d) == [True, True, True]
        await committer.close()

    asyncio.run(scenario())
    assert writes.started[:2] == ["a", "b"]
    assert set(writes.started[2:]) == {"c", "d"}
    assert writes.finished.index("a") < writes.finished.index("c")
    assert writes.finished.index("a") < writes.finished.index("d")


def test_no_more_batches_are_written_at_once_than_in_flight_allows(writes):
    async def scenario():
        committer = GroupCommitter(None, max_batch=1, in_flight=2)
        committer.start()
        futures = [
            committer.submit(frame(name, f"10.0.0.{i}:1", f"MN{i}"), wait=True)
            for i, name in enumerate("xyz")
        ]
        await until(lambda: len(writes.started) == 2, "two batches are being written")
        await asyncio.sleep(0.2)
        assert writes.started == ["x", "y"]  # z waits for a free slot
        writes.open("y")
        await until(lambda: writes.started == ["x", "y", "z"], "z takes y's slot")
        writes.open("x")
        writes.open("z")
        assert await asyncio.gather(*futures) == [True, True, True]
        await committer.close()

    asyncio.run(scenario())


def test_closing_waits_for_every_batch_in_flight(writes):
    async def scenario():
        committer = GroupCommitter(None, max_batch=1, in_flight=2)
        committer.start()
        futures = [
            committer.submit(frame(name, f"10.0.0.{i}:1", f"MN{i}"), wait=True)
            for i, name in enumerate("pq")
        ]
        await until(lambda: len(writes.started) == 2, "both are being written")
        closing = asyncio.get_running_loop().create_task(committer.close())
        await asyncio.sleep(0.2)
        assert not closing.done()
        writes.open("p")
        writes.open("q")
        await closing
        return [f.result() for f in futures]

    assert asyncio.run(scenario()) == [True, True]
