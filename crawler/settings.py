"""Scrapy settings: polite by default, every exchange archived before anything rewrites it.

``healthqa crawl`` starts from these and overrides a few per run (database, data directory,
``--no-politeness``); ``scrapy crawl doctorqna`` from the repository root uses them as they are.
"""

from __future__ import annotations

from crawler.identity import USER_AGENT as PROJECT_USER_AGENT

BOT_NAME = "healthqa"
SPIDER_MODULES = ["crawler.spiders"]
#: ``scrapy crawl`` here reads bad ``-a`` arguments as one line and exit 2 (crawler/commands).
COMMANDS_MODULE = "crawler.commands"
NEWSPIDER_MODULE = "crawler.spiders"

# -- identity and politeness --------------------------------------------------------------------
USER_AGENT = PROJECT_USER_AGENT
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
#: Pages are tens of kilobytes; anything this big is not a Q&A page and is recorded as
#: ``oversize`` instead of being downloaded.
DOWNLOAD_MAXSIZE = 5 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
#: Sitemaps may be bigger than pages: the protocol allows 50 MB (uncompressed) per file. One
#: sitemap is read at a time and streamed, so this bounds the crawl's memory too.
SITEMAP_MAX_BYTES = 50 * 1024 * 1024
#: robots.txt is read up to this size (RFC 9309 asks crawlers to read at least 500 KiB);
#: the archive keeps the whole file.
ROBOTSTXT_MAX_BYTES = 512 * 1024
#: At most this many requests wait in the (in-memory) scheduler; sitemap and id-range seeds
#: wait on disk or in their generator until there is room, so a million-URL sitemap costs
#: disk, not memory. 0 lifts the cap (it does not apply to a Redis frontier).
FRONTIER_MAX_PENDING = 1000
#: Longer URLs are dropped before they are requested: the archive stores up to 2,000 chars.
URLLENGTH_LIMIT = 2000
# -- parsing ------------------------------------------------------------------------------------
#: Pages are parsed in this many worker processes, off the reactor (``crawler/parsing.py``).
PARSE_WORKERS = 2
#: Per-page budget: a page whose parse takes longer fails with ``parse_timeout`` (its worker
#: is killed); one over these sizes fails with ``too_complex`` without being parsed. Both are
#: recorded on the capture and can be retried with ``healthqa reparse``.
PARSE_TIMEOUT = 10.0
PARSE_MAX_BYTES = 2 * 1024 * 1024
PARSE_MAX_TAGS = 250_000
#: The parse function (``module:attribute`` or ``file.py:attribute``); tests swap in a slow one.
PARSE_FUNCTION = "parsers:parse"

#: Stop with ``site_unreachable`` after this many attempts in a row failed at the network
#: level without the site ever answering (0 disables the check).
UNREACHABLE_AFTER_ATTEMPTS = 8
#: Scrapy starts this many asyncio tasks for EVERY response's callback output; a page yields
#: one item and a few links, and 100 (the default) made task creation the crawl's top cost.
CONCURRENT_ITEMS = 4
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False

# -- retries ------------------------------------------------------------------------------------
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
#: Exponential backoff for retries without Retry-After: base * 2**(attempt-1), capped.
RETRY_BACKOFF_BASE = 1.0
RETRY_BACKOFF_MAX = 60.0
#: A Retry-After longer than this is not waited out: the retry is given up and recorded.
RETRY_AFTER_MAX = 300.0

# -- components ---------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Replaced by the subclass that honours Retry-After and backs off.
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Adds If-None-Match / If-Modified-Since from the archive on incremental crawls.
    "crawler.middlewares.conditional.ConditionalRequestMiddleware": 560,
    # Above every built-in (900 = HttpCache): its process_response sees the body still
    # compressed and sees redirects and 5xx before Redirect/Retry act on them.
    "crawler.middlewares.warc_capture.WarcCaptureMiddleware": 950,
    # Counts attempts without any HTTP response; must see exceptions before Retry (550).
    "crawler.middlewares.unreachable.UnreachableSiteMiddleware": 940,
    # Gzip bombs and corrupt encodings become typed, recorded failures (same slot as Scrapy's).
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "crawler.middlewares.compression.SafeHttpCompressionMiddleware": 590,
    # After decompression: robots.txt is cut to ROBOTSTXT_MAX_BYTES before anyone parses it.
    "crawler.middlewares.robots_limit.RobotsTxtLimitMiddleware": 580,
}
#: Every HTTP attempt goes through the retry and WARC middlewares (no hidden pool retries).
DOWNLOAD_HANDLERS = {
    "http": "crawler.download.NoSilentRetryHTTPDownloadHandler",
    "https": "crawler.download.NoSilentRetryHTTPDownloadHandler",
}
DUPEFILTER_CLASS = "crawler.dupefilter.CanonicalDupeFilter"
ITEM_PIPELINES = {"crawler.pipelines.IngestPipeline": 300}
EXTENSIONS = {
    "scrapy.extensions.logstats.LogStats": None,
    "crawler.extensions.progress.ProgressLine": 500,
    # Owns the archive session (run row, WARC writer, ingest); every component gets it from
    # here with crawler.extensions.session.crawl_session(crawler).
    "crawler.extensions.session.ArchiveSession": 100,
}
LOG_LEVEL = "INFO"

# -- archive ------------------------------------------------------------------------------------
#: SQLAlchemy URL; ``None`` means ``sqlite:///<HEALTHQA_DATA_DIR>/archive.sqlite``.
HEALTHQA_DB_URL: str | None = None
HEALTHQA_DATA_DIR = "data"
HEALTHQA_WORKER_ID = "w0"
WARC_MAX_BYTES = 1_000_000_000
#: fsync after every record: survives power loss, costs throughput (see docs/benchmarks.md).
WARC_FSYNC = False
#: Ingest batches: one transaction per this many items or seconds, whichever comes first.
INGEST_BATCH_SIZE = 50
INGEST_BATCH_SECONDS = 2.0
#: SQLite page cache per connection (KiB) in the ingest worker and in the crawl process,
#: smaller than the archive's 64 MB default so the crawl's process tree stays under 300 MB
#: whatever the archive's size (0: keep the default).
INGEST_SQLITE_CACHE_KIB = 16_384
CRAWL_SQLITE_CACHE_KIB = 2_048
#: Stop fetching while more batches than this wait for the database (bounded memory).
INGEST_MAX_PENDING_BATCHES = 4
PROGRESS_INTERVAL = 5.0

#: Settings ``--no-politeness`` applies: for tests and benchmarks against the local demo site.
NO_POLITENESS: dict[str, object] = {
    "ROBOTSTXT_OBEY": True,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_DELAY": 0,
    "CONCURRENT_REQUESTS": 32,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 32,
    "RETRY_BACKOFF_BASE": 0.05,
    "RETRY_BACKOFF_MAX": 0.5,
    "RETRY_AFTER_MAX": 5.0,
}
