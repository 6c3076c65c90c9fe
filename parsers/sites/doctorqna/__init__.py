"""doctorqna.com: its article URLs, labels, asker line, sections, chrome and article parser.

``SITE`` is what the rest of the archive knows of it (``parsers.sites`` lists it); nothing
outside this package names its hosts, URL shapes or labels.
"""

from __future__ import annotations

from parsers.site import Site
from parsers.sites.doctorqna import labels, parse, urls

SITE = Site(
    name=parse.SITE,
    version=parse.VERSION,
    parse=parse.parse_document,
    hosts=urls.HOSTS,
    external_id=urls.external_id,
    url_for=urls.article_url,
    default_base_url=urls.DEFAULT_BASE_URL,
    https_only=True,
    failed_fetches_make_pages=True,
    label_words=labels.REGION_WORDS,
)
