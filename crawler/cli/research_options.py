"""Options shared by the researcher commands, declared once so they read the same everywhere."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from storage import SearchFilters

F = TypeVar("F", bound=Callable[..., Any])

SEXES = ("female", "male")


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
        click.option("--sex", type=click.Choice(SEXES), default=None, help="Asker's sex."),
        click.option("--age-min", type=click.IntRange(min=0), help="Asker age range overlaps."),
        click.option("--age-max", type=click.IntRange(min=0), help="Asker age range overlaps."),
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
        sex=options.get("sex"),
        age_min=options.get("age_min"),
        age_max=options.get("age_max"),
        answered=options.get("answered"),
    )
