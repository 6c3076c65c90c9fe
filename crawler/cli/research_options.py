"""Options shared by the researcher commands, declared once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from storage import SearchFilters

F = TypeVar("F", bound=Callable[..., Any])

SEXES = ("female", "male")

#: Oldest stated age a filter accepts; larger numbers are typos (and overflow the database).
MAX_AGE = 150


class QueryCommand(click.Command):
    """A command whose QUERY words may start with ``-`` (``search -child ulcer``).

    Web-search syntax excludes a word with ``-word``, which click would read as an unknown
    option. Before click parses, every token that is not one of the command's options (nor
    an option's value, nor an unknown ``--long-option``) is moved behind ``--``, so it
    reaches QUERY as written.
    """

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: set[str] = set()
        flags: set[str] = set()
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                names = [*param.opts, *param.secondary_opts]
                (flags if param.is_flag or param.count else takes_value).update(names)
        options: list[str] = []
        words: list[str] = []
        position = 0
        while position < len(args):
            token = args[position]
            position += 1
            if token == "--":
                words.extend(args[position:])
                break
            name = token.split("=", 1)[0] if token.startswith("--") else token
            if name in takes_value:
                options.append(token)
                if "=" not in token and position < len(args):
                    options.append(args[position])  # the option's value, whatever it looks like
                    position += 1
            elif name in flags or token.startswith("--"):
                options.append(token)  # an unknown --option stays one, for click to refuse
            else:
                words.append(token)
        return super().parse_args(ctx, [*options, "--", *words])


def archive_options(func: F) -> F:
    """``--db`` / ``--data-dir``: which archive (default: SQLite in ./data)."""
    func = click.option(
        "--data-dir",
        default="data",
        show_default=True,
        type=click.Path(file_okay=False),
        help="Data directory: the default SQLite archive and the WARC files live here.",
    )(func)
    return click.option(
        "--db",
        "db_url",
        envvar="HEALTHQA_DB",
        default=None,
        metavar="URL",
        help="SQLAlchemy URL (e.g. postgresql+psycopg://user@host/db); default: "
        "sqlite:///<data-dir>/archive.sqlite. Env: HEALTHQA_DB.",
    )(func)


def filter_options(func: F) -> F:
    """The question filters ``search`` and ``export`` share."""
    options = [
        click.option("--site", default=None, help="Only this site (e.g. doctorqna)."),
        click.option("--department", default=None, help="A reply from this department."),
        click.option("--doctor", default=None, metavar="NAME", help="A reply by this doctor."),
        click.option("--since", type=click.DateTime(["%Y-%m-%d"]), help="Asked on or after."),
        click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Asked on or before."),
        # Named as the fields they filter (asker_sex...); the short spellings still work.
        click.option(
            "--asker-sex",
            "--sex",
            "asker_sex",
            type=click.Choice(SEXES),
            default=None,
            help="Asker's sex.",
        ),
        click.option(
            "--asker-age-min",
            "--age-min",
            "asker_age_min",
            type=click.IntRange(0, MAX_AGE),
            help="Asker age range overlaps.",
        ),
        click.option(
            "--asker-age-max",
            "--age-max",
            "asker_age_max",
            type=click.IntRange(0, MAX_AGE),
            help="Asker age range overlaps.",
        ),
        click.option(
            "--answered/--unanswered",
            default=None,
            help="Only questions with (or without) a doctor's reply. Default: both.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def search_filters(options: dict[str, Any]) -> SearchFilters:
    """The filter options of a command as the archive's ``SearchFilters``."""
    since, until = options.get("since"), options.get("until")
    return SearchFilters(
        site=options.get("site"),
        department=options.get("department"),
        doctor=options.get("doctor"),
        asked_from=since.date() if since else None,
        asked_to=until.date() if until else None,
        asker_sex=options.get("asker_sex"),
        asker_age_min=options.get("asker_age_min"),
        asker_age_max=options.get("asker_age_max"),
        answered=options.get("answered"),
    )
