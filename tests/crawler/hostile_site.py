"""A hostile web site on 127.0.0.1 (port 0) for crawl tests, reusable by any test module.

It serves a deterministic ``DemoSite`` (so most pages have a known ground truth) and lets a
test replace any path with a misbehaviour: gzip bombs, corrupt gzip, pages nested 100,000
deep, sitemap indexes of a million URLs generated on the fly, multi-megabyte robots.txt,
malformed XML, TCP resets, redirects, foreign ``rel=canonical`` links, or any status and body.
Every request is logged with its arrival time, so a test can check what the crawler asked for
and in which order, e.g. that no hidden retry happened or that downloads went on while one
page was being parsed.

Usage::

    with HostileSite(DemoSiteConfig(pages=20)) as site:
        site.route("/en/article/200003", gzip_bomb())
        run_crawl(site.base_url, ...)
        assert site.log.count("/en/article/200003") == 1
"""

from __future__ import annotations

import gzip
import io
import os
import socket
import struct
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from demo_site.config import DemoSiteConfig
from demo_site.site import DemoSite

# -- what a route answers ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Visit:
    """One request as the route sees it: ``attempt`` counts requests for this path (1 first)."""

    path: str
    attempt: int
    headers: dict[str, str]


@dataclass(slots=True)
class Reply:
    """A response: ``body`` is bytes or an iterable of chunks (sent chunked, never buffered).

    ``reset`` drops the connection with a TCP RST instead of answering; ``fallthrough``
    serves the demo site's own page (a transient fault that is over).
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    reset: bool = False
    fallthrough: bool = False


Route = Callable[[Visit], Reply]


# -- the request log ---------------------------------------------------------------------------


class HostileLog:
    """Arrival times (``time.monotonic``) of every request, per path without the query."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, list[float]] = defaultdict(list)
        self._order: list[str] = []

    def add(self, path: str) -> int:
        with self._lock:
            self._times[path].append(time.monotonic())
            self._order.append(path)
            return len(self._times[path])

    def count(self, path: str) -> int:
        with self._lock:
            return len(self._times.get(path, ()))

    def times(self, path: str) -> list[float]:
        with self._lock:
            return list(self._times.get(path, ()))

    def paths(self) -> list[str]:
        """Every request path in arrival order."""
        with self._lock:
            return list(self._order)

    def total(self, prefix: str = "/") -> int:
        with self._lock:
            return sum(len(t) for p, t in self._times.items() if p.startswith(prefix))


