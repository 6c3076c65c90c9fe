"""All-or-nothing output files: a reader sees the previous set of files or the new one, never
a mix, never a half-written file, and never nothing where there was something.

Exports take minutes and researchers copy them around; a half-written Parquet file, or a
manifest whose checksum describes another file, is worse than no file, and losing last
week's export because today's failed is worse still. So:

1. **Stage.** Every output is written to a hidden temporary file in its target directory
   (same filesystem, so renames are atomic), ``.<name>.<token>.tmp``. The writer holds an
   ``flock`` on each temporary file for as long as it lives, which is how a later run tells
   a live export's files (locked) from a killed one's (unlocked: the kernel drops a dead
   process's locks).
2. **Commit** the set: write and fsync a journal ``.<name>.<token>.journal`` naming every
   target, hard-link each existing target to a backup ``.<name>.<token>.bak``, then move
   the staged files over the targets. Removing the journal is the commit point; the backups
   go after it.
3. **Roll back** when anything fails during the commit: every backup goes back over its
   target, and a target that did not exist before is removed (only if it is still the file
   this run put there). A run killed mid-commit leaves its journal behind, and the next run
   in that directory rolls it back the same way (``clean_stale``).

``clean_stale`` also removes temporary files and backups that killed runs left behind
(16 MB each for a large export) and says what it did, so nothing piles up unseen.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

_TOKEN_BYTES = 6
#: ``.<name>.<token>.<kind>``: what staging leaves in a directory while it works.
_STAGING_NAME = re.compile(r"^\.(?P<name>.*)\.(?P<token>[0-9a-f]{12})\.(?P<kind>tmp|bak|journal)$")
#: Longest file name most filesystems accept (bytes); ``os.pathconf`` refines it when it can.
_DEFAULT_NAME_MAX = 255


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
    """A temporary file waiting to become ``target``; ``fd`` holds its lock."""

    target: Path
    tmp: Path
    fd: int


@dataclass(slots=True)
class StaleCleanup:
    """What ``clean_stale`` found in a directory and did about it."""

    directory: Path
    removed: list[Path] = field(default_factory=list)
    removed_bytes: int = 0
    restored: list[Path] = field(default_factory=list)
    left: list[tuple[Path, str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.removed or self.restored or self.left)

    def messages(self) -> list[str]:
        """One line per kind of action, for the user; empty when there was nothing to do."""
        lines = []
        if self.restored:
            names = ", ".join(p.name for p in self.restored)
            lines.append(
                f"restored {names} in {self.directory}: an earlier export was killed while "
                "replacing them, so the export before it was put back"
            )
        if self.removed:
            lines.append(
                f"removed {len(self.removed)} temporary file(s) ({_size(self.removed_bytes)}) "
                f"left in {self.directory} by killed exports"
            )
        for path, why in self.left:
            lines.append(f"left {path} in place: {why}; remove it by hand once no export runs")
        return lines


@contextlib.contextmanager
def staged_outputs(targets: list[Path], *, force: bool) -> Iterator[list[StagedFile]]:
    """Stage one temporary file per target; commit them all, as a set, when the block succeeds.

    All targets must share one directory. Refuses up front when any target exists and
    ``force`` is false, so a long export does not run only to fail at the end; without
    ``force`` the commit uses ``os.link``, which fails rather than clobbering a file someone
    created meanwhile. On any exception the targets are as they were before the call and
    no temporary file remains.
    """
    directory = _common_directory(targets)
    if not force:
        for target in targets:
            if target.exists():
                raise OutputExistsError(target)
    directory.mkdir(parents=True, exist_ok=True)
    staged: list[StagedFile] = []
    try:
        for target in targets:
            tmp, fd, _token = _create_locked(directory, target.name, "tmp")
            staged.append(StagedFile(target, tmp, fd))
        yield staged
        for item in staged:
            _fsync_path(item.tmp)
        _commit(directory, staged, force=force)
    finally:
        for item in staged:
            item.tmp.unlink(missing_ok=True)
            os.close(item.fd)


def clean_stale(directory: Path) -> StaleCleanup:
    """Undo or remove what killed exports left in ``directory``; never touch a live one's.

    A journal whose lock can be taken belongs to a run killed mid-commit: its backups go back
    over the targets. Unlocked temporary files and orphaned backups are removed. Files a
    live export holds locked are left alone; files this process may not open are reported.
    """
    report = StaleCleanup(directory)
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return report  # missing or unreadable: nothing to clean; writing there will say why
    staging = [(name, m) for name in names if (m := _STAGING_NAME.match(name))]
    live_tokens: set[str] = set()
    for name, match in staging:
        if match["kind"] == "journal" and not _recover_journal(directory / name, report):
            live_tokens.add(match["token"])
    for name, match in staging:
        path = directory / name
        if match["kind"] == "tmp":
            _remove_if_unlocked(path, report)
        elif match["kind"] == "bak" and _orphaned(directory, match["token"], live_tokens):
            _remove(path, report)
    return report


def _orphaned(directory: Path, token: str, live_tokens: set[str]) -> bool:
    """A backup whose journal is gone is a leftover of a finished commit. A journal that
    appeared since the directory was listed belongs to a live commit: keep its backups."""
    return token not in live_tokens and not any(directory.glob(f".*.{token}.journal"))


def _common_directory(targets: list[Path]) -> Path:
    if not targets:
        raise ValueError("staged_outputs needs at least one target")
    directories = {t.parent for t in targets}
    if len(directories) != 1:
        raise ValueError(f"staged outputs must share one directory, got {sorted(directories)}")
    return directories.pop()


def _hidden_name(name: str, token: str, kind: str) -> str:
    """``.<name>.<token>.<kind>``, the name cut (on a character boundary) to fit NAME_MAX."""
    suffix = f".{token}.{kind}"
    room = _DEFAULT_NAME_MAX - 1 - len(suffix)
    encoded = name.encode("utf-8", "surrogateescape")
    if len(encoded) > room:
        name = encoded[:room].decode("utf-8", "ignore")
    return f".{name}{suffix}"


def _create_locked(directory: Path, name: str, kind: str) -> tuple[Path, int, str]:
    """Create ``.<name>.<token>.<kind>`` exclusively and hold an ``flock`` on it.

    Returns the path, the locked descriptor and the token. Normal permissions (the umask
    applies, unlike ``mkstemp``'s 0600): a temporary file becomes a shared export. A
    concurrent ``clean_stale`` may delete the file between its creation and the lock; the
    inode check after locking notices, and a fresh name is tried.
    """
    while True:
        token = secrets.token_hex(_TOKEN_BYTES)
        path = directory / _hidden_name(name, token, kind)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        fcntl.flock(fd, fcntl.LOCK_EX)
        if _same_file(path, fd):
            return path, fd, token
        os.close(fd)


def _same_file(path: Path, fd: int) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _same_inode(a: Path, b: Path) -> bool:
    try:
        return os.stat(a).st_ino == os.stat(b).st_ino
    except FileNotFoundError:
        return False


def _commit(directory: Path, staged: list[StagedFile], *, force: bool) -> None:
    """Move every staged file over its target, or, on any failure, none of them.

    Backups share the journal's token, which is how ``clean_stale`` pairs them.
    """
    journal, journal_fd, token = _create_locked(directory, staged[0].target.name, "journal")
    entries = []
    for item in staged:
        backup = _hidden_name(item.target.name, token, "bak") if item.target.exists() else None
        entries.append(
            {"target": item.target.name, "backup": backup, "inode": os.fstat(item.fd).st_ino}
        )
    try:
        os.write(journal_fd, json.dumps(entries).encode("utf-8"))
        os.fsync(journal_fd)
        _fsync_path(directory)
        try:
            for entry in entries:
                if entry["backup"]:
                    os.link(directory / entry["target"], directory / entry["backup"])
            for item in staged:
                _move_into_place(item, force=force)
            _fsync_path(directory)
        except BaseException:
            _roll_back(directory, entries)
            _fsync_path(directory)
            journal.unlink()
            raise
        journal.unlink()  # the commit point: from here on the new set is the export
        _fsync_path(directory)
        for entry in entries:
            if entry["backup"]:
                (directory / entry["backup"]).unlink(missing_ok=True)
    finally:
        os.close(journal_fd)


def _move_into_place(item: StagedFile, *, force: bool) -> None:
    if force:
        os.replace(item.tmp, item.target)
        return
    try:
        os.link(item.tmp, item.target)
    except FileExistsError:
        raise OutputExistsError(item.target) from None
    item.tmp.unlink()


def _roll_back(directory: Path, entries: list[dict]) -> list[Path]:
    """Put every backup back over its target; remove targets this run created. Idempotent."""
    restored = []
    for entry in entries:
        target = directory / entry["target"]
        if entry["backup"]:
            backup = directory / entry["backup"]
            if not backup.exists():
                continue
            if _same_inode(backup, target):
                # Not replaced yet. rename(2) between two links of one file does nothing
                # and leaves both names, so drop the backup instead.
                backup.unlink()
            else:
                os.replace(backup, target)
                restored.append(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                if os.stat(target).st_ino == entry["inode"]:
                    target.unlink()
    return restored


def _recover_journal(journal: Path, report: StaleCleanup) -> bool:
    """Roll back a dead run's interrupted commit; ``False`` when the run is alive."""
    fd = _lock_if_dead(journal, report)
    if fd is None:
        return False
    try:
        try:
            entries = json.loads(os.read(fd, 1 << 20) or b"[]")
        except ValueError:
            entries = []  # killed while writing the journal: nothing was moved yet
        report.restored.extend(_roll_back(journal.parent, entries))
        _fsync_path(journal.parent)
        journal.unlink()
        _fsync_path(journal.parent)
    finally:
        os.close(fd)
    return True


def _remove_if_unlocked(path: Path, report: StaleCleanup) -> None:
    fd = _lock_if_dead(path, report)
    if fd is None:
        return
    try:
        _remove(path, report)
    finally:
        os.close(fd)


def _lock_if_dead(path: Path, report: StaleCleanup) -> int | None:
    """An open, locked descriptor on ``path`` when no live process holds its lock."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return None
    except OSError as error:
        report.left.append((path, f"cannot open it to check for a live export ({error.strerror})"))
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        if error.errno not in (errno.EAGAIN, errno.EWOULDBLOCK):
            report.left.append((path, f"cannot lock it ({error.strerror})"))
        return None  # locked: a live export is using it
    if not _same_file(path, fd):
        os.close(fd)
        return None
    return fd


def _remove(path: Path, report: StaleCleanup) -> None:
    try:
        size = path.stat().st_size
        path.unlink()
    except FileNotFoundError:
        return
    except OSError as error:
        report.left.append((path, f"cannot remove it ({error.strerror})"))
        return
    report.removed.append(path)
    report.removed_bytes += size


def _size(count: int) -> str:
    return f"{count / 1e6:.1f} MB" if count >= 100_000 else f"{count} bytes"


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
