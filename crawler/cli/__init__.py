"""The ``healthqa`` command line: one click group, one module per command family.

Each module listed in ``COMMAND_MODULES`` exposes ``commands``: a list of click commands or
groups to attach. Keeping the list explicit makes the CLI's surface greppable in one place.
"""

from __future__ import annotations

import importlib

import click

from crawler.cli.errors import HealthqaGroup

COMMAND_MODULES: tuple[str, ...] = (
    "crawler.cli.crawl",
    "crawler.cli.demo",
    "crawler.cli.fixtures",
    "crawler.cli.demo_site",
    "crawler.cli.research",
    "crawler.cli.db",
    "crawler.cli.importing",
)


@click.group(cls=HealthqaGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="healthqa-archive")
@click.option(
    "--debug",
    is_flag=True,
    envvar="HEALTHQA_DEBUG",
    help="Show the full traceback of an error instead of its one-line summary.",
)
def cli(debug: bool) -> None:
    """Crawl health Q&A sites, archive every response as WARC, and query the records."""


for _module_name in COMMAND_MODULES:
    for _command in importlib.import_module(_module_name).commands:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="healthqa")