# -- the server --------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    owner: HostileSite

    def handle_error(self, request: object, client_address: object) -> None:
        """Clients that hang up (cancelled downloads, resets) are part of the game."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        owner = self.server.owner
        route_path = self.path.partition("?")[0]
        attempt = owner.log.add(route_path)
        headers = dict(self.headers.items())
        route = owner.routes.get(route_path) or owner.prefix_route(route_path)
        try:
            reply = route(Visit(self.path, attempt, headers)) if route else Reply(fallthrough=True)
            if reply.fallthrough:
                page = owner.site.page(self.path, headers)
                reply = Reply(page.status, dict(page.headers), page.body)
            if reply.reset:
                self._reset()
            else:
                self._send(reply)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if isinstance(reply.body, bytes | bytearray):
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)
            return
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for chunk in reply.body:
            if chunk:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def _reset(self) -> None:
        # Linger 0 turns the close into a TCP RST (not a polite FIN the client reads as EOF).
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()
        self.connection.close()


class HostileSite:
    """A running hostile site: ``base_url``, ``site`` (ground truth), ``log``, ``route()``."""

    def __init__(self, config: DemoSiteConfig | None = None) -> None:
        self.site = DemoSite(config or DemoSiteConfig(pages=20, seed=5))
        self.routes: dict[str, Route] = {}
        self.prefixes: dict[str, Route] = {}
        self.log = HostileLog()
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.site.base_url = self.base_url
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()

    def route(self, path: str, behaviour: Route) -> str:
        """Serve ``behaviour`` at ``path``; returns the absolute URL."""
        self.routes[path] = behaviour
        return self.base_url + path

    def route_prefix(self, prefix: str, behaviour: Route) -> None:
        """Serve ``behaviour`` for every path starting with ``prefix`` (exact routes win)."""
        self.prefixes[prefix] = behaviour

    def prefix_route(self, path: str) -> Route | None:
        for prefix, behaviour in self.prefixes.items():
            if path.startswith(prefix):
                return behaviour
        return None

    def article_path(self, index: int) -> str:
        """Path of the ``index``-th existing article of the demo site."""
        return self.site.path_for(self.site.article_ids()[index])

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> HostileSite:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def closed_port_url() -> str:
    """An http URL on 127.0.0.1 where nothing listens (connections are refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# -- behaviours --------------------------------------------------------------------------------

_HTML = {"Content-Type": "text/html; charset=utf-8"}
_XML = {"Content-Type": "application/xml"}


def static(status: int = 200, body: bytes = b"", headers: dict[str, str] | None = None) -> Route:
    """The same answer every time."""
    return lambda visit: Reply(status, dict(headers or _HTML), body)


def gzip_bomb(decompressed_bytes: int = 200 * 1024 * 1024) -> Route:
    """200 with ``Content-Encoding: gzip`` whose body inflates to ``decompressed_bytes``."""
    buffer = io.BytesIO()
    zeros = bytes(1024 * 1024)
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as out:
        for _ in range(decompressed_bytes // len(zeros)):
            out.write(zeros)
    body = buffer.getvalue()
    return lambda visit: Reply(200, {**_HTML, "Content-Encoding": "gzip"}, body)


def corrupt_gzip() -> Route:
    """200 with ``Content-Encoding: gzip`` and bytes that are not a gzip stream."""
    body = b"\x1f\x8b\x08\x00" + os.urandom(2048)
    return lambda visit: Reply(200, {**_HTML, "Content-Encoding": "gzip"}, body)


def nested_html(depth: int, tag: str = "b", title: str = "Deep page") -> bytes:
    """An HTML page whose body nests ``tag`` ``depth`` levels deep around a question text."""
    opening = f"<{tag}>" * depth
    closing = f"</{tag}>" * depth
    return (
        f"<!DOCTYPE html><html><head><title>{title}</title></head><body>"
        f"<h1>{title}</h1>{opening}Why does my knee hurt?{closing}</body></html>"
    ).encode()


def deep_nesting(depth: int = 100_000, tag: str = "b") -> Route:
    body = nested_html(depth, tag)
    return lambda visit: Reply(200, dict(_HTML), body)


def reset(times: int | None = None) -> Route:
    """Reset the connection on the first ``times`` attempts (every attempt when None)."""

    def route(visit: Visit) -> Reply:
        if times is None or visit.attempt <= times:
            return Reply(reset=True)
        return Reply(fallthrough=True)

    return route


def redirect(location: str, status: int = 302) -> Route:
    return lambda visit: Reply(status, {"Location": location, "Content-Length": "0"}, b"")


def robots_txt(lines: Iterable[str], padding_bytes: int = 0) -> Route:
    """A robots.txt of ``lines`` followed by ``padding_bytes`` of Disallow rules."""
    head = "".join(f"{line}\n" for line in lines).encode()
    rule = b"Disallow: /private/%08d/\n"
    padding = b"".join(rule % n for n in range(padding_bytes // len(rule % 0)))
    body = head + padding
    return lambda visit: Reply(200, {"Content-Type": "text/plain"}, body)


def sitemap_index(children: Iterable[str]) -> Route:
    """A sitemap index listing ``children`` (absolute URLs)."""
    entries = "".join(f"<sitemap><loc>{url}</loc></sitemap>" for url in children)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{entries}</sitemapindex>"
    ).encode()
    return lambda visit: Reply(200, dict(_XML), body)


def urlset_chunks(urls: Iterable[str], chunk_urls: int = 2000) -> Iterator[bytes]:
    """A ``<urlset>`` of ``urls``, produced a few thousand URLs at a time."""
    yield (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    )
    batch: list[str] = []
    for url in urls:
        batch.append(f"<url><loc>{url}</loc></url>")
        if len(batch) >= chunk_urls:
            yield "".join(batch).encode()
            batch.clear()
    yield "".join(batch).encode() + b"</urlset>"


def generated_urlset(urls: Callable[[], Iterable[str]], gzipped: bool = False) -> Route:
    """A urlset generated on the fly at every request (a million URLs cost no memory here)."""

    def route(visit: Visit) -> Reply:
        chunks = urlset_chunks(urls())
        if gzipped:
            return Reply(200, {"Content-Type": "application/x-gzip"}, _gzip_stream(chunks))
        return Reply(200, dict(_XML), chunks)

    return route


def _gzip_stream(chunks: Iterable[bytes]) -> Iterator[bytes]:
    compressor = _GzipChunks()
    for chunk in chunks:
        yield compressor.feed(chunk)
    yield compressor.finish()


class _GzipChunks:
    """gzip-compresses a stream chunk by chunk (a ``.xml.gz`` file, not a Content-Encoding)."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._file = gzip.GzipFile(fileobj=self._buffer, mode="wb", mtime=0)

    def feed(self, data: bytes) -> bytes:
        self._file.write(data)
        return self._take()

    def finish(self) -> bytes:
        self._file.close()
        return self._take()

    def _take(self) -> bytes:
        data = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return data


def malformed_xml() -> Route:
    body = b'<?xml version="1.0"?><urlset><url><loc>http://x/en/article/1</loc></url><url><lo'
    return lambda visit: Reply(200, dict(_XML), body)


def with_canonical(site: HostileSite, path: str, canonical: str) -> Route:
    """The demo site's page at ``path`` with its ``rel=canonical`` replaced by ``canonical``."""

    def route(visit: Visit) -> Reply:
        page = site.site.page(path)
        body = page.body.decode("utf-8")
        start = body.index('<link rel="canonical"')
        end = body.index(">", start) + 1
        body = body[:start] + f'<link rel="canonical" href="{canonical}">' + body[end:]
        return Reply(page.status, dict(page.headers), body.encode("utf-8"))

    return route


def any_article(site: HostileSite) -> Route:
    """``/en/article/<n>`` for any ``n``: one demo article re-labelled with that id, so a
    site of a million URLs costs no memory and every page parses."""
    model_id = site.site.article_ids()[0]
    template = site.site.page(site.site.path_for(model_id)).body
    own_path = f"/en/article/{model_id}".encode()

    def route(visit: Visit) -> Reply:
        number = visit.path.partition("?")[0].rsplit("/", 1)[1]
        body = template.replace(own_path, f"/en/article/{number}".encode())
        return Reply(200, dict(_HTML), body)

    return route
