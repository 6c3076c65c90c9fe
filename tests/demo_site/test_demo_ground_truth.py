"""Every demo page parses to exactly its ground truth: the contract crawl tests rely on."""

from __future__ import annotations

import json

from demo_site import DemoSite, DemoSiteConfig
from parsers import parse
from parsers.record import QARecord


def _mismatch(site: DemoSite, article_id: int, got: QARecord) -> str:
    expected = site.record(article_id)
    assert expected is not None
    want, have = expected.to_dict(), got.to_dict()
    diffs = {k: {"expected": want[k], "parsed": have[k]} for k in want if want[k] != have[k]}
    return f"{site.url_for(article_id)}: {json.dumps(diffs, ensure_ascii=False, indent=1)}"


def _check(site: DemoSite) -> list[str]:
    problems = []
    for article_id in site.article_ids():
        page = site.page(site.path_for(article_id))
        record = parse(page.body, site.url_for(article_id), page.headers, site="doctorqna")
        if record != site.record(article_id):
            problems.append(_mismatch(site, article_id, record))
    return problems


def test_every_page_parses_to_its_ground_truth(site: DemoSite) -> None:
    problems = _check(site)
    assert not problems, f"{len(problems)} pages differ; first:\n" + "\n".join(problems[:3])


def test_big5_and_mislabelled_pages_parse_to_the_same_truth() -> None:
    config = DemoSiteConfig(pages=40, seed=3, fault_rate=1.0, faults=("big5", "content_type"))
    faulty, clean = DemoSite(config), DemoSite(DemoSiteConfig(pages=40, seed=3))
    kinds = {fault.kind for fault in faulty.faulted().values()}
    assert kinds == {"big5", "content_type"}
    assert not _check(faulty)
    for article_id in faulty.article_ids():
        assert faulty.record(article_id) == clean.record(article_id)


def test_pages_changed_by_later_epochs_parse_to_their_new_truth() -> None:
    site = DemoSite(DemoSiteConfig(pages=300, seed=9, new_ids_per_epoch=30, epoch=3))
    touched = set()
    for epoch in (2, 3):
        changes = site.changes(epoch)
        touched |= (changes.changed | changes.added) - site.changes(3).removed
    assert len(touched) > 60
    problems = []
    for article_id in sorted(touched):
        page = site.page(site.path_for(article_id))
        record = parse(page.body, site.url_for(article_id), page.headers, site="doctorqna")
        if record != site.record(article_id):
            problems.append(_mismatch(site, article_id, record))
    assert not problems, "\n".join(problems[:3])
