"""Rich rendering of researcher results, kept apart from the click wiring and the queries."""

from __future__ import annotations

import re

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from crawler.app.reparse import ReparseReport
from crawler.report import NOT_ARTICLE_LABEL
from storage.research.show import PageDetail
from storage.research.stats import ArchiveStats

#: The search marks each match as ``[term]`` in a snippet.
_MARKED = re.compile(r"\[([^\[\]]*)\]")


def snippet_text(snippet: str | None) -> Text:
    """A search snippet with its matches in bold, as plain Text so rich never reads the
    ``[term]`` markers as markup (which would silently drop the matched words)."""
    text = Text()
    for n, part in enumerate(_MARKED.split(snippet or "")):
        text.append(part, style="bold yellow" if n % 2 else "")
    return text


def render_detail(console: Console, detail: PageDetail) -> None:
    record = detail.record
    head = f"page {detail.page_id} · {detail.state} · first seen {detail.first_seen}"
    if record is None:
        console.print(Panel(escape(detail.url), title=head))
        console.print("[yellow]No capture of this page has parsed yet.[/yellow]")
    else:
        asker = record.asker
        who = ", ".join(
            escape(str(v)) for v in (asker.name, asker.age_label, asker.sex) if v is not None
        )
        console.print(
            Panel(
                f"[bold]{escape(record.question_title or '(no title)')}[/bold]\n"
                f"{escape(record.question_body or '')}\n\n"
                f"[dim]{who or 'anonymous'} · asked {record.asked_on or '?'} · "
                + (f"{record.view_count:,} views · " if record.view_count is not None else "")
                + f"parser {escape(record.parser_version)}[/dim]",
                title=escape(detail.url),
                subtitle=head,
            )
        )
        if record.warnings:
            console.print(
                "[yellow]The parser is unsure of this record: "
                f"{escape(', '.join(record.warnings))}[/yellow] (see docs/parsers.md, Warnings)"
            )
        for n, answer in enumerate(record.answers, 1):
            console.print(
                Panel(
                    escape(answer.body),
                    title=f"reply {n}: Dr. {escape(answer.doctor_name or '?')} "
                    f"({escape(answer.department or 'no department')}"
                    f"{', ' + escape(answer.hospital) if answer.hospital else ''})",
                    subtitle=f"replied {answer.replied_on or '?'}",
                )
            )
        if not record.answers:
            console.print("[yellow]Not answered yet.[/yellow]")
        if record.explanation is not None:
            console.print(Panel(escape(record.explanation.text), title="Explanation"))
        links = Table(title="Links", show_header=True)
        for name in ("kind", "title", "department", "url"):
            links.add_column(name, overflow="fold")
        for item in record.similar:
            links.add_row("similar", escape(item.title), escape(item.department or ""), item.url)
        for faq in record.related_faq:
            links.add_row("related_faq", escape(faq.topic), escape(faq.department or ""), faq.url)
        if links.row_count:
            console.print(links)
    captures = Table(title="Captures")
    for name in ("id", "fetched at (UTC)", "status", "outcome", "parser", "run"):
        captures.add_column(name, no_wrap=True)
    captures.add_column("WARC file @ offset", overflow="fold")
    for c in detail.captures:
        outcome = c["parse_outcome"] + (f"\n{c['error_code']}" if c["error_code"] else "")
        outcome += "".join(f"\n{code}" for code in c.get("warnings") or ())
        where = f"{c['warc_file']} @ {c['warc_offset']}" if c["warc_file"] else ""
        captures.add_row(
            str(c["capture_id"]),
            c["fetched_at"][:16].replace("T", " "),
            str(c["http_status"]),
            outcome,
            c["parser_version"] or "",
            str(c["crawl_run_id"] or ""),
            where,
        )
    console.print(captures)
    revisions = Table(title="Revisions (distinct extracted versions)")
    for name in ("id", "first seen", "first capture", "parser", "content hash"):
        revisions.add_column(name)
    for r in detail.revisions:
        revisions.add_row(
            str(r["revision_id"]),
            r["first_fetched_at"],
            str(r["first_capture_id"]),
            r["parser_version"],
            r["content_hash"][:12],
        )
    console.print(revisions)


def render_reparse(console: Console, report: ReparseReport) -> None:
    summary = Table(title="Re-parse", show_header=False)
    summary.add_column("what")
    summary.add_column("count", justify="right")
    for label, value in (
        ("captures re-parsed", report.captures),
        ("records changed", report.changed),
        ("records unchanged", report.unchanged),
        ("failed before, parse now", report.recovered),
        ("parsed before, fail now", report.newly_failing),
        (NOT_ARTICLE_LABEL, sum(report.not_articles.values())),
        ("skipped: not_article, same parser (--all re-parses)", report.skipped),
        ("unreadable WARC records", len(report.unreadable)),
    ):
        summary.add_row(label, str(value))
    for code, count in sorted(report.failures.items()):
        summary.add_row(f"failed: {code}", str(count))
    console.print(summary)
    if report.field_changes:
        fields = Table(title="Records changed per field")
        fields.add_column("field")
        fields.add_column("records", justify="right")
        for name, count in sorted(report.field_changes.items(), key=lambda kv: (-kv[1], kv[0])):
            fields.add_row(name, str(count))
        console.print(fields)
    for problem in report.unreadable[:20]:
        console.print(f"[red]{escape(problem)}[/red]", soft_wrap=True)
    if len(report.unreadable) > 20:
        console.print(f"[red]... and {len(report.unreadable) - 20} more unreadable[/red]")


def render_stats(console: Console, stats: ArchiveStats) -> None:
    rate = f"{stats.answer_rate:.1%}" if stats.answer_rate is not None else "n/a"
    delay = f"{stats.median_reply_days:g} days" if stats.median_reply_days is not None else "n/a"
    console.print(
        f"[bold]{stats.questions:,}[/bold] questions, {stats.answered:,} answered ({rate}); "
        f"median reply delay {delay}"
    )
    for title, pairs, label in (
        ("Questions per month", stats.per_month, "month"),
        ("Questions per department (first reply)", stats.per_department, "department"),
        ("Top doctors", stats.top_doctors, "doctor"),
    ):
        table = Table(title=title)
        table.add_column(label)
        table.add_column("count", justify="right")
        for name, count in pairs:
            table.add_row(escape(name), f"{count:,}")
        console.print(table)
