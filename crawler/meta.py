"""``Request.meta`` keys the crawler's components use to talk to each other.

One module so the spider, the middlewares and the tests agree on the spelling.
"""

from __future__ import annotations

#: Set by the spider on requests whose 2xx answer should be parsed as a page.
PARSE = "healthqa_parse"
#: Link-following distance from a seed (seeds and sitemap entries are 0).
HOP = "healthqa_hop"
#: Set on requests that may carry If-None-Match / If-Modified-Since (incremental crawls).
CONDITIONAL = "healthqa_conditional"
#: The archive's last capture of the URL (``CaptureSummary`` or ``None``), looked up once.
PREVIOUS = "healthqa_previous"
#: The ``Capture`` of the response, left by the WARC middleware for the spider to complete.
CAPTURE = "healthqa_capture"
#: Marks an id probe beyond the highest known article (incremental discovery).
PROBE = "healthqa_probe"
#: ``"robots"`` or ``"sitemap"`` on requests for the files seeds are read from: their 2xx
#: captures are completed (with an error code if unreadable) by the spider, like pages.
SEED_FILE = "healthqa_seed_file"
