"""The demo site's content: deterministic, varied like the real site, links that resolve."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest

from demo_site import DemoSite, DemoSiteConfig
from parsers.record import QARecord


def _records(site: DemoSite) -> list[QARecord]:
    records = [site.record(i) for i in site.article_ids()]
    assert all(r is not None for r in records)
    return records  # type: ignore[return-value]


def test_same_seed_gives_the_same_bytes_in_any_order(site: DemoSite) -> None:
    again = DemoSite(DemoSiteConfig(pages=site.config.pages, seed=site.config.seed))
    ids = site.article_ids()
    assert again.article_ids() == ids
    for article_id in reversed(ids[::7]):  # other order, other instance: same bytes
        path = site.path_for(article_id)
        assert again.page(path) == site.page(path)
    assert again.page("/sitemap_index.xml") == site.page("/sitemap_index.xml")


def test_another_seed_gives_another_site(site: DemoSite) -> None:
    other = DemoSite(replace(site.config, seed=8))
    first = site.article_ids()[0]
    assert other.page(other.path_for(first)).body != site.page(site.path_for(first)).body


def test_pages_count_and_deleted_gaps(site: DemoSite) -> None:
    ids = site.article_ids()
    first, last = site.id_range()
    assert len(ids) == site.config.pages
    assert ids[0] == first == 200000 and ids[-1] == last
    gaps = set(range(first, last + 1)) - set(ids)
    assert 1 <= len(gaps) <= len(ids) * 0.08  # about 3%
    for gap in gaps:
        assert site.record(gap) is None
        page = site.page(site.path_for(gap))
        assert page.status == 404
        assert b"Page not found" in page.body


def test_page_variety_covers_every_layout_the_crawler_must_handle(site: DemoSite) -> None:
    records = _records(site)
    replies = Counter(len(r.answers) for r in records)
    assert replies[0] >= 20 and replies[1] >= 100 and replies[2] + replies[3] >= 20
    assert sum(r.explanation is None for r in records) >= 15
    explanations = [r.explanation for r in records if r.explanation]
    assert all(e.headings for e in explanations)
    assert sum(len(e.text) > 3000 for e in explanations) >= 10
    assert any(" | " in e.text for e in explanations)  # tables
    assert any(re.search(r"^1\. ", e.text, re.M) for e in explanations)  # ordered lists
    labels = Counter(r.asker.age_label for r in records)
    for form in ("30~39 year old", "40-49 years old", "under 18", "65 and above", "45 years old"):
        assert labels[form] >= 3, form
    sexes = Counter(r.asker.sex for r in records)
    assert sexes["female"] and sexes["male"] and sexes[None]
    assert sum(r.asker.name is None for r in records) >= 20
    assert any(re.search(r"[\u4e00-\u9fff]", r.question_body or "") for r in records)
    assert all(2 <= len(r.similar) <= 4 for r in records if r.similar)
    assert sum(not r.similar for r in records) >= 3
    assert sum(not r.related_faq for r in records) >= 15
    assert Counter(r.missing for r in records)[()] >= 50


def test_all_three_date_formats_are_used(site: DemoSite) -> None:
    text = b"".join(site.page(site.path_for(i)).body for i in site.article_ids()[:80])
    assert re.search(rb"Ask Date: (<time[^>]*>)?\d{4}/\d\d/\d\d", text)
    assert re.search(rb"Ask Date: (<time[^>]*>)?\d{4}-\d\d-\d\d", text)
    assert re.search(rb"Ask Date: (<time[^>]*>)?[A-Z][a-z]{2} \d{1,2}, \d{4}", text)
    assert re.search(rb"Reply Date: ", text)


def test_about_half_the_pages_carry_qapage_json_ld(site: DemoSite) -> None:
    bodies = [site.page(site.path_for(i)).body for i in site.article_ids()]
    share = sum(b'"@type": "QAPage"' in b for b in bodies) / len(bodies)
    assert 0.35 <= share <= 0.65


def test_similar_qa_teasers_describe_other_existing_articles(site: DemoSite) -> None:
    ids = set(site.article_ids())
    checked = 0
    for record in _records(site):
        for item in record.similar:
            assert item.url is not None
            target_id = int(item.url.rsplit("/", 1)[1])
            assert target_id in ids and str(target_id) != record.external_id
            target = site.record(target_id)
            assert target is not None and target.answers
            assert item.title == target.seo_title
            assert item.doctor_name == target.answers[0].doctor_name
            body = (target.question_body or "").replace("\n", " ")
            snippet = item.question_snippet or ""
            assert snippet == body or (
                snippet.endswith("...") and body.startswith(snippet[:-3]) and len(body) > 280
            )
            checked += 1
    assert checked > 300


@pytest.mark.parametrize("path", ["/en/faq/liver-fibrosis", "/en/latest/1", "/"])
def test_faq_and_listing_pages_link_to_existing_articles(site: DemoSite, path: str) -> None:
    page = site.page(path)
    assert page.status == 200
    linked = {int(m) for m in re.findall(rb'href="/en/article/(\d+)"', page.body)}
    assert linked <= set(site.article_ids())
    assert b"Ask Date:" not in page.body  # not an article
    if path != "/":
        assert linked
