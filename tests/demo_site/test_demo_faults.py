"""Each fault over a real socket, and the page it eventually serves."""

from __future__ import annotations

import socket
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from demo_site import DemoServer, DemoSite, DemoSiteConfig, serve_demo_site

OVERSIZE = 2 * 1024 * 1024


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[DemoServer]:
    """A small site where every article has the fault named by the test's parameter."""
    config = DemoSiteConfig(
        pages=12, seed=11, fault_rate=1.0, faults=(request.param,), oversize_bytes=OVERSIZE
    )
    with serve_demo_site(config) as server:
        yield server


def _attempts(server: DemoServer, path: str, tries: int = 4) -> list[httpx.Response | str]:
    """GET ``path`` ``tries`` times; transport errors become their class name."""
    outcomes: list[httpx.Response | str] = []
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        for _ in range(tries):
            try:
                outcomes.append(client.get(path))
            except httpx.TransportError as exc:
                outcomes.append(type(exc).__name__)
    return outcomes


def _first_path(server: DemoServer) -> tuple[str, int]:
    path, fault = next(iter(server.site.faulted().items()))
    assert fault.attempts in (1, 2)
    return path, fault.attempts or 0


@pytest.mark.parametrize("faulty", ["500", "503", "429"], indirect=True)
def test_error_statuses_hit_the_first_attempts_then_the_page_is_served(
    faulty: DemoServer,
) -> None:
    path, failing = _first_path(faulty)
    kind = faulty.site.fault_for(path).kind  # type: ignore[union-attr]
    outcomes = _attempts(faulty, path)
    assert all(isinstance(o, httpx.Response) for o in outcomes)
    statuses = [o.status_code for o in outcomes]  # type: ignore[union-attr]
    assert statuses == [int(kind)] * failing + [200] * (4 - failing)
    error = outcomes[0]
    assert isinstance(error, httpx.Response)
    assert error.headers.get("retry-after") == (None if kind == "500" else "1")
    assert outcomes[-1].content == faulty.site.page(path).body  # type: ignore[union-attr]


@pytest.mark.parametrize("faulty", ["reset"], indirect=True)
def test_connection_resets_send_nothing_then_the_page_is_served(faulty: DemoServer) -> None:
    path, failing = _first_path(faulty)
    for _ in range(failing):
        with socket.create_connection((faulty.host, faulty.port), timeout=10) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: demo\r\n\r\n".encode())
            with pytest.raises(ConnectionResetError):
                sock.recv(1024)
    served = _attempts(faulty, path, tries=1)[0]
    assert isinstance(served, httpx.Response) and served.status_code == 200
    assert faulty.log.snapshot().statuses == {0: failing, 200: 1}


@pytest.mark.parametrize("faulty", ["truncate"], indirect=True)
def test_truncated_bodies_promise_more_than_they_send(faulty: DemoServer) -> None:
    path, failing = _first_path(faulty)
    full = faulty.site.page(path).body
    identity = {"Accept-Encoding": "identity"}
    with (
        httpx.Client(headers=identity) as client,
        client.stream("GET", faulty.base_url + path) as response,
    ):
        assert int(response.headers["content-length"]) == len(full)
        with pytest.raises(httpx.RemoteProtocolError, match="complete message"):
            b"".join(response.iter_raw())
    outcomes = _attempts(faulty, path, tries=failing + 1)
    served = outcomes[-1]
    assert isinstance(served, httpx.Response) and served.content == full


@pytest.mark.parametrize("faulty", ["slow"], indirect=True)
def test_slow_responses_outlast_a_short_timeout_then_come_quickly(faulty: DemoServer) -> None:
    path, _ = _first_path(faulty)
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(faulty.base_url + path, timeout=httpx.Timeout(5, read=0.5))
    retry = httpx.get(faulty.base_url + path, timeout=10)
    assert retry.status_code == 200 and retry.content == faulty.site.page(path).body


