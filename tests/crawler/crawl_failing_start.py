"""Run one crawl in this process with one bad setting (``NAME=VALUE``), then report (as JSON
on stdout) the error and which child processes this process still has.

A script, not a test function: a crawl needs a reactor of its own, and the children must be
counted by the process that started them, after its crawl is over but while it still lives
(once it exits, an orphaned ingest worker sees its pipe close and leaves by itself).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from crawler.run import CrawlFailed, CrawlOptions, run_crawl
from crawler.spiders.doctorqna import DoctorQnaSpider


def live_children() -> list[int]:
    """Pids of this process's children that have not been reaped (any thread's)."""
    children: list[int] = []
    for task in Path("/proc/self/task").iterdir():
        children += [int(pid) for pid in (task / "children").read_text().split()]
    return sorted(children)


def main(data_dir: str, setting: str) -> None:
    plan = DoctorQnaSpider.make_plan(base_url="http://127.0.0.1:9", ids=range(1, 3))
    options = CrawlOptions(
        plan=plan,
        data_dir=Path(data_dir),
        polite=False,
        log_level="WARNING",
        overrides=dict([setting.split("=", 1)]),
    )
    try:
        run_crawl(options)
        error = None
    except CrawlFailed as failure:
        error = str(failure)
    print(json.dumps({"error": error, "children": live_children()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
