"""Child process for the kill tests: an export that a test SIGKILLs at a chosen moment.

Run as ``python export_kill_child.py <out> <mode>``:

* ``writing``: stream rows into ``<out>`` (``--force``), print ``ready`` once 5,000 rows
  (over 1 MB, more than the write buffer) are in the staged file, then wait on stdin for
  ever: the test kills the process there, as the OOM killer or a reboot would, mid-export;
* ``committing``: replace the export at ``<out>`` (``--force``) and SIGKILL itself right
  after the data file has been moved over the old one, before the manifest follows: the one
  moment at which the old and new files are mixed.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from export_rows import SCHEMA, make_row

from storage.export import write_export


def rows_then_wait() -> Iterator[dict[str, Any]]:
    for i in range(5000):
        yield make_row(i)
    print("ready", flush=True)
    sys.stdin.read()
    yield make_row(5000)


def die_on_second_replace() -> None:
    real_replace = os.replace
    calls = 0

    def replace(src: Any, dst: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            os.kill(os.getpid(), signal.SIGKILL)
        real_replace(src, dst)

    os.replace = replace  # type: ignore[assignment]


def main() -> None:
    out, mode = Path(sys.argv[1]), sys.argv[2]
    if mode == "writing":
        write_export(rows_then_wait(), schema=SCHEMA, fmt="jsonl", out=out, force=True)
    elif mode == "committing":
        die_on_second_replace()
        rows = (make_row(i) for i in range(100, 103))
        write_export(rows, schema=SCHEMA, fmt="jsonl", out=out, force=True)
    raise SystemExit(f"the {mode} export should have been killed")


if __name__ == "__main__":
    main()
