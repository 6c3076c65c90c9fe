"""``write_export``: one call from a row stream to a checked data file plus its manifest.

The caller owns the query; this function owns everything after it, in one order that
cannot be skipped: de-identify each row (if asked), check it against the schema, stream it
into the output while hashing it, write the manifest, then commit both atomically.

The output is a path (the normal case: staged, then committed with its manifest beside
it) or an already open binary stream such as standard output, for piping an export into
another program; the rows then go out as they come, and the manifest goes to
``manifest_out`` if one is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from storage.export.atomic import (
    OutputExistsError,
    StagedFile,
    StaleCleanup,
    clean_stale,
    staged_outputs,
)
from storage.export.deidentify import DeidentifyPlan
from storage.export.manifest import ManifestCollector, build_manifest, manifest_bytes
from storage.export.outpath import check_output_path, describe_write_error
from storage.export.schema import ExportSchema
from storage.export.writers import CSV_FORMULA_GUARD_NOTE, FORMATS, WRITERS

#: What each format's manifest says about how its text differs from the archive's.
FORMAT_NOTES: dict[str, dict[str, str]] = {"csv": {"formula_guard": CSV_FORMULA_GUARD_NOTE}}
MANIFEST_SUFFIX = ".manifest.json"
#: The ``files[].name`` of data written to a stream (there is no file name to record).
STREAM_NAME = "-"
_SINK_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class ExportResult:
    """Where the export landed and what the manifest says about it.

    ``path`` is ``None`` for an export written to a stream, ``manifest_path`` when no
    manifest was asked for.
    """

    path: Path | None
    manifest_path: Path | None
    rows: int
    sha256: str
    bytes: int
    #: What earlier, killed exports had left in the output directory and was cleaned up.
    stale: StaleCleanup | None = None


def manifest_path_for(out: Path) -> Path:
    """``<out>.manifest.json``, beside the data file."""
    return out.with_name(out.name + MANIFEST_SUFFIX)


class _HashingSink(io.RawIOBase):
    """Passes bytes on to ``target`` and keeps their sha256 and count: the manifest's
    checksum is of exactly the bytes written, with no second read of a large file."""

    def __init__(self, target: BinaryIO) -> None:
        self._target = target
        self.digest = hashlib.sha256()
        self.size = 0
        #: Set when the export failed: what is still buffered is dropped, not written, so a
        #: closed pipe does not raise a second time when the buffer is collected.
        self.broken = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        if self.broken:
            return len(view)
        self._target.write(view)
        self.digest.update(view)
        self.size += len(view)
        return len(view)

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._target.flush()


def write_export(
    rows: Iterable[Mapping[str, Any]],
    *,
    schema: ExportSchema,
    fmt: str,
    out: Path | BinaryIO,
    force: bool = False,
    filters: Mapping[str, Any] | None = None,
    collector: ManifestCollector | None = None,
    deidentify: DeidentifyPlan | None = None,
    manifest_extra: Mapping[str, Any] | None = None,
    manifest_out: Path | None = None,
) -> ExportResult:
    """Stream ``rows`` into ``out`` as ``fmt``, with a manifest.

    ``out`` a path: the manifest is ``<out>.manifest.json``; nothing is left behind on any
    error, existing outputs are only replaced with ``force=True`` and survive a failed
    replacement, and what killed exports left in the directory is cleaned first
    (``ExportResult.stale``). ``out`` a binary stream: rows are written as they come and the
    manifest, if ``manifest_out`` is given, is committed there once the stream is complete.

    ``rows`` must carry exactly the schema's columns (after ``deidentify`` has replaced the
    name column). ``collector`` is read after the stream ends, so the caller must have wrapped
    the stream with ``collector.observe``. Output-path problems raise ``OutputPathError``
    (before any row is read) or ``ExportWriteError`` (one line each).
    """
    if fmt not in WRITERS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    stream = (deidentify.apply(row) for row in rows) if deidentify else rows

    def manifest(count: int, name: str, sha256: str, size: int) -> bytes:
        return manifest_bytes(
            build_manifest(
                fmt=fmt,
                rows=count,
                files=[{"name": name, "sha256": sha256, "bytes": size}],
                format_notes=FORMAT_NOTES.get(fmt),
                schema=schema.describe(),
                filters=filters,
                provenance=collector.summary() if collector else None,
                deidentification=deidentify.settings() if deidentify else None,
                extra=manifest_extra,
            )
        )

    if not isinstance(out, Path):
        return _to_stream(stream, schema, fmt, out, manifest_out, force, manifest)
    if manifest_out is not None:
        raise ValueError("manifest_out is for stream outputs; a file's manifest sits beside it")
    check_output_path(out, (MANIFEST_SUFFIX,))
    stale = clean_stale(out.parent)
    manifest_path = manifest_path_for(out)
    with _staged([out, manifest_path], force, str(out)) as (data, manifest_file):
        with data.tmp.open("wb") as handle:
            count, sha256, size = _write(stream, schema, fmt, handle)
        manifest_file.tmp.write_bytes(manifest(count, out.name, sha256, size))
    return ExportResult(out, manifest_path, count, sha256, size, stale)


def _to_stream(
    rows: Iterable[Mapping[str, Any]],
    schema: ExportSchema,
    fmt: str,
    out: BinaryIO,
    manifest_out: Path | None,
    force: bool,
    manifest: Callable[[int, str, str, int], bytes],
) -> ExportResult:
    if manifest_out is not None:
        check_output_path(manifest_out)
        if not force and manifest_out.exists():
            raise OutputExistsError(manifest_out)
    try:
        count, sha256, size = _write(rows, schema, fmt, out)
    except OSError as error:
        raise describe_write_error(error, "standard output") from error
    if manifest_out is None:
        return ExportResult(None, None, count, sha256, size)
    stale = clean_stale(manifest_out.parent)
    with _staged([manifest_out], force, str(manifest_out)) as (manifest_file,):
        manifest_file.tmp.write_bytes(manifest(count, STREAM_NAME, sha256, size))
    return ExportResult(None, manifest_out, count, sha256, size, stale)


@contextlib.contextmanager
def _staged(targets: list[Path], force: bool, where: str) -> Iterator[list[StagedFile]]:
    """``staged_outputs``, with the system's refusals told as one line about ``where``."""
    try:
        with staged_outputs(targets, force=force) as staged:
            yield staged
    except OutputExistsError:
        raise
    except OSError as error:
        raise describe_write_error(error, where) from error


def _write(
    rows: Iterable[Mapping[str, Any]], schema: ExportSchema, fmt: str, target: BinaryIO
) -> tuple[int, str, int]:
    """Rows written, sha256 and size of the bytes that reached ``target``."""
    sink = _HashingSink(target)
    buffered = io.BufferedWriter(sink, buffer_size=_SINK_BUFFER)
    try:
        count = WRITERS[fmt](rows, schema, buffered)  # type: ignore[arg-type]
        buffered.flush()
    except BaseException:
        sink.broken = True
        raise
    return count, sink.digest.hexdigest(), sink.size
