"""A CDXJ index of the archive's own WARC files, written by ``cdxj-indexer``.

Replay and research tools (pywb, the ``--cdx`` import of another archive) find a capture
through a sorted CDXJ index without scanning the files: one line per response, revisit,
resource or metadata record, ``urlkey timestamp {url, mime, status, digest, length, offset,
filename}``, filenames relative to the data directory. The index is written to a temporary
file beside the target and renamed, so a reader never sees half of it.
"""

from __future__ import annotations

import os
from pathlib import Path

from cdxj_indexer.main import write_cdx_index

from storage.warc.writer import WARC_SUBDIR


def write_index(data_dir: Path, out: Path) -> int:
    """Index every WARC file under ``<data_dir>/warc`` into ``out``; returns its line count.

    Raises ``FileNotFoundError`` when the data directory holds no WARC file.
    """
    files = sorted(str(path) for path in (data_dir / WARC_SUBDIR).glob("*.warc.gz"))
    if not files:
        raise FileNotFoundError(f"no WARC files in {data_dir / WARC_SUBDIR}")
    partial = out.with_name(f".{out.name}.partial")
    with partial.open("w", encoding="utf-8") as stream:
        write_cdx_index(stream, files, {"sort": True, "dir_root": str(data_dir)})
    os.replace(partial, out)
    with out.open(encoding="utf-8") as lines:
        return sum(1 for _ in lines)
