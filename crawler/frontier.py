"""Seeds wait on disk or in their generator, not in the scheduler: a bounded frontier.

Scrapy's in-memory scheduler keeps every request it is given (~2.4 KB each), and a spider's
``start()`` and callbacks hand it everything at once: a 1-million-URL sitemap index drove the
crawl past 1 GB. Here the spider asks ``room()`` before handing over a seed and otherwise waits
on a ``Wakeup`` that fires when a request leaves the scheduler. URLs read from sitemaps wait in
a ``UrlSpool``: an unlinked temporary file in the data directory (so a killed crawl leaves
nothing behind and memory stays flat whatever the sitemap size).
"""

from __future__ import annotations

import tempfile
from collections import deque
from pathlib import Path
from typing import Any

from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.defer import Deferred

_READ_CHUNK = 64 * 1024
_WRITE_BUFFER = 64 * 1024


class UrlSpool:
    """A first-in first-out queue of URLs kept in a temporary file."""

    def __init__(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=directory, prefix="frontier-")  # noqa: SIM115
        self._read_at = 0
        self._end = 0
        self._writes: list[bytes] = []
        self._write_bytes = 0
        self._ready: deque[str] = deque()
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def push(self, url: str) -> None:
        line = url.encode("utf-8") + b"\n"
        self._writes.append(line)
        self._write_bytes += len(line)
        self._length += 1
        if self._write_bytes >= _WRITE_BUFFER:
            self._flush()

    def pop(self) -> str | None:
        if not self._ready:
            self._refill()
        if not self._ready:
            return None
        self._length -= 1
        return self._ready.popleft()

    def close(self) -> None:
        self._file.close()

    def _flush(self) -> None:
        if not self._writes:
            return
        self._file.seek(self._end)
        self._file.write(b"".join(self._writes))
        self._end = self._file.tell()
        self._writes.clear()
        self._write_bytes = 0

    def _refill(self) -> None:
        self._flush()
        if self._read_at >= self._end:
            return
        self._file.seek(self._read_at)
        chunk = self._file.read(_READ_CHUNK)
        last = chunk.rfind(b"\n")
        if last < 0:  # one line longer than a chunk: read it whole
            chunk += self._file.readline()
            last = len(chunk) - 1
        self._read_at += last + 1
        self._ready.extend(line.decode("utf-8") for line in chunk[:last].split(b"\n"))


class Wakeup:
    """Deferreds that fire on the next ``notify()`` or after ``timeout`` seconds."""

    def __init__(self) -> None:
        self._waiters: list[Deferred[None]] = []

    def wait(self, timeout: float) -> Deferred[None]:
        from twisted.internet import reactor  # not at import: Scrapy installs the reactor

        waiter: Deferred[None] = Deferred()
        timer = reactor.callLater(timeout, self._fire, waiter)  # type: ignore[attr-defined]
        waiter.addBoth(lambda result: _cancel(timer, result))
        self._waiters.append(waiter)
        return waiter

    def notify(self, *_: Any, **__: Any) -> None:
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.called:
                waiter.callback(None)

    def _fire(self, waiter: Deferred[None]) -> None:
        if waiter in self._waiters:
            self._waiters.remove(waiter)
        if not waiter.called:
            waiter.callback(None)


def _cancel(timer: Any, result: Any) -> Any:
    if timer.active():
        timer.cancel()
    return result


async def pause() -> None:
    """Let the reactor run everything that is ready (downloads, other callbacks) first."""
    from twisted.internet import reactor, task

    await maybe_deferred_to_future(task.deferLater(reactor, 0, lambda: None))
