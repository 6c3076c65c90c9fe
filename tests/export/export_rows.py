"""Shared export test data: a schema covering every logical type, and matching rows."""

from __future__ import annotations

from typing import Any

from storage.export import ExportSchema

SCHEMA = ExportSchema.of(
    [
        ("external_id", "string", "The site's own article id."),
        ("site", "string", "Site the record came from."),
        ("asker_name", "string", "Display name of the asker."),
        ("asked_on", "date", "Date the question was posted."),
        ("fetched_at", "datetime", "When the page was fetched (UTC)."),
        ("age_min", "int", "Lower bound of the asker's age."),
        ("score", "float", "A numeric value."),
        ("complete", "bool", "Whether every expected field was present."),
        ("headings", "list<string>", "Explanation sub-headings."),
        (
            "answers",
            "list<struct<doctor_name:string,body:string,replied_on:date>>",
            "Doctors' replies in page order.",
        ),
        ("question_body", "string", "The question text."),
        ("parser_version", "string", "Parser that produced the record."),
        ("crawl_run_id", "int", "Crawl run that fetched the page."),
    ]
)


def make_row(i: int) -> dict[str, Any]:
    """Row ``i``: varied values, Chinese text, multi-line text and nulls every third row."""
    sparse = i % 3 == 2
    return {
        "external_id": str(200000 + i),
        "site": "doctorqna.com",
        "asker_name": None if sparse else f"Chen {i % 4}",
        "asked_on": None if sparse else f"2023-{1 + i % 12:02d}-{1 + i % 28:02d}",
        "fetched_at": f"2024-01-{1 + i % 28:02d}T08:30:00+08:00",
        "age_min": None if sparse else 30 + i,
        "score": i / 4,
        "complete": i % 2 == 0,
        "headings": [] if sparse else ["Causes", f"治療 {i}"],
        "answers": []
        if sparse
        else [
            {
                "doctor_name": "Dr. Wang",
                "body": f'Line one, "quoted", {i}\n第二行',
                "replied_on": "2023-12-24",
            },
            {"doctor_name": None, "body": "AST is 23, ALT is 20", "replied_on": None},
        ],
        "question_body": f"肝指數 AST is 23, ALT is 20; call 0912-345-678 ({i})",
        "parser_version": f"doctorqna/{1 + i % 2}",
        "crawl_run_id": 7 + i % 3,
    }
