"""All-or-nothing output files: a reader sees either the finished file or none at all.

Exports take minutes and researchers copy them around; a half-written Parquet file or a
manifest whose checksum describes a different file is worse than no file. So every output is
written to a hidden temporary file in the target directory (same filesystem, so the final
rename is atomic), fsynced, and only then moved into place. Several files that belong
together (data file + manifest) are staged first and committed together, so a failure while
writing the manifest also leaves no data file behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

_CHUNK = 1 << 20


class OutputExistsError(FileExistsError):
    """The output already exists and the caller did not ask to overwrite it."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} already exists; refusing to overwrite it "
            "(pass --force, or force=True, to replace it)"
        )
        self.path = path


@dataclass(slots=True)
class StagedFile:
    """A temporary file waiting to become ``target``."""

    target: Path
    tmp: Path

    def sha256(self) -> tuple[str, int]:
        """Hex digest and size of the staged bytes, read back in chunks (constant memory)."""
        digest = hashlib.sha256()
        size = 0
        with self.tmp.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return digest.hexdigest(), size


@contextlib.contextmanager
def staged_outputs(targets: list[Path], *, force: bool) -> Iterator[list[StagedFile]]:
    """Stage one temporary file per target; commit them all when the block succeeds.

    Refuses up front when any target exists and ``force`` is false, so a long export does
    not run only to fail at the end. Without ``force`` the commit uses ``os.link``, which
    fails rather than clobbering a file someone created meanwhile. On any exception every
    temporary file is removed, and targets already committed in this call are removed too.
    """
    if not force:
        for target in targets:
            if target.exists():
                raise OutputExistsError(target)
    staged: list[StagedFile] = []
    committed: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            staged.append(StagedFile(target, _create_temp(target)))
        yield staged
        for item in staged:
            _fsync_path(item.tmp)
            _commit(item, force=force)
            committed.append(item.target)
        _fsync_path(targets[0].parent)
    except BaseException:
        for target in committed:
            target.unlink(missing_ok=True)
        raise
    finally:
        for item in staged:
            item.tmp.unlink(missing_ok=True)


def _create_temp(target: Path) -> Path:
    """An empty hidden file beside ``target``, with the permissions a normal file gets.

    ``tempfile.mkstemp`` would make it 0600, and the export would keep that mode after the
    rename; exports are meant to be shared, so the usual umask applies instead.
    """
    while True:
        tmp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
        try:
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return tmp


def _commit(item: StagedFile, *, force: bool) -> None:
    if force:
        os.replace(item.tmp, item.target)
        return
    try:
        os.link(item.tmp, item.target)
    except FileExistsError:
        raise OutputExistsError(item.target) from None
    item.tmp.unlink()


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
