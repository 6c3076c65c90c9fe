"""How every ``healthqa`` command fails: one line (what, why, what to do) and a documented
exit status, never a traceback unless ``--debug`` asks for one.

Commands raise what they know (``ArchiveNotFound``, ``SearchQueryError``, ``click``'s own
errors); ``HealthqaGroup`` turns the rest into one line here, in one place, so a new command
cannot forget. Exit statuses (docs/cli.md, "Exit status"):

- 0 done (also when the reader of a pipe went away, as with ``| head``);
- 1 the command could not do its job: no archive, an unreachable database, a file problem;
- 2 bad usage: an unknown option, a value out of range, a query with nothing to search;
- 3, 75: ``crawl`` only (coverage below threshold; another crawl holds the run lock);
- 70 an internal error, i.e. a bug: the line asks to rerun with ``--debug`` and report it.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Any

import click
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError

from storage import ArchiveNotFound, SearchQueryError

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 70  # EX_SOFTWARE in sysexits.h


class CommandFailed(click.ClickException):
    """A one-line failure with its exit status; click prints it as ``Error: <message>``."""

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def as_user_error(error: BaseException) -> CommandFailed | None:
    """The one-line form of an error a user can act on; ``None`` for a bug."""
    if isinstance(error, ArchiveNotFound):
        return CommandFailed(str(error))
    if isinstance(error, SearchQueryError):
        return CommandFailed(str(error), EXIT_USAGE)
    if isinstance(error, ArgumentError):
        return CommandFailed(
            f"--db is not a database URL this installation can open ({_first_line(error)}); "
            f"use e.g. sqlite:///data/archive.sqlite or postgresql+psycopg://user@host/db",
            EXIT_USAGE,
        )
    if isinstance(error, OperationalError | DBAPIError):
        reason = _first_line(error.orig) if error.orig is not None else _first_line(error)
        return CommandFailed(
            f"the archive database failed: {reason}; check that it is reachable and that "
            f"--db points at it (rerun with --debug for details)"
        )
    if isinstance(error, OSError) and error.errno is not None:
        where = f" {error.filename}" if error.filename else ""
        return CommandFailed(f"cannot use{where}: {error.strerror}")
    return None


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else type(value).__name__


def quiet_broken_pipe() -> None:
    """The reader of stdout left (``| head``): stop writing, and let the exit be clean.

    Pointing stdout at /dev/null keeps the interpreter's final flush from raising again.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test runner's buffer)
        pass
    finally:
        os.close(devnull)


class HealthqaGroup(click.Group):
    """The root group: maps exceptions escaping any command to one line and an exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            quiet_broken_pipe()
            raise click.exceptions.Exit(0) from None
        except OSError as error:
            if error.errno == errno.EPIPE:
                quiet_broken_pipe()
                raise click.exceptions.Exit(0) from None
            if debug:
                raise
            raise as_user_error(error) or _internal(error) from None
        except Exception as error:
            if debug:
                raise
            raise as_user_error(error) or _internal(error) from None


def _internal(error: BaseException) -> CommandFailed:
    return CommandFailed(
        f"internal error ({type(error).__name__}: {_first_line(error)}); this is a bug: "
        f"rerun with --debug and report the traceback",
        EXIT_INTERNAL,
    )
