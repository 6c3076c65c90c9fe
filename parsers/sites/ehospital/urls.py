"""台灣e院's host and question URLs: ``<base>/doctor/All/ShowDetail.php?q_no=<id>``."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from parsers.urls import canonicalize_url

HOSTS: frozenset[str] = frozenset({"sp1.hso.mohw.gov.tw"})
DEFAULT_BASE_URL = "https://sp1.hso.mohw.gov.tw"
#: The question page; ``q_no`` is the question's id. ``Index1.php`` links the latest one.
QUESTION_PATH = "/doctor/All/ShowDetail.php"
INDEX_PATH = "/doctor/Index1.php"


def question_url(base_url: str, q_no: int | str) -> str:
    """The canonical URL of question ``q_no`` on the site (or a stand-in) at ``base_url``."""
    return canonicalize_url(f"{base_url.rstrip('/')}{QUESTION_PATH}?q_no={q_no}")


def external_id(url: str) -> str | None:
    """``q_no`` of a question page URL, else ``None``."""
    parts = urlsplit(url)
    if not parts.path.endswith(QUESTION_PATH):
        return None
    value = dict(parse_qsl(parts.query)).get("q_no", "").strip()
    return value if value.isdigit() else None