@pytest.mark.parametrize("faulty", ["redirect"], indirect=True)
def test_redirect_chains_lead_back_to_the_real_page(faulty: DemoServer) -> None:
    for path, fault in list(faulty.site.faulted().items())[:4]:
        first = httpx.get(faulty.base_url + path)
        assert first.status_code == 302 and first.headers["location"].startswith("/en/r/")
        faulty.log.reset()  # the chain fires on the first attempt only; start again
        followed = httpx.get(faulty.base_url + path, follow_redirects=True)
        assert [r.status_code for r in followed.history] == [302] * fault.hops + [301]
        assert str(followed.url) == faulty.base_url + path
        assert followed.content == faulty.site.page(path).body


@pytest.mark.parametrize("faulty", ["content_type"], indirect=True)
def test_wrong_content_type_on_every_attempt_but_the_html_is_intact(faulty: DemoServer) -> None:
    seen = set()
    for path in list(faulty.site.faulted())[:6]:
        for response in _attempts(faulty, path, tries=2):
            assert isinstance(response, httpx.Response) and response.status_code == 200
            seen.add(response.headers["content-type"])
            assert response.content == faulty.site.page(path).body
            assert response.content.startswith(b"<!DOCTYPE html>")
    assert seen == {"application/octet-stream", "text/plain; charset=utf-8"}


@pytest.mark.parametrize("faulty", ["big5"], indirect=True)
def test_big5_pages_are_encoded_in_big5_with_matching_labels(faulty: DemoServer) -> None:
    path = next(iter(faulty.site.faulted()))
    response = httpx.get(faulty.base_url + path)
    assert response.headers["content-type"] == "text/html; charset=big5"
    assert b'<meta charset="big5">' in response.content
    with pytest.raises(UnicodeDecodeError):
        response.content.decode("utf-8")
    assert "繁體中文" in response.content.decode("big5")


@pytest.mark.parametrize("faulty", ["oversize"], indirect=True)
def test_oversize_pages_are_oversize_every_time_and_never_servable(faulty: DemoServer) -> None:
    path = next(iter(faulty.site.faulted()))
    for _ in range(2):
        with httpx.Client() as client, client.stream("GET", faulty.base_url + path) as response:
            assert int(response.headers["content-length"]) == OVERSIZE
            assert sum(len(chunk) for chunk in response.iter_raw()) == OVERSIZE
    site = faulty.site
    assert site.never_servable_ids() == set(site.article_ids())
    assert site.eventually_served_ids() == ()


def test_fault_plans_are_deterministic_and_spread_over_the_kinds() -> None:
    config = DemoSiteConfig(pages=400, seed=4, fault_rate=0.2)
    plan = DemoSite(config).faulted()
    assert plan == DemoSite(config).faulted()
    assert 40 <= len(plan) <= 120
    kinds = Counter(f.kind for f in plan.values())
    assert len(kinds) == 10
    site = DemoSite(config)
    never = {int(p.rsplit("/", 1)[1]) for p, f in plan.items() if f.kind == "oversize"}
    assert site.never_servable_ids() == never
    assert set(site.eventually_served_ids()) == set(site.article_ids()) - never
    assert DemoSite(DemoSiteConfig(pages=400, seed=4)).faulted() == {}


def test_non_article_paths_are_never_faulted() -> None:
    site = DemoSite(DemoSiteConfig(pages=20, fault_rate=1.0))
    for path in ("/robots.txt", "/sitemap_index.xml", "/en/faq/jaundice", "/en/article/1"):
        assert site.fault_for(path) is None


def test_bad_configs_are_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="unknown fault types"):
        DemoSiteConfig(faults=("500", "teapot"))
    with pytest.raises(ValueError, match="fault_rate"):
        DemoSiteConfig(fault_rate=1.5)
    with pytest.raises(ValueError, match="pages"):
        DemoSiteConfig(pages=0)
