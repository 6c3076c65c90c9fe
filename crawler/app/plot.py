"""Draw ``ArchiveStats`` as one PNG a researcher can paste into a report.

Agg is selected explicitly so the plot works on headless servers and in cron jobs.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from storage.research.stats import ArchiveStats


def plot_stats(stats: ArchiveStats, out: Path) -> Path:
    """Four panels: questions per month, per department, top doctors, headline figures."""
    fig, axes = plt.subplots(2, 2, figsize=(14, 9), layout="constrained")
    months, month_counts = _continuous_months(stats.per_month)
    ax = axes[0][0]
    ax.bar(range(len(months)), month_counts, color="#4477aa")
    step = max(1, len(months) // 12)
    ax.set_xticks(range(0, len(months), step), months[::step], rotation=45, ha="right")
    ax.set_title("Questions per month (asked on)")
    ax.set_ylabel("questions")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _barh(axes[0][1], stats.per_department[:15], "Questions per department (first reply)")
    _barh(axes[1][0], stats.top_doctors, "Top doctors by replies")
    ax = axes[1][1]
    ax.axis("off")
    rate = f"{stats.answer_rate:.1%}" if stats.answer_rate is not None else "n/a"
    delay = f"{stats.median_reply_days:g} days" if stats.median_reply_days is not None else "n/a"
    ax.text(
        0.05,
        0.5,
        f"Questions: {stats.questions:,}\nAnswered: {stats.answered:,} ({rate})\n"
        f"Median reply delay: {delay}",
        fontsize=16,
        va="center",
    )
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def _barh(ax: plt.Axes, pairs: list[tuple[str, int]], title: str) -> None:
    labels = [label for label, _ in reversed(pairs)]
    ax.barh(labels, [n for _, n in reversed(pairs)], color="#66aa55")
    ax.set_title(title)
    ax.set_xlabel("count")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _continuous_months(per_month: list[tuple[str, int]]) -> tuple[list[str], list[int]]:
    """Fill months without questions with 0 so the x axis is proportional to time."""
    counts = dict(per_month)
    dated = sorted(m for m in counts if m != "unknown")
    if not dated:
        return [], []
    year, month = (int(part) for part in dated[0].split("-"))
    last = tuple(int(part) for part in dated[-1].split("-"))
    months: list[str] = []
    while (year, month) <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months, [counts.get(m, 0) for m in months]
