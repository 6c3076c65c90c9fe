"""Epochs: exactly the announced pages are added, changed and removed."""

from __future__ import annotations

from collections import Counter

import httpx

from demo_site import DemoSite, DemoSiteConfig, serve_demo_site

CONFIG = DemoSiteConfig(pages=300, seed=21, new_ids_per_epoch=25)


def _snapshot(site: DemoSite) -> dict[int, tuple[bytes, str]]:
    pages = {}
    for article_id in site.article_ids():
        page = site.page(site.path_for(article_id))
        pages[article_id] = (page.body, page.headers["ETag"])
    return pages


def test_each_epoch_changes_exactly_what_it_announces() -> None:
    site = DemoSite(CONFIG)
    before = _snapshot(site)
    records_before = {i: site.record(i) for i in before}
    kinds: Counter[str] = Counter()
    for epoch in (2, 3):
        site.set_epoch(epoch)
        changes = site.changes()
        after = _snapshot(site)
        assert changes.added == set(after) - set(before)
        assert len(changes.added) == CONFIG.new_ids_per_epoch
        assert min(changes.added) > max(before)
        assert changes.removed == set(before) - set(after)
        differ = {i for i in set(before) & set(after) if before[i] != after[i]}
        assert changes.changed == differ
        assert changes.changed and changes.removed
        for article_id in differ:  # new content, new validator
            assert before[article_id][1] != after[article_id][1]
        for article_id in changes.removed:
            assert site.record(article_id) is None
            assert site.page(site.path_for(article_id)).status == 404
        for article_id in changes.changed:
            was, now = records_before[article_id], site.record(article_id)
            assert was is not None and now is not None
            kinds["answered" if not was.answers and now.answers else "edited"] += 1
        before = after
        records_before = {i: site.record(i) for i in after}
    assert kinds["answered"] and kinds["edited"]


def test_epochs_are_reproducible_from_a_fresh_site() -> None:
    moved = DemoSite(CONFIG)
    moved.set_epoch(2)
    fresh = DemoSite(DemoSiteConfig(pages=300, seed=21, new_ids_per_epoch=25, epoch=2))
    assert moved.article_ids() == fresh.article_ids()
    assert moved.changes() == fresh.changes()
    some = fresh.article_ids()[-5]
    assert moved.page(moved.path_for(some)) == fresh.page(fresh.path_for(some))


def test_switching_epoch_on_a_running_server() -> None:
    with serve_demo_site(CONFIG) as server, httpx.Client(base_url=server.base_url) as client:
        site = server.site
        etags = {i: client.get(site.path_for(i)).headers["etag"] for i in site.article_ids()[:150]}
        server.set_epoch(2)
        changes = site.changes()
        for article_id, etag in etags.items():
            response = client.get(site.path_for(article_id), headers={"If-None-Match": etag})
            if article_id in changes.removed:
                assert response.status_code == 404
            elif article_id in changes.changed:
                assert response.status_code == 200 and response.headers["etag"] != etag
            else:
                assert response.status_code == 304
        assert {client.get(site.path_for(i)).status_code for i in changes.added} == {200}
        assert site.changes(2) == changes and site.changes(1).added == set(
            DemoSite(CONFIG).article_ids()
        )
