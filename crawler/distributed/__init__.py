"""Distributed crawling: any number of ``healthqa crawl`` workers share one Redis frontier.

scrapy-redis supplies the shared queue and duplicate filter; this package adds what an archive
crawl needs on top: fingerprints of the canonical URL, a set of every page ever queued (so a
killed worker's requests can be found again), a registry of live workers, and the reconcile
step that re-queues what was queued but never captured. See docs/operations.md.
"""
