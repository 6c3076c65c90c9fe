"""Run ``parsers.parse`` in worker processes, under a per-page time and size budget.

A hostile page can make parsing slow: 100,000 nested ``<b>`` took 103 s, in C code a Python
timer cannot interrupt, and on the crawl's reactor thread that stalled every download. The only
reliable bound is a process that can be killed, so ``ParsePool`` keeps a few spawned worker
processes, sends each page to an idle one over a pipe and waits at most ``budget.seconds``;
a worker that overruns is killed and replaced, and the page fails with ``ParseTimeout``
(``parse_timeout``). A page over the size budget (bytes, or tags as a cheap measure of
element count) is refused before any parsing with ``TooComplex`` (``too_complex``). Both are
``ParseError``: the capture is archived with ``parse_outcome="error"`` and that code, so a
later ``healthqa reparse`` (same budget, or a bigger one) can try again.

``ParsePool.parse`` has ``parsers.parse``'s signature and blocks its calling thread only, so
the crawler calls it from a thread pool (the reactor keeps downloading) and ``reparse`` calls
it directly. The pool is thread-safe; each worker handles one page at a time and retires
itself (and is replaced) once its memory passes ``max_worker_rss``.

Settings come from the crawl's Scrapy settings (``PARSE_TIMEOUT``...) or, for ``reparse``, from
``HEALTHQA_PARSE_TIMEOUT``, ``HEALTHQA_PARSE_MAX_BYTES`` and ``HEALTHQA_PARSE_MAX_TAGS``
(``pool_from_env``). ``function`` names the parse function (``module:attribute`` or
``/path/file.py:attribute``; ``HEALTHQA_PARSE_FUNCTION``), so a test can run a deliberately
slow parser through the real budget.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import logging
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

from parsers import errors
from parsers.child import start_child
from parsers.errors import ParseError
from parsers.record import QARecord

logger = logging.getLogger(__name__)

DEFAULT_FUNCTION = "parsers:parse"
#: Seconds a new worker may take to import the parsers before it counts as broken.
_START_SECONDS = 120.0


class ParseTimeout(ParseError):
    """Parsing took longer than the per-page time budget; the worker was killed."""

    code = "parse_timeout"


class TooComplex(ParseError):
    """The page is larger than the size budget (bytes or tags); it was not parsed."""

    code = "too_complex"


@dataclass(frozen=True, slots=True)
class ParseBudget:
    """Per page: wall-clock seconds, body bytes, and ``<`` count (about one per tag)."""

    seconds: float = 10.0
    max_bytes: int = 2 * 1024 * 1024
    max_tags: int = 250_000

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ParseBudget:
        env = os.environ if environ is None else environ
        default = cls()
        return cls(
            seconds=float(env.get("HEALTHQA_PARSE_TIMEOUT", default.seconds)),
            max_bytes=int(env.get("HEALTHQA_PARSE_MAX_BYTES", default.max_bytes)),
            max_tags=int(env.get("HEALTHQA_PARSE_MAX_TAGS", default.max_tags)),
        )

    def check_size(self, body: bytes, url: str) -> None:
        """Raise ``TooComplex`` for a page too big to parse (checked in the caller, cheaply)."""
        if self.max_bytes and len(body) > self.max_bytes:
            raise TooComplex(
                f"{len(body)} bytes, over the {self.max_bytes}-byte parse budget", url=url
            )
        if self.max_tags:
            tags = body.count(b"<")
            if tags > self.max_tags:
                raise TooComplex(f"about {tags} tags, over the {self.max_tags}-tag budget", url=url)


# -- the worker process ------------------------------------------------------------------------


def load_function(spec: str) -> Callable[..., QARecord]:
    """``module:attribute`` or ``/path/to/file.py:attribute``."""
    where, _, name = spec.rpartition(":")
    if where.endswith(".py"):
        module_spec = importlib.util.spec_from_file_location("_healthqa_parse_hook", where)
        if module_spec is None or module_spec.loader is None:
            raise ImportError(f"cannot load parse function from {where}")
        module = importlib.util.module_from_spec(module_spec)
        module_spec.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    function: Callable[..., QARecord] = getattr(module, name)
    return function


def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _serve(conn: Connection, function_spec: str, max_rss: int) -> None:
    """Worker main loop: ``(body, url, headers, site)`` in, ``(kind, ...)`` out."""
    function = load_function(function_spec)
    conn.send(("ready",))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        body, url, headers, site = job
        try:
            reply: tuple[Any, ...] = ("ok", function(body, url, headers, site=site))
        except ParseError as error:
            reply = ("error", error.code, str(error.args[0]) if error.args else "", error.url)
        except Exception as error:  # a custom function may break the contract
            reply = ("error", "extraction_failed", f"{type(error).__name__}: {error}", url)
        retire = bool(max_rss) and _rss_bytes() > max_rss
        conn.send((*reply, retire) if reply[0] == "error" else ("ok", reply[1], retire))
        if retire:
            return


_ERRORS_BY_CODE: dict[str, type[ParseError]] = {
    cls.code: cls
    for cls in (
        errors.EmptyBody,
        errors.BinaryBody,
        errors.NotAnArticle,
        errors.PageNotFound,
        errors.UnsupportedSite,
        errors.ExtractionFailed,
        ParseTimeout,
        TooComplex,
    )
}


def _rebuild(code: str, message: str, url: str | None) -> ParseError:
    """The worker's ``ParseError`` again, as its own class when it is a known one."""
    cls = _ERRORS_BY_CODE.get(code)
    if cls is not None:
        return cls(message, url=url)
    error = ParseError(message, url=url)
    error.code = code
    return error


