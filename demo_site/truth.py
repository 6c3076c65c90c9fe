"""Ground truth: the exact ``QARecord`` a correct parser returns for a demo article page.

Built from the same content model the page is rendered from, following the text conventions
of ``parsers/record.py`` (one paragraph, heading, list item or table row per line; ordered
list items numbered as a browser shows them; table cells joined by ``" | "``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from demo_site.content import Article, Block, slugify
from demo_site.render import snippet
from parsers.record import (
    Answer,
    Asker,
    Explanation,
    QARecord,
    RelatedFAQ,
    SimilarQA,
)
from parsers.schema import missing_fields
from parsers.urls import canonicalize_url


def _explanation(blocks: tuple[Block, ...]) -> Explanation | None:
    if not blocks:
        return None
    lines: list[str] = []
    headings: list[str] = []
    for block in blocks:
        if block.kind == "h":
            headings.append(block.items[0])
        if block.kind == "ol":
            lines.extend(f"{n}. {item}" for n, item in enumerate(block.items, start=1))
        elif block.kind == "table":
            lines.extend(" | ".join(row) for row in block.rows)
        else:
            lines.extend(block.items)
    return Explanation(text="\n".join(lines), headings=tuple(headings))


def expected_record(
    article: Article,
    resolve: Callable[[int], Article],
    base_url: str,
    parser_version: str,
) -> QARecord:
    """The record for ``article`` served at ``base_url``; ``resolve`` gives link targets."""
    url = f"{base_url}/en/article/{article.id}"
    similar = []
    for target_id in article.similar:
        target = resolve(target_id)
        first = target.replies[0]
        similar.append(
            SimilarQA(
                title=target.seo_title,
                url=canonicalize_url(f"{base_url}/en/article/{target.id}"),
                question_snippet=snippet(target.body),
                doctor_name=first.doctor,
                department=first.department,
                reply_snippet=snippet(first.lines),
            )
        )
    department = article.department.name
    record = QARecord(
        url=url,
        canonical_url=canonicalize_url(url),
        site="doctorqna",
        external_id=str(article.id),
        language="en",
        page_title=article.page_title,
        seo_title=article.seo_title,
        question_title=article.title,
        question_body="\n".join(article.body),
        asker=Asker(
            name=article.asker_name,
            age_min=article.age_min,
            age_max=article.age_max,
            age_label=article.age_label,
            sex=article.sex,
        ),
        asked_on=article.asked_on.isoformat(),
        answers=tuple(
            Answer(
                doctor_name=r.doctor,
                department=r.department,
                body="\n".join(r.lines),
                replied_on=r.replied_on.isoformat(),
            )
            for r in article.replies
        ),
        explanation=_explanation(article.explanation),
        similar=tuple(similar),
        related_faq=tuple(
            RelatedFAQ(
                topic=topic,
                department=department,
                url=canonicalize_url(f"{base_url}/en/faq/{slugify(topic)}"),
            )
            for topic in article.faq_topics
        ),
        parser_version=parser_version,
    )
    return replace(record, missing=missing_fields(record))
