"""Pure parsing: response bytes + URL in, a frozen ``QARecord`` out.

``parse`` is the only entry point the rest of the project needs. It never lets anything but
a ``ParseError`` escape, so a crawl or a re-parse of old WARC files can record *why* a page
gave no record and carry on.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from parsers.decode import markup_of
from parsers.errors import EmptyBody, ExtractionFailed, PageNotFound, ParseError, UnsupportedSite
from parsers.lines import Document, load
from parsers.record import QARecord
from parsers.sites.doctorqna import parse as doctorqna
from parsers.sites.ehospital import parse as ehospital
from parsers.sites.qapage import parse as qapage

#: Site name -> the version of its parser. Bump a version whenever its output changes, so
#: the archive knows which stored records a re-parse would change.
PARSER_VERSIONS: dict[str, str] = {
    doctorqna.SITE: doctorqna.VERSION,
    ehospital.SITE: ehospital.VERSION,
    "qapage": qapage.VERSION,
}

#: Host -> site parser name.
SITE_HOSTS: dict[str, str] = {
    "doctorqna.com": doctorqna.SITE,
    "www.doctorqna.com": doctorqna.SITE,
    **dict.fromkeys(ehospital.HOSTS, ehospital.SITE),
}

_SITE_PARSERS: dict[str, Callable[[Document, str], QARecord]] = {
    doctorqna.SITE: doctorqna.parse_document,
    ehospital.SITE: ehospital.parse_document,
}


def parser_version(site: str) -> str:
    """The version of the parser that handles ``site`` (the generic one for unknown sites)."""
    return PARSER_VERSIONS.get(site, PARSER_VERSIONS["qapage"])


def site_for(url: str) -> str | None:
    """The site parser name for ``url``'s host, or ``None`` if only the generic one applies."""
    return SITE_HOSTS.get((urlsplit(url).hostname or "").lower())


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
        name = site or site_for(url)
        if name is not None and name not in _SITE_PARSERS:
            raise UnsupportedSite(f"unknown site parser {name!r}", url=url)
        try:
            markup = markup_of(body, headers)
        except EmptyBody:
            if name == ehospital.SITE and ehospital.external_id(url) is not None:
                # 台灣e院 answers a question id it does not have with an empty page.
                raise PageNotFound("an empty question page: no such question", url=url) from None
            raise
        doc = load(markup)
        if name is None:
            return qapage.parse_document(doc, url)
        return _SITE_PARSERS[name](doc, url)
    except ParseError as error:
        error.url = error.url or url
        raise
    except Exception as error:  # the contract: only ParseError escapes
        raise ExtractionFailed(f"{type(error).__name__}: {error}", url=url) from error


__all__ = [
    "PARSER_VERSIONS",
    "SITE_HOSTS",
    "ParseError",
    "QARecord",
    "parse",
    "parser_version",
    "site_for",
]
