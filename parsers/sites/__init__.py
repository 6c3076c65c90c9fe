"""The registry: the only list of the sites the archive has a parser for.

One package per site under ``parsers/sites/`` holds all of that site's knowledge and builds
one ``parsers.site.Site``; adding a site is one package and one line in ``SITES`` below
(``docs/sites.md``). Everything else (``parsers.parse``, storage's page identity, the
crawler's seeds and duplicate filter, the CLI) looks sites up here by name or by host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from parsers import urls
from parsers.site import Site
from parsers.sites import doctorqna, ehospital, qapage

#: Every site with its own parser.
SITES: tuple[Site, ...] = (doctorqna.SITE, ehospital.SITE)
#: The schema.org QAPage parser, for pages of any other host.
GENERIC: Site = qapage.SITE

_BY_NAME: dict[str, Site] = {site.name: site for site in (*SITES, GENERIC)}
_BY_HOST: dict[str, Site] = {host: site for site in SITES for host in site.hosts}

urls.declare_https_only(host for site in SITES if site.https_only for host in site.hosts)


def names() -> tuple[str, ...]:
    """The names of the sites with their own parser, in registry order."""
    return tuple(site.name for site in SITES)


def by_name(name: str) -> Site | None:
    """The site called ``name`` (``"qapage"`` is the generic one), or ``None``."""
    return _BY_NAME.get(name)


def for_url(url: str) -> Site | None:
    """The site whose hosts serve ``url``, or ``None`` if only the generic parser applies."""
    return _BY_HOST.get((urlsplit(url).hostname or "").lower())


def external_id(site: str, url: str) -> str | None:
    """The id that canonical ``url`` names on ``site`` (by name: a crawl of a local stand-in
    knows its site, not by host), or ``None`` if it is not one of that site's question pages.
    """
    found = _BY_NAME.get(site)
    return found.external_id(url) if found is not None else None


def failed_fetches_make_pages(site: str) -> bool:
    """Whether a fetch of one of ``site``'s question URLs that gave no record gets a page row."""
    found = _BY_NAME.get(site)
    return found is not None and found.failed_fetches_make_pages


def question_id(url: str) -> str | None:
    """The id ``url`` names under any site's question-page shape, host unchecked (a local
    stand-in of a site has its shape, not its host); ``None`` for any other page."""
    for site in SITES:
        found = site.external_id(url)
        if found is not None:
            return found
    return None


__all__ = [
    "GENERIC",
    "SITES",
    "Site",
    "by_name",
    "external_id",
    "failed_fetches_make_pages",
    "for_url",
    "names",
    "question_id",
]
