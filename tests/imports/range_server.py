"""A loopback file server that answers only HTTP range requests, as Common Crawl is used.

A request without a ``Range`` header fails (416) and is counted, so a test can assert that
no whole file was ever downloaded. ``fail_first`` paths answer 503 once, to exercise retries.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

_RANGE = re.compile(r"bytes=(\d+)-(\d+)$")


class RangeLog:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ranged = 0
        self.unranged = 0
        self.retried: Counter[str] = Counter()


@contextmanager
def serve_ranges(root: Path, fail_first: int = 0) -> Iterator[tuple[str, RangeLog]]:
    """Serve ``root``; the first ``fail_first`` range requests answer 503."""
    log = RangeLog()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = _RANGE.match(self.headers.get("Range", ""))
            with log.lock:
                if match is None:
                    log.unranged += 1
                else:
                    log.ranged += 1
                failing = match is not None and log.ranged <= fail_first
            if match is None:
                self.send_error(416, "only range requests are served")
                return
            if failing:
                log.retried[self.path] += 1
                self.send_error(503, "try again")
                return
            start, end = int(match.group(1)), int(match.group(2))
            with (root / self.path.lstrip("/")).open("rb") as fh:
                fh.seek(start)
                body = fh.read(end - start + 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/*")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", log
    finally:
        server.shutdown()
        server.server_close()
