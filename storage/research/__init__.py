"""Read-side helpers behind the researcher commands (search, show, export, reparse, stats).

They query the archive's tables directly with SQLAlchemy Core and leave writing to
``Archive.ingest``, so the one ingest path stays the only way content changes.
"""
