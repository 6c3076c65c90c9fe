"""Serving a ``DemoSite`` over real HTTP on 127.0.0.1, with faults and a request log.

A ``ThreadingHTTPServer`` with keep-alive is plenty for thousands of pages a second on
loopback and needs nothing beyond the standard library. The server applies the faults that
depend on *how often* a path was requested (errors, resets, truncation, redirects, slowness,
oversize bodies), counting attempts per path, and records what a crawl test asserts on:
requests per path, the most requests in flight at once, user agents and conditional hits.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from demo_site.config import DemoSiteConfig
from demo_site.ehospital import EHospitalSite
from demo_site.faults import RETRY_AFTER_SECONDS, Fault
from demo_site.site import DemoSite, Page

#: The sites the server can play: doctorqna-like or 台灣e院.
AnySite = DemoSite | EHospitalSite

_PADDING_CHUNK = b" " * 65536
_ERROR_HTML = b"<!DOCTYPE html><html><head><title>%d</title></head><body><h1>%s</h1></body></html>"


@dataclass(frozen=True, slots=True)
class LogSnapshot:
    """A consistent copy of the request log at one moment."""

    requests: Counter[str]
    statuses: Counter[int]
    user_agents: Counter[str]
    conditional_requests: Counter[str]
    not_modified: Counter[str]
    max_concurrency: int

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def under(self, prefix: str) -> int:
        """Requests for paths starting with ``prefix`` (``"/en/private/"``: politeness)."""
        return sum(n for path, n in self.requests.items() if path.startswith(prefix))


class RequestLog:
    """What clients asked for. Thread-safe; keys are request paths including any query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything, including attempt numbers (faults fire again)."""
        with self._lock:
            self._requests: Counter[str] = Counter()
            self._attempts: Counter[str] = Counter()
            self._statuses: Counter[int] = Counter()
            self._user_agents: Counter[str] = Counter()
            self._conditional: Counter[str] = Counter()
            self._not_modified: Counter[str] = Counter()
            self._in_flight = 0
            self._max_concurrency = 0

    def begin(self, path: str, route: str, user_agent: str, conditional: bool) -> int:
        """Count a request; returns its attempt number for ``route`` (1 for the first)."""
        with self._lock:
            self._requests[path] += 1
            self._attempts[route] += 1
            self._user_agents[user_agent] += 1
            if conditional:
                self._conditional[path] += 1
            self._in_flight += 1
            self._max_concurrency = max(self._max_concurrency, self._in_flight)
            return self._attempts[route]

    def answer(self, path: str, status: int) -> None:
        """Record the status *before* it is sent (0: dropped without a response), so a client
        that has its response can already see it in the log."""
        with self._lock:
            self._statuses[status] += 1
            if status == 304:
                self._not_modified[path] += 1

    def end(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def count(self, path: str) -> int:
        with self._lock:
            return self._requests[path]

    def snapshot(self) -> LogSnapshot:
        with self._lock:
            return LogSnapshot(
                requests=Counter(self._requests),
                statuses=Counter(self._statuses),
                user_agents=Counter(self._user_agents),
                conditional_requests=Counter(self._conditional),
                not_modified=Counter(self._not_modified),
                max_concurrency=self._max_concurrency,
            )


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], site: AnySite, log: RequestLog) -> None:
        super().__init__(address, _Handler)
        self.site = site
        self.log = log


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle plus delayed ACKs
    # cap a keep-alive connection at ~25 responses a second.
    disable_nagle_algorithm = True
    server_version = "DemoQnA/1.0"
    sys_version = ""
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: thousands of requests a second would drown the test output."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        site, log = self.server.site, self.server.log
        route = site.fault_key(self.path)
        conditional = "If-None-Match" in self.headers or "If-Modified-Since" in self.headers
        user_agent = self.headers.get("User-Agent", "")
        attempt = log.begin(self.path, route, user_agent, conditional)
        try:
            fault = site.fault_for(route)
            if fault is not None and fault.on_the_wire and fault.applies(attempt):
                self._fault(fault, head)
            else:
                self._send(site.page(self.path, dict(self.headers.items())), head)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            log.end()

    def _send(self, page: Page, head: bool, declared_length: int | None = None) -> None:
        self.server.log.answer(self.path, page.status)
        self.send_response(page.status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        if page.status != 304:
            length = len(page.body) if declared_length is None else declared_length
            self.send_header("Content-Length", str(length))
        self.end_headers()
        if not head and page.status != 304:
            self.wfile.write(page.body)

    def _fault(self, fault: Fault, head: bool) -> None:
        """Misbehave as ``fault`` says."""
        kind = fault.kind
        if kind in ("500", "503", "429"):
            status = int(kind)
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if status != 500:
                headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            body = _ERROR_HTML % (status, self.responses[status][0].encode())
            self._send(Page(status, headers, body), head)
        elif kind == "redirect":
            article_id = int(self.path.rsplit("/", 1)[1].partition("?")[0])
            location = self.server.site.redirect_first_hop(article_id)
            self._send(Page(302, {"Location": location}, b""), head)
        elif kind == "reset":
            self.server.log.answer(self.path, 0)
            # Linger 0 turns the close into a TCP RST. Close here, before socketserver's
            # shutdown(SHUT_WR) would send a polite FIN first and the client would see EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.rfile.close()  # drops the last reference, so this close really closes
            self.connection.close()
        elif kind == "oversize":
            self._oversize(head)
        elif kind == "slow":
            page = self.server.site.page(self.path, dict(self.headers.items()))
            time.sleep(fault.delay)
            self._send(page, head)
        elif kind == "truncate":
            page = self.server.site.page(self.path, dict(self.headers.items()))
            self.close_connection = True
            cut = Page(page.status, page.headers, page.body[: len(page.body) // 2])
            self._send(cut, head, declared_length=len(page.body))
        else:
            raise AssertionError(f"fault {kind!r} is applied by DemoSite.page, not the server")

    def _oversize(self, head: bool) -> None:
        """The plain page padded to ``oversize_bytes``, streamed, never held in memory."""
        plain = self.server.site.page(self.path)
        total = max(self.server.site.config.oversize_bytes, len(plain.body))
        self.server.log.answer(self.path, 200)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        if head:
            return
        self.wfile.write(plain.body)
        remaining = total - len(plain.body)
        while remaining:
            chunk = _PADDING_CHUNK[: min(remaining, len(_PADDING_CHUNK))]
            self.wfile.write(chunk)
            remaining -= len(chunk)


class DemoServer:
    """A running demo site: ``base_url``, ``site`` (ground truth), ``log``; stop when done."""

    def __init__(self, site: AnySite, host: str = "127.0.0.1", port: int = 0) -> None:
        self.log = RequestLog()
        self._httpd = _Server((host, port), site, self.log)
        self.host, self.port = self._httpd.server_address[:2]
        self.base_url = f"http://{self.host}:{self.port}"
        site.base_url = self.base_url
        self.site = site
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"demo-site:{self.port}",
            daemon=True,
        )
        self._thread.start()

    def set_epoch(self, epoch: int) -> None:
        self.site.set_epoch(epoch)

    def url_for(self, article_id: int) -> str:
        return self.site.url_for(article_id)

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def serve_until_interrupted(self) -> None:
        """Block the calling thread until Ctrl-C (used by ``healthqa demo-site``)."""
        try:
            while self._thread.is_alive():
                self._thread.join(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def __enter__(self) -> DemoServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_demo_site(
    config: DemoSiteConfig | AnySite, host: str = "127.0.0.1", port: int = 0
) -> DemoServer:
    """Start serving in a background thread; ``port=0`` picks a free port (see ``base_url``).

    Use as ``with serve_demo_site(DemoSiteConfig(pages=300)) as server: ...`` or call
    ``server.stop()``.
    """
    site = DemoSite(config) if isinstance(config, DemoSiteConfig) else config
    return DemoServer(site, host, port)
