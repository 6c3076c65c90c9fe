"""台灣e院 (Taiwan e-Hospital): its question URLs, Big5 quirks and question parser.

``SITE`` is what the rest of the archive knows of it (``parsers.sites`` lists it); nothing
outside this package names its host, URL shapes or labels.
"""

from __future__ import annotations

from parsers.site import Site
from parsers.sites.ehospital import parse, urls

SITE = Site(
    name=parse.SITE,
    version=parse.VERSION,
    parse=parse.parse_document,
    hosts=urls.HOSTS,
    external_id=urls.external_id,
    url_for=urls.question_url,
    default_base_url=urls.DEFAULT_BASE_URL,
    label_words=parse.REGION_WORDS,
    empty_means_not_found=True,  # an id it does not have is answered with an empty page
)
