"""The values a filter can take (sites, departments, doctors) with how many questions each
selects, and the close existing ones for a value the archive does not hold.

A filter value the archive has never seen selects nothing; saying so, with the near misses
("Gastroenterology" -> "Gastroenterology and Hepatology"), is what turns a silent "0 hits"
into something a researcher can fix. Counts are distinct questions, so a count here is the
number of questions ``search``/``export`` with that filter alone would consider.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select

from storage.models import Answer, Department, Doctor, Page, Question, Site
from storage.search import SearchFilters

#: What ``healthqa values`` can list, in the order the CLI shows them.
KINDS = ("site", "department", "doctor")


@dataclass(frozen=True, slots=True)
class UnknownValue:
    """A filter value no question in the archive has, with the nearest existing ones."""

    kind: str
    value: str
    close: tuple[str, ...]

    def message(self) -> str:
        hint = (
            "close existing values: " + ", ".join(repr(c) for c in self.close)
            if self.close
            else "no existing value is close"
        )
        return (
            f"no {self.kind} {self.value!r} in the archive ({hint}); "
            f"`healthqa values {self.kind}` lists them all"
        )


def value_counts(conn: Connection, kind: str, *, site: str | None = None) -> list[tuple[str, int]]:
    """``(value, questions)`` pairs, most questions first, then by name."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    return [(name, count) for name, count in conn.execute(_count_query(kind, site))]


def _count_query(kind: str, site: str | None) -> Select[Any]:
    questions = func.count(func.distinct(Question.page_id))
    if kind == "site":
        query = (
            select(Site.name, questions)
            .join(Page, Page.site_id == Site.id)
            .join(Question, Question.page_id == Page.id)
        )
        name = Site.name
    else:
        table = Department if kind == "department" else Doctor
        key = Answer.department_id if kind == "department" else Answer.doctor_id
        query = (
            select(table.name, questions)
            .join(Answer, key == table.id)
            .join(Question, Question.page_id == Answer.page_id)
        )
        name = table.name
        if site is not None:
            query = query.join(Site, Site.id == table.site_id)
    if site is not None:
        query = query.where(Site.name == site)
    return query.group_by(name).order_by(questions.desc(), name)


def unknown_values(conn: Connection, filters: SearchFilters) -> list[UnknownValue]:
    """The ``site``/``department``/``doctor`` filter values that match no question."""
    unknown = []
    for kind in KINDS:
        value = getattr(filters, kind)
        if value is None:
            continue
        known = [name for name, _ in value_counts(conn, kind)]
        if value not in known:
            unknown.append(UnknownValue(kind, value, close_values(value, known)))
    return unknown


def close_values(value: str, known: list[str], limit: int = 5) -> tuple[str, ...]:
    """Existing values that contain ``value`` (any case) first, then the most similar."""
    wanted = value.casefold().strip()
    containing = [k for k in known if wanted and wanted in k.casefold()]
    similar = difflib.get_close_matches(value, known, n=limit, cutoff=0.6)
    folded = {k.casefold(): k for k in known}
    similar += [
        folded[m] for m in difflib.get_close_matches(wanted, list(folded), n=limit, cutoff=0.6)
    ]
    return tuple(dict.fromkeys(containing + similar))[:limit]
