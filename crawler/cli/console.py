"""The rich ``Console`` every ``healthqa`` command prints with.

Rich's own answer to a closed pipe (``healthqa show 1 | head``) is exit status 1, which makes
a shell pipeline with ``pipefail`` report a failure where nothing failed. Here the command
stops writing and exits 0, as ``cat`` or ``grep`` do.
"""

from __future__ import annotations

import click
import rich.console

from crawler.cli.errors import quiet_broken_pipe


class Console(rich.console.Console):
    """``rich.console.Console`` whose reader may go away (``| head``) without an error."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        quiet_broken_pipe()
        raise click.exceptions.Exit(0)
