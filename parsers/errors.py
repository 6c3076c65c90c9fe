"""The only exceptions ``parsers.parse`` lets escape.

Every failure is a ``ParseError`` subclass with a stable ``code`` so the archive can record
why a capture produced no record, count failures by reason in crawl reports, and re-parse
exactly the failed captures after a parser fix.
"""

from __future__ import annotations


class ParseError(Exception):
    """Base class: the page yields no record. ``code`` is a stable machine-readable reason."""

    code: str = "parse_error"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        super().__init__(message)
        self.url = url

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"[{self.code}] {self.args[0]}{where}"


class EmptyBody(ParseError):
    """The response body is empty or whitespace only."""

    code = "empty_body"


class BinaryBody(ParseError):
    """The body is not text (an image, a PDF, compressed bytes served as HTML)."""

    code = "binary_body"


class NotAnArticle(ParseError):
    """The page is HTML but not a single Q&A article (a listing, a FAQ topic, a home page)."""

    code = "not_an_article"


class PageNotFound(ParseError):
    """The page is a "not found" or error page served with any status."""

    code = "page_not_found"


class UnsupportedSite(ParseError):
    """No site parser knows this host and the page carries no schema.org QAPage data."""

    code = "unsupported_site"


class ExtractionFailed(ParseError):
    """A parser hit something it did not expect; wraps the original error so none escapes."""

    code = "extraction_failed"


#: Every code a parser can report, for documentation and crawl reports.
ERROR_CODES: tuple[str, ...] = tuple(
    cls.code
    for cls in (
        EmptyBody,
        BinaryBody,
        NotAnArticle,
        PageNotFound,
        UnsupportedSite,
        ExtractionFailed,
    )
)