class _Worker:
    def __init__(self, function_spec: str, max_rss: int) -> None:
        self.process, self.conn = start_child("parsers.budget:_serve", function_spec, max_rss)
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(_START_SECONDS) or self.conn.recv() != ("ready",):
            self.kill()
            raise RuntimeError("a parse worker did not start")
        self.ready = True

    def kill(self) -> None:
        self.process.kill()
        self.process.wait(10)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):  # already gone
            self.conn.send(None)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.kill()
        else:
            self.conn.close()


class ParsePool:
    """``workers`` parse processes; ``parse()`` from any thread. Use ``with`` or ``close()``."""

    def __init__(
        self,
        workers: int = 2,
        budget: ParseBudget | None = None,
        function: str = DEFAULT_FUNCTION,
        max_worker_rss: int = 200 * 1024 * 1024,
    ) -> None:
        if workers < 1:
            raise ValueError(f"a parse pool needs at least one worker, got {workers}")
        self.budget = budget or ParseBudget()
        self.function = function
        self.max_worker_rss = max_worker_rss
        self.timeouts = 0
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: list[_Worker] = []
        self._closed = False
        for _ in range(workers):
            self._idle.put(self._start_worker())

    def _start_worker(self) -> _Worker:
        worker = _Worker(self.function, self.max_worker_rss)
        with self._lock:
            self._workers.append(worker)
        return worker

    def _replace(self, worker: _Worker, *, kill: bool) -> None:
        worker.kill() if kill else worker.stop()
        with self._lock:
            self._workers.remove(worker)
            closed = self._closed
        if not closed:
            self._idle.put(self._start_worker())

    def parse(
        self,
        body: bytes,
        url: str,
        headers: Mapping[str, str] | None = None,
        *,
        site: str | None = None,
    ) -> QARecord:
        """``parsers.parse`` under the budget; raises ``ParseError`` (incl. the budget's)."""
        self.budget.check_size(body, url)
        worker = self._idle.get()
        try:
            worker.wait_ready()
        except RuntimeError:
            self._replace(worker, kill=True)
            raise
        worker.conn.send((body, url, dict(headers or {}), site))
        if not worker.conn.poll(self.budget.seconds):
            self.timeouts += 1
            logger.warning("parsing %s took over %.1f s: worker killed", url, self.budget.seconds)
            self._replace(worker, kill=True)
            raise ParseTimeout(
                f"parsing took longer than the {self.budget.seconds:g} s budget", url=url
            )
        try:
            reply = worker.conn.recv()
        except (EOFError, OSError):  # the worker died (killed by the OS, out of memory)
            self._replace(worker, kill=True)
            raise errors.ExtractionFailed("the parse worker died on this page", url=url) from None
        *result, retire = reply
        if retire:
            self._replace(worker, kill=False)
        else:
            self._idle.put(worker)
        if result[0] == "ok":
            record: QARecord = result[1]
            return record
        _, code, message, error_url = result
        raise _rebuild(code, message, error_url or url)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            worker.stop()

    def __enter__(self) -> ParsePool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def pool_from_env(workers: int = 1, environ: Mapping[str, str] | None = None) -> ParsePool:
    """A pool configured by ``HEALTHQA_PARSE_*`` environment variables (``healthqa reparse``)."""
    env = os.environ if environ is None else environ
    return ParsePool(
        workers,
        ParseBudget.from_env(env),
        env.get("HEALTHQA_PARSE_FUNCTION") or DEFAULT_FUNCTION,
    )
