"""Pure parsing: response bytes + URL in, a frozen ``QARecord`` out.

``parse`` is the only entry point the rest of the project needs. It never lets anything but
a ``ParseError`` escape, so a crawl or a re-parse of old WARC files can record *why* a page
gave no record and carry on.
"""

from __future__ import annotations

from collections.abc import Mapping

from parsers import sites
from parsers.decode import markup_of
from parsers.errors import EmptyBody, ExtractionFailed, PageNotFound, ParseError, UnsupportedSite
from parsers.lines import load
from parsers.record import QARecord

#: Site name -> the version of its parser (from the registry, ``parsers.sites``). A version is
#: bumped whenever its parser's output changes, so the archive knows which stored records a
#: re-parse would change.
PARSER_VERSIONS: dict[str, str] = {
    site.name: site.version for site in (*sites.SITES, sites.GENERIC)
}


def parser_version(site: str) -> str:
    """The version of the parser that handles ``site`` (the generic one for unknown sites)."""
    return (sites.by_name(site) or sites.GENERIC).version


def site_for(url: str) -> str | None:
    """The site parser name for ``url``'s host, or ``None`` if only the generic one applies."""
    found = sites.for_url(url)
    return found.name if found is not None else None


def parse(
    body: bytes,
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    site: str | None = None,
) -> QARecord:
    """Extract the record from one archived response.

    ``site`` forces a site parser (the crawler passes ``"doctorqna"`` for the local demo
    site); otherwise the host decides, and pages of unknown hosts are parsed from their
    schema.org QAPage data. Raises only ``ParseError`` subclasses.
    """
    try:
        plugin = sites.for_url(url) if site is None else sites.by_name(site)
        if plugin is None and site is not None:
            raise UnsupportedSite(f"unknown site parser {site!r}", url=url)
        plugin = plugin or sites.GENERIC
        try:
            markup = markup_of(body, headers)
        except EmptyBody:
            if plugin.empty_means_not_found and plugin.external_id(url) is not None:
                raise PageNotFound("an empty question page: no such question", url=url) from None
            raise
        return plugin.parse(load(markup, plugin.label_words), url)
    except ParseError as error:
        error.url = error.url or url
        raise
    except Exception as error:  # the contract: only ParseError escapes
        raise ExtractionFailed(f"{type(error).__name__}: {error}", url=url) from error


__all__ = [
    "PARSER_VERSIONS",
    "ParseError",
    "QARecord",
    "parse",
    "parser_version",
    "site_for",
]
