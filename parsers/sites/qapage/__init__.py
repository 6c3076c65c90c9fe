"""The generic site: any page that declares schema.org ``QAPage`` data about itself.

It has no hosts (it is what the registry falls back to) and no URL shape: a record's
external id is whatever identifier the page states.
"""

from __future__ import annotations

from parsers.site import Site
from parsers.sites.qapage import parse

SITE = Site(name="qapage", version=parse.VERSION, parse=parse.parse_document)
