"""Every shell, Python and SQL example in README.md and docs/*.md runs against a fresh demo
archive (issue 10: "the docs run as tests"). How to mark an example: docs/architecture.md,
"Examples in the docs are tests".

The archive is built once per session by the real ``healthqa demo`` in a temporary
workspace that looks like a checkout after ``make demo``: ``data/`` is the demo archive, the
repository's ``fixtures/``, ``datasette/``, ``tests/`` and ``.venv`` are linked in, and the
virtualenv's ``bin`` is first on PATH (as after ``source .venv/bin/activate``). Examples run
in document order and share the workspace, so an export made by one example is read by the
next. An example may write the demo site's origin as ``http://127.0.0.1:8470``; it is
replaced by the origin the session's demo archive actually used.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner, Result
from examples import SHELLS, Example, all_examples

from crawler.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = all_examples(ROOT)
DEMO_ORIGIN = "http://127.0.0.1:8470"
LINKED = ("fixtures", "datasette", "tests", "pyproject.toml", "crawler", "parsers", "storage")
#: Few examples may be skipped; each needs a reason a reader accepts.
MAX_SKIPPED = 8


@dataclass(frozen=True)
class Workspace:
    path: Path
    env: dict[str, str]
    origin: str

    def prepare(self, text: str) -> str:
        return text.replace(DEMO_ORIGIN, self.origin)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    path = tmp_path_factory.mktemp("docs")
    for name in LINKED:
        (path / name).symlink_to(ROOT / name)
    (path / ".venv").symlink_to(Path(sys.prefix))
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.update({"COLUMNS": "100", "HEALTHQA_DB": "", "PYTHONPATH": str(ROOT)})
    env.pop("HEALTHQA_DB")
    built = subprocess.run(
        ["healthqa", "demo"], cwd=path, env=env, capture_output=True, text=True, timeout=300
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    with sqlite3.connect(path / "data" / "archive.sqlite") as db:
        (url,) = db.execute("SELECT url FROM pages ORDER BY id LIMIT 1").fetchone()
    parts = urlsplit(url)
    yield Workspace(path, env, f"{parts.scheme}://{parts.netloc}")


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_runs(example: Example, workspace: Workspace) -> None:
    if example.skip:
        pytest.skip(f"{example.id}: {example.skip}")
    if example.language in SHELLS:
        _run_shell(example, workspace)
    elif example.language == "python":
        _run_python(example, workspace)
    else:
        _run_sql(example, workspace)


#: Characters that need a real shell; a plain ``healthqa ...`` line runs in-process instead,
#: through the same click group, which saves the ~2 s interpreter start of each command.
_SHELL_SYNTAX = set("|&;<>()$`*?~")


def _run_in_process(command: str, workspace: Workspace) -> Result | None:
    words = shlex.split(command, comments=True)
    if not words or words[0] != "healthqa" or _SHELL_SYNTAX & set(command.split("#")[0]):
        return None
    previous = Path.cwd()
    os.chdir(workspace.path)
    try:
        result = CliRunner().invoke(cli, words[1:], env={"COLUMNS": "100"})
    finally:
        os.chdir(previous)
    return result


def _run_shell(example: Example, workspace: Workspace) -> None:
    commands = example.commands()
    assert commands, f"{example.id}: a shell example with no command"
    for command in commands:
        result = _run_in_process(workspace.prepare(command), workspace)
        if result is not None:
            assert result.exit_code == example.exit_status, (
                f"{example.id}: `{command}` exited {result.exit_code}, the docs expect "
                f"{example.exit_status}\n{result.output[-3000:]}"
            )
            assert result.exception is None or isinstance(result.exception, SystemExit), (
                f"{example.id}: `{command}` raised {result.exception!r}"
            )
            continue
        done = subprocess.run(
            workspace.prepare(command),
            shell=True,
            executable="/bin/bash",
            cwd=workspace.path,
            env=workspace.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == example.exit_status, (
            f"{example.id}: `{command}` exited {done.returncode}, the docs expect "
            f"{example.exit_status}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        )
        assert "Traceback" not in done.stderr, f"{example.id}: `{command}`\n{done.stderr}"


def _run_python(example: Example, workspace: Workspace) -> None:
    done = subprocess.run(
        [sys.executable, "-c", workspace.prepare(example.code)],
        cwd=workspace.path,
        env=workspace.env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{example.id}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"


def _run_sql(example: Example, workspace: Workspace) -> None:
    code = workspace.prepare(example.code)
    if code.lstrip().startswith("-- duckdb"):
        duckdb = pytest.importorskip("duckdb")
        previous = Path.cwd()
        os.chdir(workspace.path)  # the examples name files relative to the checkout
        try:
            connection = duckdb.connect()
            for statement in filter(str.strip, code.split(";")):
                connection.execute(statement).fetchall()
        finally:
            os.chdir(previous)
        return
    with sqlite3.connect(workspace.path / "data" / "archive.sqlite") as db:
        for statement in filter(str.strip, code.split(";")):
            db.execute(statement).fetchall()


def test_every_document_with_examples_is_collected() -> None:
    documents = {str(e.path) for e in EXAMPLES}
    assert "README.md" in documents and "docs/researchers.md" in documents
    skipped = [e.id for e in EXAMPLES if e.skip]
    assert len(skipped) <= MAX_SKIPPED, f"too many skipped doc examples: {skipped}"
