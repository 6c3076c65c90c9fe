"""``Site``: what the rest of the archive may know of one site, declared by its package.

Each package under ``parsers/sites/`` builds one ``Site``; the registry (``parsers.sites``)
lists them. Storage and the crawler ask a ``Site`` for a URL's external id or an id's URL
instead of holding a site's hosts or URL patterns themselves, so a site's knowledge lives in
its package only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from parsers.lines import Document
from parsers.record import QARecord


def _no_id(url: str) -> str | None:
    """For a site whose URLs carry no id (the generic parser): none."""
    return None


@dataclass(frozen=True, slots=True)
class Site:
    """One site's plugin: its name, hosts, URL shapes and parser.

    ``external_id(url)`` reads the site's own id from a canonical URL of one of its question
    pages (``None`` for any other page); it looks at the path and query only, so a local
    stand-in of the site (the demo site on 127.0.0.1) is read the same way.
    ``url_for(base_url, id)`` is the inverse, used to seed a crawl by id.
    """

    name: str
    version: str
    parse: Callable[[Document, str], QARecord]
    hosts: frozenset[str] = frozenset()
    external_id: Callable[[str], str | None] = _no_id
    url_for: Callable[[str, int | str], str] | None = None
    default_base_url: str | None = None
    #: The hosts serve only HTTPS, so an ``http://`` link to them names the same page.
    https_only: bool = False
    #: The site answers a question id it does not have with an empty page (not an error page).
    empty_means_not_found: bool = False
    #: A fetch of a question URL that gave no record (an error, a 404) still gets a page row,
    #: so the page is tried again. Not for a site that answers every id it lacks with a
    #: "does not exist" page: those are no pages, and must not raise the highest id that
    #: incremental crawls count up from.
    failed_fetches_make_pages: bool = False
    #: Lower-case words of its labels: a menu, header or footer holding one may be the
    #: article's own container and is read line by line (``parsers.flatten``).
    label_words: tuple[str, ...] = ()
