"""The demo site over a real socket: site files, 404s, validators, gzip and the request log."""

from __future__ import annotations

import gzip
import urllib.robotparser
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import httpx

from demo_site import DemoServer, DemoSiteConfig, serve_demo_site

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_robots_txt_disallows_private_and_search_and_names_the_sitemap(
    server: DemoServer,
) -> None:
    text = httpx.get(f"{server.base_url}/robots.txt").text
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(text.splitlines())
    base = server.base_url
    assert not robots.can_fetch("healthqa", f"{base}/en/private/account")
    assert not robots.can_fetch("healthqa", f"{base}/search?q=liver")
    assert robots.can_fetch("healthqa", server.url_for(server.site.article_ids()[0]))
    assert robots.site_maps() == [f"{base}/sitemap_index.xml"]


def test_sitemap_index_lists_every_article_once_in_files_of_at_most_1000() -> None:
    with serve_demo_site(DemoSiteConfig(pages=2100, seed=5)) as server, httpx.Client() as client:
        index = ET.fromstring(client.get(f"{server.base_url}/sitemap_index.xml").content)
        locations = [e.text or "" for e in index.findall("s:sitemap/s:loc", NS)]
        assert len(locations) == 4  # three article files and the FAQ file
        urls: list[str] = []
        for location in locations:
            assert location.startswith(server.base_url)
            urlset = ET.fromstring(client.get(location).content)
            entries = urlset.findall("s:url", NS)
            assert 0 < len(entries) <= 1000
            if "articles" in location:
                assert all(e.find("s:lastmod", NS) is not None for e in entries)
                urls += [e.findtext("s:loc", "", NS) for e in entries]
        assert urls == [server.url_for(i) for i in server.site.article_ids()]


def test_unknown_ids_and_paths_get_an_html_not_found_page(server: DemoServer) -> None:
    first, last = server.site.id_range()
    gaps = sorted(set(range(first, last + 1)) - set(server.site.article_ids()))
    for path in (f"/en/article/{last + 1}", f"/en/article/{gaps[0]}", "/no/such/page"):
        response = httpx.get(f"{server.base_url}{path}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "Page not found" in response.text


def test_articles_answer_conditional_requests_with_304(server: DemoServer) -> None:
    url = server.url_for(server.site.article_ids()[3])
    with httpx.Client() as client:
        first = client.get(url)
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert first.status_code == 200 and etag.startswith('"')
        by_etag = client.get(url, headers={"If-None-Match": etag})
        by_date = client.get(url, headers={"If-Modified-Since": modified})
        stale = client.get(url, headers={"If-None-Match": '"something-else"'})
        old_date = client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"})
    assert (by_etag.status_code, by_etag.content, by_etag.headers["etag"]) == (304, b"", etag)
    assert by_date.status_code == 304
    assert stale.status_code == 200 and stale.content == first.content
    assert old_date.status_code == 200
    log = server.log.snapshot()
    path = server.site.path_for(server.site.article_ids()[3])
    assert log.conditional_requests[path] == 4
    assert log.not_modified[path] == 2


def test_gzip_is_sent_only_when_asked_and_decompresses_to_the_plain_page(
    server: DemoServer,
) -> None:
    url = server.url_for(server.site.article_ids()[0])
    with httpx.Client() as client:
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
            raw = b"".join(response.iter_raw())
            encoding = response.headers["content-encoding"]
    assert "content-encoding" not in plain.headers
    assert encoding == "gzip" and raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == plain.content


def test_request_log_counts_paths_user_agents_and_private_hits(server: DemoServer) -> None:
    article = server.site.path_for(server.site.article_ids()[0])
    with httpx.Client(base_url=server.base_url, headers={"User-Agent": "probe/1"}) as client:
        for _ in range(3):
            client.get(article)
        client.get("/en/private/account")
        client.head(article)
    log = server.log.snapshot()
    assert log.requests[article] == 4
    assert log.requests["/en/private/account"] == 1
    assert log.under("/en/private/") == 1 and log.under("/en/article/") == 4
    assert log.user_agents == {"probe/1": 5}
    assert log.total == 5 and server.log.count(article) == 4


def test_max_concurrency_reflects_parallel_clients() -> None:
    # Slow first attempts (1-2 s each) make parallel requests overlap for certain.
    config = DemoSiteConfig(pages=8, seed=7, fault_rate=1.0, faults=("slow",))
    with serve_demo_site(config) as server, httpx.Client(base_url=server.base_url) as client:
        paths = [server.site.path_for(i) for i in server.site.article_ids()]
        with ThreadPoolExecutor(max_workers=8) as pool:
            statuses = set(pool.map(lambda path: client.get(path).status_code, paths))
        log = server.log.snapshot()
    assert statuses == {200}
    assert 2 <= log.max_concurrency <= 8
    assert log.statuses[200] == 8


def test_pages_do_not_depend_on_the_port_they_are_served_from() -> None:
    config = DemoSiteConfig(pages=30, seed=2)
    with serve_demo_site(config) as one, serve_demo_site(config) as two:
        path = one.site.path_for(one.site.article_ids()[5])
        assert one.port != two.port
        assert httpx.get(one.base_url + path).content == httpx.get(two.base_url + path).content


def test_head_and_listing_pages(server: DemoServer) -> None:
    article = server.site.path_for(server.site.article_ids()[0])
    with httpx.Client(base_url=server.base_url) as client:
        head = client.head(article, headers={"Accept-Encoding": "identity"})
        get = client.get(article, headers={"Accept-Encoding": "identity"})
        latest = client.get("/en/latest/2")
        department = client.get("/en/department/cardiology")
        beyond = client.get("/en/latest/99")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]
    assert latest.status_code == 200 and 'href="/en/latest/1"' in latest.text
    assert department.status_code == 200 and "/en/article/" in department.text
    assert beyond.status_code == 404
