"""The site registry: lookups by name and host, and each site's URL <-> id round trip."""

from __future__ import annotations

import pytest

import parsers
from parsers import sites
from parsers.urls import canonicalize_url


def test_every_site_is_found_by_its_name_and_its_hosts() -> None:
    assert sites.names() == ("doctorqna", "ehospital")
    for site in sites.SITES:
        assert sites.by_name(site.name) is site
        assert site.hosts, site.name
        for host in site.hosts:
            assert sites.for_url(f"https://{host.upper()}/any") is site
            assert parsers.site_for(f"https://{host}/any") == site.name
        assert parsers.parser_version(site.name) == site.version
    assert sites.by_name("qapage") is sites.GENERIC
    assert sites.for_url("https://example.org/q/1") is None
    assert parsers.parser_version("example.org") == sites.GENERIC.version


@pytest.mark.parametrize("site", sites.SITES, ids=lambda site: site.name)
@pytest.mark.parametrize("base", ["http://127.0.0.1:8123", None])
def test_an_id_url_round_trips_on_the_site_and_on_a_local_stand_in(
    site: sites.Site, base: str | None
) -> None:
    assert site.url_for is not None and site.default_base_url is not None
    url = site.url_for(base or site.default_base_url, 203000)
    assert url == canonicalize_url(url)
    assert site.external_id(url) == "203000"
    assert sites.external_id(site.name, url) == "203000"
    assert sites.question_id(url) == "203000"
    assert site.external_id((base or site.default_base_url) + "/") is None


def test_a_page_of_no_site_has_no_id() -> None:
    assert sites.external_id("example.org", "https://example.org/en/article/5") is None
    assert sites.external_id("qapage", "https://example.org/en/article/5") is None
    assert sites.question_id("https://example.org/faq/5") is None


def test_https_only_hosts_come_from_their_site() -> None:
    for site in sites.SITES:
        for host in site.hosts:
            scheme = "https" if site.https_only else "http"
            assert canonicalize_url(f"http://{host}/x").startswith(f"{scheme}://")
