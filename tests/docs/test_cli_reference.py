"""``docs/cli.md`` against the real command line: every command has its section there, and
every option a command takes (as its ``--help`` lists it) is named in that section. Adding an
option without documenting it fails here."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from crawler.cli import cli

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _sections() -> dict[str, str]:
    """Command -> the text under its ``## name`` heading (``## a, b`` documents both)."""
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return {
        name.strip().lower(): body
        for heading, body in zip(parts[1::2], parts[2::2], strict=True)
        for name in heading.split(",")
    }


def _commands(
    group: click.Group, prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        yield path, command
        if isinstance(command, click.Group):
            yield from _commands(command, path)


COMMANDS = list(_commands(cli))


def _options(command: click.Command) -> list[str]:
    """The long spellings ``--help`` shows for ``command`` (help itself aside)."""
    context = click.Context(command, info_name=command.name)
    names = []
    for param in command.get_params(context):
        if not isinstance(param, click.Option) or param.hidden:
            continue
        longs = [o for o in (*param.opts, *param.secondary_opts) if o.startswith("--")]
        names.extend(o for o in longs if o != "--help")
    return names


def test_every_command_has_a_section() -> None:
    sections = _sections()
    assert sorted({path[0] for path, _ in COMMANDS} - set(sections)) == []


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_every_option_is_documented(path: tuple[str, ...], command: click.Command) -> None:
    section = _sections()[path[0]]
    if len(path) > 1:
        assert " ".join(path[1:]) in section, f"`{' '.join(path)}` is not in its section"
    undocumented = [
        option for option in _options(command) if not re.search(rf"{re.escape(option)}\b", section)
    ]
    assert undocumented == [], f"healthqa {' '.join(path)}: options missing from docs/cli.md"


def test_the_root_options_are_documented() -> None:
    intro = DOC.read_text(encoding="utf-8").split("\n## ", 1)[0]
    assert [option for option in _options(cli) if option not in intro] == []
