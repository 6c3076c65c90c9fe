"""Archive-wide descriptive statistics for ``healthqa stats``.

Aggregations that SQL does the same way on SQLite and PostgreSQL run in the database; the
reply-delay median is computed in Python from a streamed histogram of whole days, because date
arithmetic differs between the dialects and a day histogram stays tiny even for millions of
answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine, String, and_, cast, func, select

from storage.models import Answer, Department, Doctor, Page, Question, Site

UNANSWERED = "(unanswered)"


@dataclass(frozen=True, slots=True)
class ArchiveStats:
    """Plain data, so the table printer and the plotter need no database."""

    questions: int
    answered: int
    per_month: list[tuple[str, int]]  # ("2023-12", n), chronological; undated as "unknown"
    per_department: list[tuple[str, int]]  # department of the first reply, largest first
    median_reply_days: float | None  # first reply's replied_on - asked_on
    top_doctors: list[tuple[str, int]]  # answers written, most first

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.questions if self.questions else None


def median_from_histogram(histogram: Counter[int]) -> float | None:
    """Median of the values a histogram counts (the mean of the two middles when even)."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while wanted and wanted[0] < seen:
            wanted.pop(0)
            found.append(value)
    return sum(found) / 2


def collect_stats(engine: Engine, *, site: str | None = None, top: int = 10) -> ArchiveStats:
    """Compute every figure in a handful of grouped queries (no per-row round trips)."""
    scope = []  # gone pages stay in: what was asked is still data
    if site is not None:
        scope.append(Page.site_id == select(Site.id).where(Site.name == site).scalar_subquery())
    on_page = Page.id == Question.page_id
    first_answer = and_(Answer.page_id == Question.page_id, Answer.position == 0)
    month = func.substr(cast(Question.asked_on, String), 1, 7)
    with engine.connect() as conn:
        questions = conn.scalar(
            select(func.count()).select_from(Question).join(Page, on_page).where(*scope)
        )
        answered = conn.scalar(
            select(func.count())
            .select_from(Question)
            .join(Page, on_page)
            .join(Answer, first_answer)
            .where(*scope)
        )
        per_month = [
            (m or "unknown", n)
            for m, n in conn.execute(
                select(month, func.count())
                .select_from(Question)
                .join(Page, on_page)
                .where(*scope)
                .group_by(month)
                .order_by(month)
            )
        ]
        per_department = [
            (d or UNANSWERED, n)
            for d, n in conn.execute(
                select(Department.name, func.count())
                .select_from(Question)
                .join(Page, on_page)
                .outerjoin(Answer, first_answer)
                .outerjoin(Department, Department.id == Answer.department_id)
                .where(*scope)
                .group_by(Department.name)
                .order_by(func.count().desc(), Department.name)
            )
        ]
        delays: Counter[int] = Counter()
        pairs = conn.execution_options(yield_per=5000).execute(
            select(Question.asked_on, Answer.replied_on)
            .join(Page, on_page)
            .join(Answer, first_answer)
            .where(*scope, Question.asked_on.is_not(None), Answer.replied_on.is_not(None))
        )
        for asked_on, replied_on in pairs:
            delays[(_as_date(replied_on) - _as_date(asked_on)).days] += 1
        top_doctors = [
            (name, n)
            for name, n in conn.execute(
                select(Doctor.name, func.count())
                .select_from(Answer)
                .join(Doctor, Doctor.id == Answer.doctor_id)
                .join(Page, Page.id == Answer.page_id)
                .where(*scope)
                .group_by(Doctor.name)
                .order_by(func.count().desc(), Doctor.name)
                .limit(top)
            )
        ]
    return ArchiveStats(
        questions=questions or 0,
        answered=answered or 0,
        per_month=per_month,
        per_department=per_department,
        median_reply_days=median_from_histogram(delays),
        top_doctors=top_doctors,
    )


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
