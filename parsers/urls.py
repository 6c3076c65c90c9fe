"""URL canonicalisation: one spelling per page, so a page is fetched and stored once.

Used by the parsers (``canonical_url``, link targets) and by the crawler (seeding, link
following, the duplicate filter), so both always agree on what "the same page" means.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

#: Query parameters that identify a campaign or a click, never a page.
TRACKING_PARAMS: frozenset[str] = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref",
        "ref_src",
        "spm",
        "_ga",
    }
)
TRACKING_PREFIXES: tuple[str, ...] = ("utm_",)

#: Hosts known to serve only HTTPS: an ``http://`` link to them names the same page. Declared
#: by the site registry (``parsers.sites``) from each site's description, so that this module
#: names no site; importing anything of ``parsers`` loads the registry first.
HTTPS_HOSTS: frozenset[str] = frozenset()

_DEFAULT_PORTS = {"http": 80, "https": 443}


def declare_https_only(hosts: Iterable[str]) -> None:
    """Add ``hosts`` to those whose ``http://`` URLs are canonicalised to ``https://``."""
    global HTTPS_HOSTS
    HTTPS_HOSTS = HTTPS_HOSTS | {host.lower() for host in hosts}


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


def canonicalize_url(url: str, base: str | None = None) -> str:
    """Return the canonical spelling of ``url`` (made absolute against ``base`` first).

    Lower-cases scheme and host, drops default ports, fragments and tracking parameters,
    sorts the remaining query, removes a trailing slash (except the root) and upgrades
    known HTTPS-only hosts to ``https``. Path case and percent-escapes are left alone:
    servers may treat them as significant.
    """
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if scheme == "http" and host in HTTPS_HOSTS:
        scheme, port = "https", None
    netloc = host
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/") or "/"
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not is_tracking_param(name)
    ]
    query = urlencode(sorted(query_pairs))
    return urlunsplit((scheme, netloc, path, query, ""))
