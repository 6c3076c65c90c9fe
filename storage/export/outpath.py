"""Problems with where an export goes, each as one line: what happened, why, what to do.

An export runs for minutes, so an output path that can never work (empty, a directory, a
name longer than the file system allows once ``.manifest.json`` is added) is refused before
the first row is read, and an operating-system error while writing (read-only file system,
no permission, a full disk, a path through a file, ``/proc``) becomes a sentence that names
the path, instead of a traceback.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

#: Used when the file system will not say (``os.pathconf``); ext4, XFS, btrfs, APFS agree.
DEFAULT_NAME_MAX = 255


class OutputPathError(ValueError):
    """The output path can never work as given: a usage error, raised before any work."""


class ExportWriteError(Exception):
    """The operating system refused to write the export; ``str()`` is one line for the user.

    ``errno`` is the underlying error number, so a caller can tell a closed pipe from a full
    disk without parsing the message.
    """

    def __init__(self, message: str, error_number: int | None) -> None:
        super().__init__(message)
        self.errno = error_number


def check_output_path(out: Path, sibling_suffixes: tuple[str, ...] = ()) -> None:
    """Refuse an ``out`` (and ``out.name + suffix`` siblings) that no write could satisfy."""
    if not out.name or out.name in (".", ".."):
        raise OutputPathError(
            f"the output path {str(out)!r} names no file; give a file name such as questions.jsonl"
        )
    if out.is_dir():
        raise OutputPathError(
            f"{out} is a directory; give a file name inside it, such as {out / 'questions.jsonl'}"
        )
    existing = _nearest_existing(out.parent)
    if not existing.is_dir():
        raise ExportWriteError(
            f"cannot create {out}: {existing} is a file, not a directory; choose an output "
            "path in a directory",
            errno.ENOTDIR,
        )
    limit = _name_max(existing)
    for name in (out.name, *(out.name + suffix for suffix in sibling_suffixes)):
        size = len(os.fsencode(name))
        if size > limit:
            longest = limit - max((len(s) for s in sibling_suffixes), default=0)
            raise OutputPathError(
                f"file name too long: {name[:24]}...{name[-20:]} is {size} bytes, over the "
                f"{limit}-byte limit of this file system; choose an output name of at most "
                f"{longest} bytes (the manifest adds {sibling_suffixes[0]!r})"
                if sibling_suffixes
                else f"file name too long: {size} bytes, over the {limit}-byte limit"
            )


def describe_write_error(error: OSError, out: str) -> ExportWriteError:
    """One line for an ``OSError`` met while writing the export ``out``."""
    # A staging file (``.out.<token>.tmp``) means nothing to the user: name their path.
    staging = error.filename and Path(error.filename).name.startswith(".")
    where = out if not error.filename or staging else error.filename
    code = error.errno
    reason = error.strerror or str(error)
    advice = {
        errno.EROFS: "the file system is read-only; choose an output path on a writable disk",
        errno.EACCES: "permission denied; choose a directory you can write to",
        errno.EPERM: "the operation is not permitted there; choose an ordinary directory",
        errno.ENOSPC: "the disk is full; free some space or choose another disk",
        errno.EDQUOT: "your disk quota is used up; free some space or choose another disk",
        errno.ENAMETOOLONG: "a name in the path is too long; choose a shorter output path",
        errno.ENOTDIR: "part of the path is a file, not a directory; choose another path",
        errno.EEXIST: "part of the path is a file, not a directory; choose another path",
        errno.EISDIR: "it is a directory; give a file name inside it",
        errno.ENOENT: "that directory does not accept new files (a virtual file system such "
        "as /proc) or was removed meanwhile; choose an ordinary directory",
        errno.EPIPE: "the command reading the output exited before the export was complete",
    }.get(code or 0, "choose another output path, or fix the cause and run the export again")
    name = errno.errorcode.get(code or 0, "error")
    if code == errno.EPIPE:
        return ExportWriteError(f"export to {out} stopped: {advice} ({name})", code)
    return ExportWriteError(f"cannot write {where}: {reason} ({name}); {advice}", code)


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (``.`` for a relative path's start)."""
    for candidate in (path, *path.parents):
        if os.path.lexists(candidate):
            return candidate
    return Path(".")


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return DEFAULT_NAME_MAX
