"""``DemoSite``: routes a path to a response and knows the ground truth behind every page.

The site is independent of any socket: ``page()`` answers what a well-behaved server would
send (conditional requests, gzip, the persistent content-type and Big5 faults), so tests and
the static-site writer share the exact bytes the HTTP server sends. Transient faults (errors,
resets, redirects...) depend on how often a path was asked for, so the server applies them.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from hashlib import sha1
from typing import NamedTuple

from demo_site import render
from demo_site.config import DemoSiteConfig
from demo_site.content import Article, ContentModel, EpochChanges, State, slugify
from demo_site.faults import Fault, plan_fault
from demo_site.truth import expected_record
from demo_site.words import DEPARTMENTS
from parsers import parser_version
from parsers.record import QARecord

#: At most this many URLs per sitemap file (the protocol allows 50,000; small files let tests
#: exercise the index with a few thousand pages).
SITEMAP_URLS = 1000
LISTING_SIZE = 50
FAQ_LINKS = 6

_ARTICLE = re.compile(r"^/en/article/(\d+)$")
_HOP = re.compile(r"^/en/r/(\d+)/(\d+)$")
_FAQ = re.compile(r"^/en/faq/([a-z0-9-]+)$")
_LATEST = re.compile(r"^/en/latest/(\d+)$")
_DEPARTMENT = re.compile(r"^/en/department/([a-z0-9-]+)$")
_SITEMAP = re.compile(r"^/sitemaps/articles-(\d+)\.xml$")

_TOPICS: dict[str, tuple[str, int]] = {
    slugify(topic): (topic, index)
    for index, department in enumerate(DEPARTMENTS)
    for topic in department.faq_topics
}


class Page(NamedTuple):
    """One response: ``status``, ``headers`` (without Content-Length) and the body bytes."""

    status: int
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class _Rendered:
    body: bytes
    etag: str
    last_modified: datetime
    content_type: str
    gzipped: bytes | None = field(default=None)

    def gzip_body(self) -> bytes:
        # Computed once per cached page; mtime=0 keeps compressed bytes deterministic too.
        if self.gzipped is None:
            self.gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self.gzipped


class DemoSite:
    """A deterministic doctorqna-like site for ``config``, served at ``base_url``."""

    def __init__(self, config: DemoSiteConfig, base_url: str = "http://127.0.0.1") -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self._epoch = config.epoch
        self.model = ContentModel(
            config.seed, config.first_id, config.pages, config.new_ids_per_epoch
        )
        self._rendered = lru_cache(maxsize=config.cache_size)(self._render)

    # -- ground truth ------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        """Move the whole site to ``epoch`` (later or earlier); pages answer accordingly."""
        if epoch < 1:
            raise ValueError(f"epoch must be at least 1, got {epoch}")
        self._epoch = epoch  # one attribute store: atomic, requests see old or new epoch

    def article_ids(self) -> tuple[int, ...]:
        """Ids of the articles that exist (answer 200) in the current epoch, ascending."""
        return self.model.article_ids(self._epoch)

    def id_range(self) -> tuple[int, int]:
        """The lowest and highest article id ever published up to the current epoch."""
        last = max(i for k in range(1, self._epoch + 1) for i in self.model.born_in(k)[-1:])
        return self.config.first_id, last

    def url_for(self, article_id: int) -> str:
        return f"{self.base_url}/en/article/{article_id}"

    def path_for(self, article_id: int) -> str:
        return f"/en/article/{article_id}"

    def article(self, article_id: int) -> Article | None:
        return self.model.article(article_id, self._epoch)

    def record(self, article_id: int) -> QARecord | None:
        """The record ``parsers.parse`` must return for this page now; None if it is a 404."""
        article = self.article(article_id)
        if article is None:
            return None
        version = parser_version("doctorqna")
        return expected_record(article, self.model.link_target, self.base_url, version)

    def changes(self, epoch: int | None = None) -> EpochChanges:
        """Ids added, changed and removed by ``epoch`` (default: the current one)."""
        return self.model.changes(epoch or self._epoch)

    # -- faults ------------------------------------------------------------------------

    def fault_key(self, path: str) -> str:
        """What the server counts attempts by: the path without its query."""
        return path.partition("?")[0]

    def fault_for(self, path: str) -> Fault | None:
        """The fault planned for ``path``; only existing article pages are ever faulted."""
        match = _ARTICLE.match(path)
        if not match or not self.model.exists(int(match[1]), self._epoch):
            return None
        return plan_fault(self.config.seed, path, self.config.fault_rate, self.config.faults)

    def faulted(self) -> dict[str, Fault]:
        """Every faulted article path of the current epoch."""
        faults = {}
        for article_id in self.article_ids():
            path = self.path_for(article_id)
            fault = self.fault_for(path)
            if fault is not None:
                faults[path] = fault
        return faults

    def never_servable_ids(self) -> frozenset[int]:
        """Articles no crawler with a sane response-size limit can fetch (oversize)."""
        return frozenset(
            int(path.rsplit("/", 1)[1]) for path, f in self.faulted().items() if not f.servable
        )

    def eventually_served_ids(self) -> tuple[int, ...]:
        """Articles a retrying crawler ends up with: every existing id but the oversize ones."""
        never = self.never_servable_ids()
        return tuple(i for i in self.article_ids() if i not in never)

    # -- responses ---------------------------------------------------------------------

    def page(self, path: str, request_headers: Mapping[str, str] | None = None) -> Page:
        """The response to a GET of ``path`` (may carry a query) with ``request_headers``.

        Honours ``If-None-Match``/``If-Modified-Since`` (304) and ``Accept-Encoding: gzip``
        on article pages, and applies the persistent faults (Big5, wrong content type). The
        ``Host`` header, when given, is used for the absolute URLs in robots.txt and sitemaps.
        """
        headers = {k.lower(): v for k, v in (request_headers or {}).items()}
        route, _, _query = path.partition("?")
        base = f"http://{headers['host']}" if "host" in headers else self.base_url
        match = _ARTICLE.match(route)
        if match:
            return self._article_page(int(match[1]), route, headers)
        page = self._other_page(route, base)
        if "gzip" in headers.get("accept-encoding", "") and page.body:
            compressed = gzip.compress(page.body, compresslevel=6, mtime=0)
            page.headers.update({"Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
            return Page(page.status, page.headers, compressed)
        return page

    def redirect_first_hop(self, article_id: int) -> str:
        return f"/en/r/{article_id}/1"

    def _article_page(self, article_id: int, path: str, headers: Mapping[str, str]) -> Page:
        state = self.model.state(article_id, self._epoch)
        if state is None or state.deleted_at is not None:
            return self.not_found()
        fault = self.fault_for(path)
        charset = "big5" if fault is not None and fault.kind == "big5" else "utf-8"
        rendered = self._rendered(article_id, state, charset)
        content_type = rendered.content_type
        if fault is not None and fault.content_type:
            content_type = fault.content_type
        validators = {
            "ETag": rendered.etag,
            "Last-Modified": format_datetime(rendered.last_modified, usegmt=True),
        }
        if _not_modified(headers, rendered):
            return Page(304, validators, b"")
        out = {
            "Content-Type": content_type,
            **validators,
            "Cache-Control": "max-age=600",
            "Vary": "Accept-Encoding",
        }
        if "gzip" in headers.get("accept-encoding", ""):
            out["Content-Encoding"] = "gzip"
            return Page(200, out, rendered.gzip_body())
        return Page(200, out, rendered.body)

    def _render(self, article_id: int, state: State, charset: str) -> _Rendered:
        # Keyed by history, not epoch: a page an epoch left alone keeps its bytes and ETag.
        article = self.model.build(article_id, state)
        html = render.article_page(article, self.model.link_target, charset)
        body = html.encode(charset, errors="xmlcharrefreplace")
        return _Rendered(
            body=body,
            etag=f'"{sha1(body).hexdigest()[:20]}"',
            last_modified=article.last_modified,
            content_type=f"text/html; charset={charset}",
        )

    def _other_page(self, route: str, base: str) -> Page:
        if route == "/robots.txt":
            return _text("text/plain; charset=utf-8", self.robots_txt(base))
        if route == "/sitemap_index.xml":
            return _text("application/xml", self.sitemap_index(base))
        if route == "/sitemaps/faq.xml":
            return _text("application/xml", self.faq_sitemap(base))
        if route.startswith("/en/private/") or route == "/en/private":
            return _html(render.message_page("Sign in - DoctorQnA", "Sign in", _SIGN_IN))
        if route == "/search":
            return _html(render.message_page("Search - DoctorQnA", "Search", _SEARCH))
        if route in ("/", "/en", "/en/"):
            return _html(self._home())
        for pattern, handler in (
            (_SITEMAP, self._sitemap_page),
            (_HOP, self._hop),
            (_FAQ, self._faq),
            (_LATEST, self._latest),
            (_DEPARTMENT, self._department),
        ):
            match = pattern.match(route)
            if match:
                return handler(match[1], match, base)
        return self.not_found()

    def not_found(self) -> Page:
        html = render.message_page("Page not found - DoctorQnA", "Page not found", _NOT_FOUND)
        return Page(404, {"Content-Type": "text/html; charset=utf-8"}, html.encode())

    # -- site files --------------------------------------------------------------------

    def robots_txt(self, base: str | None = None) -> str:
        return (
            "User-agent: *\n"
            "Disallow: /en/private/\n"
            "Disallow: /search\n"
            "\n"
            f"Sitemap: {base or self.base_url}/sitemap_index.xml\n"
        )

    def sitemap_chunks(self) -> list[tuple[int, ...]]:
        ids = self.article_ids()
        return [ids[i : i + SITEMAP_URLS] for i in range(0, len(ids), SITEMAP_URLS)]

    def sitemap_index(self, base: str | None = None) -> str:
        base = base or self.base_url
        entries = []
        for number, chunk in enumerate(self.sitemap_chunks(), start=1):
            newest = max(self._last_modified(i) for i in chunk)
            entries.append(
                f"<sitemap><loc>{base}/sitemaps/articles-{number}.xml</loc>"
                f"<lastmod>{newest.isoformat()}</lastmod></sitemap>"
            )
        entries.append(f"<sitemap><loc>{base}/sitemaps/faq.xml</loc></sitemap>")
        return _xml("sitemapindex", entries)

    def article_sitemap(self, number: int, base: str | None = None) -> str | None:
        chunks = self.sitemap_chunks()
        if not 1 <= number <= len(chunks):
            return None
        base = base or self.base_url
        entries = [
            f"<url><loc>{base}/en/article/{i}</loc>"
            f"<lastmod>{self._last_modified(i).isoformat()}</lastmod></url>"
            for i in chunks[number - 1]
        ]
        return _xml("urlset", entries)

    def faq_sitemap(self, base: str | None = None) -> str:
        base = base or self.base_url
        return _xml("urlset", [f"<url><loc>{base}/en/faq/{slug}</loc></url>" for slug in _TOPICS])

    def _last_modified(self, article_id: int) -> datetime:
        value = self.model.last_modified(article_id, self._epoch)
        assert value is not None
        return value

    def _sitemap_page(self, number: str, _match: re.Match[str], base: str) -> Page:
        text = self.article_sitemap(int(number), base)
        return self.not_found() if text is None else _text("application/xml", text)

    def _hop(self, article_id: str, match: re.Match[str], _base: str) -> Page:
        """One hop of a redirect chain: 302 to the next hop, the last one 301 to the page."""
        fault = self.fault_for(self.path_for(int(article_id)))
        hop = int(match[2])
        if fault is None or fault.kind != "redirect" or not 1 <= hop <= fault.hops:
            return self.not_found()
        if hop < fault.hops:
            return Page(302, {"Location": f"/en/r/{article_id}/{hop + 1}"}, b"")
        return Page(301, {"Location": self.path_for(int(article_id))}, b"")

    def _faq(self, slug: str, _match: re.Match[str], _base: str) -> Page:
        if slug not in _TOPICS:
            return self.not_found()
        topic, department = _TOPICS[slug]
        targets = self.model.link_targets[department][:FAQ_LINKS]
        links = [(self.path_for(t), self.model.link_target(t).seo_title) for t in targets]
        name = DEPARTMENTS[department].name
        html = render.link_list_page(
            f"{topic} - Health FAQ", topic, f"Questions about {topic} ({name}).", links
        )
        return _html(html)

    def _listing(self, title: str, ids: list[int], page: int, more: bool, path: str) -> Page:
        links = []
        for article_id in ids:
            article = self.article(article_id)
            if article is not None:
                links.append((self.path_for(article_id), article.title))
        if page > 1:
            links.append((f"{path}{page - 1}", "Previous page"))
        if more:
            links.append((f"{path}{page + 1}", "Next page"))
        return _html(render.link_list_page(f"{title} - DoctorQnA", title, _LISTING, links))

    def _latest(self, number: str, _match: re.Match[str], _base: str) -> Page:
        page = int(number)
        ids = list(reversed(self.article_ids()))
        start = (page - 1) * LISTING_SIZE
        if page < 1 or start >= len(ids):
            return self.not_found()
        chunk = ids[start : start + LISTING_SIZE]
        more = start + LISTING_SIZE < len(ids)
        return self._listing("Latest Questions", chunk, page, more, "/en/latest/")

    def _department(self, slug: str, _match: re.Match[str], _base: str) -> Page:
        matches = [d for d in DEPARTMENTS if d.slug == slug]
        if not matches:
            return self.not_found()
        department = matches[0]
        ids = [i for i in reversed(self.article_ids()) if self.model.department_of(i) is department]
        return self._listing(department.name, ids[:LISTING_SIZE], 1, False, "/en/latest/")

    def _home(self) -> str:
        links = [("/en/latest/1", "Latest Questions")]
        links += [(f"/en/department/{d.slug}", d.name) for d in DEPARTMENTS]
        return render.link_list_page("DoctorQnA - Ask a Doctor", "DoctorQnA", _HOME, links)

    def static_files(self, base: str | None = None) -> Iterator[tuple[str, bytes]]:
        """Every public path of the current epoch with its plain (uncompressed) body."""
        base = base or self.base_url
        yield "/robots.txt", self.robots_txt(base).encode()
        yield "/sitemap_index.xml", self.sitemap_index(base).encode()
        for number in range(1, len(self.sitemap_chunks()) + 1):
            text = self.article_sitemap(number, base)
            assert text is not None
            yield f"/sitemaps/articles-{number}.xml", text.encode()
        yield "/sitemaps/faq.xml", self.faq_sitemap(base).encode()
        yield "/index.html", self._home().encode()
        for article_id in self.article_ids():
            path = self.path_for(article_id)
            yield path, self.page(path).body
        for slug in _TOPICS:
            yield f"/en/faq/{slug}", self.page(f"/en/faq/{slug}").body
        for number in range(1, len(self.article_ids()) // LISTING_SIZE + 2):
            page = self.page(f"/en/latest/{number}")
            if page.status == 200:
                yield f"/en/latest/{number}", page.body
        yield "/404.html", self.not_found().body


def _not_modified(headers: Mapping[str, str], rendered: _Rendered) -> bool:
    """RFC 9110: If-None-Match wins; If-Modified-Since is only consulted without it."""
    if "if-none-match" in headers:
        tags = {t.strip().removeprefix("W/") for t in headers["if-none-match"].split(",")}
        return "*" in tags or rendered.etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return rendered.last_modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _text(content_type: str, text: str) -> Page:
    return Page(200, {"Content-Type": content_type}, text.encode())


def _html(text: str) -> Page:
    return _text("text/html; charset=utf-8", text)


def _xml(root: str, entries: list[str]) -> str:
    body = "\n".join(entries)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{root} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{body}\n</{root}>\n'
    )


_NOT_FOUND = "The page you are looking for does not exist or has been removed."
_SIGN_IN = "Please sign in to see your questions and messages."
_SEARCH = "Type a few words to search questions and answers."
_LISTING = "Recently asked questions and the doctors' replies."
_HOME = "Ask a doctor, read answers from specialists, and learn about common conditions."
