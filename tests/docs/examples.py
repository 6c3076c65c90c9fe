"""Find the runnable examples in README.md and docs/*.md.

An example is a fenced block whose language is a shell (``sh``, ``console``, ``bash``,
``shell``), ``python`` or ``sql``. Other fences (unlabelled synopses and diagrams, ``cron``,
``ini``, ``mermaid``) are not examples. An HTML comment on the line just before a fence
changes how it runs:

- ``<!-- doctest: skip (reason) -->``: not run; the reason is the skip message.
- ``<!-- doctest: exit N -->``: every command of the block must exit with N (e.g. an
  example of an error).

In ``console`` blocks only lines starting with ``$ `` are commands (the rest is sample
output); in ``sh`` blocks every line is. ``sql`` blocks whose first line is ``-- duckdb``
run in DuckDB, the others in SQLite against the demo archive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SHELLS = ("sh", "console", "bash", "shell")
LANGUAGES = (*SHELLS, "python", "sql")

_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"<!--\s*doctest:\s*(skip|exit)\s*(.*?)\s*-->")


@dataclass(frozen=True, slots=True)
class Example:
    path: Path  # relative to the repository root
    line: int  # of the opening fence, 1-based
    language: str
    code: str
    skip: str | None = None  # the reason, when marked skipped
    exit_status: int = 0

    @property
    def id(self) -> str:
        return f"{self.path}:{self.line}"

    def commands(self) -> list[str]:
        """Shell commands, one per entry (``\\`` continuations joined, comments kept)."""
        lines = self.code.splitlines()
        if self.language == "console":
            lines = _console_commands(lines)
        commands: list[str] = []
        pending = ""
        for line in lines:
            if line.rstrip().endswith("\\"):
                pending += line.rstrip()[:-1] + " "
                continue
            command = (pending + line).strip()
            pending = ""
            if command and not command.startswith("#"):
                commands.append(command)
        return commands


def _console_commands(lines: list[str]) -> list[str]:
    """``$ command`` lines and their ``\\`` continuations; everything else is output."""
    commands: list[str] = []
    continuing = False
    for line in lines:
        if line.startswith("$ ") or continuing:
            commands.append(line[2:] if line.startswith("$ ") else line)
            continuing = line.rstrip().endswith("\\")
    return commands


def examples_in(path: Path, root: Path) -> list[Example]:
    found: list[Example] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    n = 0
    while n < len(lines):
        fence = _FENCE.match(lines[n])
        if not fence:
            n += 1
            continue
        start, language = n, fence.group(1).lower()
        n += 1
        body: list[str] = []
        while n < len(lines) and not lines[n].startswith("```"):
            body.append(lines[n])
            n += 1
        n += 1  # the closing fence
        if language not in LANGUAGES:
            continue
        marker = _MARKER.search(lines[start - 1]) if start else None
        skip = exit_status = None
        if marker and marker.group(1) == "skip":
            skip = marker.group(2).strip("() ") or "marked skip"
        elif marker:
            exit_status = int(marker.group(2))
        found.append(
            Example(
                path=path.relative_to(root),
                line=start + 1,
                language=language,
                code="\n".join(body) + "\n",
                skip=skip,
                exit_status=exit_status or 0,
            )
        )
    return found


def all_examples(root: Path) -> list[Example]:
    documents = [root / "README.md", *sorted((root / "docs").glob("*.md"))]
    return [example for doc in documents for example in examples_in(doc, root)]
