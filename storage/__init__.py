"""The archive database: models, migrations, the one ingest API, search and queries.

Import from here; the submodules are implementation detail shared by ``Archive``.
"""

from storage.archive import Archive
from storage.capture import Capture
from storage.engine import ArchiveNotFound
from storage.ingest import IngestResult
from storage.pages import CaptureSummary
from storage.records import IngestError
from storage.search import SearchFilters, SearchHit, SearchQueryError

__all__ = [
    "Archive",
    "ArchiveNotFound",
    "Capture",
    "CaptureSummary",
    "IngestError",
    "IngestResult",
    "SearchFilters",
    "SearchHit",
    "SearchQueryError",
]
