"""``rel=canonical`` never merges pages or sets a foreign id (issue 11, item 8).

A record's canonical URL is accepted only on the same site and only when it names the fetched
article; otherwise the capture is filed under the fetched URL and the declared canonical is
kept on the capture (``declared_canonical``). Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import text
from storage_factory import BASE_ID, article_url, make_capture, make_record

from storage import Archive


def _pages(archive: Archive) -> dict[str, str | None]:
    with archive.engine.connect() as conn:
        return dict(conn.execute(text("SELECT url, external_id FROM pages")).all())


def _declared(archive: Archive, url: str) -> list[str | None]:
    with archive.engine.connect() as conn:
        query = text("SELECT declared_canonical FROM captures WHERE url = :url")
        return list(conn.execute(query, {"url": url}).scalars())


def test_off_site_canonical_keeps_the_fetched_page_and_its_own_id(archive: Archive) -> None:
    fetched = article_url(1)
    foreign = "https://evil.example/en/article/999999"
    record = make_record(1, canonical_url=foreign, external_id="999999")
    result = archive.ingest(record, make_capture(fetched))
    assert result.status == "new"
    assert _pages(archive) == {fetched: str(BASE_ID + 1)}
    assert _declared(archive, fetched) == [foreign]
    stored = archive.record(fetched)
    assert stored is not None
    assert stored.canonical_url == fetched and stored.external_id == str(BASE_ID + 1)


def test_canonical_naming_another_article_never_merges_two_pages(archive: Archive) -> None:
    """Two fetched articles both claiming a third (never fetched) stay two pages."""
    third = article_url(3)
    for n in (1, 2):
        record = make_record(n, canonical_url=third, external_id=str(BASE_ID + 3))
        assert archive.ingest(record, make_capture(article_url(n))).status == "new"
    assert _pages(archive) == {
        article_url(1): str(BASE_ID + 1),
        article_url(2): str(BASE_ID + 2),
    }
    assert archive.record(third) is None
    for n in (1, 2):
        assert _declared(archive, article_url(n)) == [third]
        stored = archive.record(article_url(n))
        assert stored is not None and stored.question_title == make_record(n).question_title


def test_canonical_of_the_same_article_is_accepted(archive: Archive) -> None:
    """www., a moved path or a tracking parameter: the site naming the same article."""
    canonical = article_url(1)
    fetched = [
        canonical.replace("https://", "https://www."),
        canonical.replace("/en/article/", "/en/questions/article/"),
        canonical + "?utm_source=mail",
    ]
    record = make_record(1)
    for minutes, url in enumerate(fetched):
        archive.ingest(replace(record, url=url), make_capture(url, minutes=minutes))
    assert _pages(archive) == {canonical: str(BASE_ID + 1)}
    for url in fetched:
        assert _declared(archive, url) == [None]


def test_a_fetched_url_that_is_not_an_article_keeps_its_own_page(archive: Archive) -> None:
    """Without an article id in the fetched URL nothing proves the canonical names it."""
    fetched = "https://doctorqna.com/en/popular?page=2"
    record = make_record(4, url=fetched)  # canonical_url: article 4
    archive.ingest(record, make_capture(fetched))
    assert set(_pages(archive)) == {fetched}
    assert _declared(archive, fetched) == [article_url(4)]


def test_reingest_with_an_accepted_canonical_clears_the_declared_value(archive: Archive) -> None:
    """A re-parse (same fetch) refreshes what parsing said, the canonical verdict included."""
    fetched = article_url(5)
    capture = make_capture(fetched)
    archive.ingest(make_record(5, canonical_url="https://evil.example/x"), capture)
    assert _declared(archive, fetched) == ["https://evil.example/x"]
    archive.ingest(make_record(5), capture)
    assert _declared(archive, fetched) == [None]
