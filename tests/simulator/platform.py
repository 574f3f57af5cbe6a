"""A tiny upper computer for the simulator's tests: an asyncio TCP server that cuts
frames with hj212.FrameDecoder, parses them (strictly unless told otherwise), keeps
them, answers uploads that ask for it, and can send requests. No database."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ecozone import hj212


@dataclass
class Received:
    connection: int
    frame: bytes
    packet: hj212.Packet | None
    error: str | None = None


@dataclass
class FakePlatform:
    answer: bool = True  # send 9014/9013 to uploads whose Flag asks for it
    lenient: bool = False
    received: list[Received] = field(default_factory=list)
    connections: int = 0
    port: int = 0

    def __post_init__(self) -> None:
        self._server: asyncio.AbstractServer | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._changed: asyncio.Event | None = None

    async def __aenter__(self) -> FakePlatform:
        self._changed = asyncio.Event()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self._server.wait_closed(), 1)

    @property
    def packets(self) -> list[hj212.Packet]:
        return [r.packet for r in self.received if r.packet is not None]

    @property
    def errors(self) -> list[str]:
        return [f"{r.error}: {r.frame!r}" for r in self.received if r.error]

    def with_cn(self, cn: str) -> list[hj212.Packet]:
        return [p for p in self.packets if p.cn == cn]

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = self.connections
        self.connections += 1
        self._writers.append(writer)
        self._notify()
        decoder = hj212.FrameDecoder()
        try:
            while chunk := await reader.read(65536):
                for frame in decoder.feed(chunk):
                    try:
                        packet = hj212.parse(frame, lenient=self.lenient)
                    except hj212.ProtocolError as exc:
                        self.received.append(Received(connection, frame, None, str(exc)))
                        continue
                    self.received.append(Received(connection, frame, packet))
                    reply = self._reply(packet)
                    if reply is not None:
                        writer.write(hj212.encode(reply))
                        await writer.drain()
                self._notify()
        except ConnectionError:
            pass
        finally:
            writer.close()

    def _reply(self, packet: hj212.Packet) -> hj212.Packet | None:
        if not self.answer or not packet.needs_ack:
            return None
        if packet.cn == "9015":  # HJ 212-2025 heartbeat
            return hj212.notification_response(packet)
        if packet.cn.startswith("90"):
            return None
        return hj212.data_response(packet)

    def _notify(self) -> None:
        assert self._changed is not None
        self._changed.set()

    async def wait_for(self, condition: Callable[[], bool], timeout: float = 5.0) -> None:
        """Wait until `condition()` holds; AssertionError after `timeout` seconds."""
        assert self._changed is not None

        async def poll() -> None:
            while not condition():
                self._changed.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), 0.05)

        try:
            await asyncio.wait_for(poll(), timeout)
        except TimeoutError:
            cns = [p.cn for p in self.packets]
            raise AssertionError(f"condition not met in {timeout} s; received CNs {cns}") from None

    async def send(self, packet: hj212.Packet) -> None:
        """Send a request on the newest connection."""
        writer = self._writers[-1]
        writer.write(hj212.encode(packet))
        await writer.drain()


@contextlib.contextmanager
def platform_in_thread(**options: object) -> Iterator[FakePlatform]:
    """A FakePlatform on its own event loop in a thread, for code that runs asyncio.run."""
    ready = threading.Event()
    holder: dict[str, object] = {}

    def main() -> None:
        async def serve() -> None:
            async with FakePlatform(**options) as platform:  # type: ignore[arg-type]
                holder["platform"] = platform
                holder["stop"] = stop = asyncio.Event()
                holder["loop"] = asyncio.get_running_loop()
                ready.set()
                await stop.wait()

        asyncio.run(serve())

    thread = threading.Thread(target=main, daemon=True)
    thread.start()
    ready.wait(5)
    platform = holder["platform"]
    try:
        yield platform  # type: ignore[misc]
    finally:
        loop = holder["loop"]
        loop.call_soon_threadsafe(holder["stop"].set)  # type: ignore[union-attr,attr-defined]
        thread.join(5)
