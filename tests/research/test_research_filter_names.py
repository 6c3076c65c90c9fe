"""The researcher commands' filter options against the declared fields: a field filtered
under its own flat name (``asker_sex``) is offered as ``--asker-sex`` by ``search`` and
``export`` and reaches ``SearchFilters`` under that name, so the option, the filter, the
export column and ``qa_flat`` spell it the same."""

from __future__ import annotations

import click
import pytest

from crawler.cli import cli
from crawler.cli.research_options import search_filters
from parsers.schema import QUESTION_FIELDS

NAMED = [f for f in QUESTION_FIELDS if f.search_filter == f.name]


def test_the_asker_filters_are_named_as_their_fields() -> None:
    assert {f.name for f in NAMED} >= {"asker_sex", "asker_age_min", "asker_age_max"}


@pytest.mark.parametrize("command", ["search", "export"])
@pytest.mark.parametrize("field", NAMED, ids=[f.name for f in NAMED])
def test_each_is_an_option_of_search_and_export(command: str, field) -> None:  # type: ignore[no-untyped-def]
    params = {
        p.name: p
        for p in cli.commands[command].params  # type: ignore[attr-defined]
        if isinstance(p, click.Option)
    }
    assert field.name in params, f"healthqa {command} has no filter for {field.name}"
    assert "--" + field.name.replace("_", "-") in params[field.name].opts
    value = {"int": 30, "string": "female"}[field.type]
    assert getattr(search_filters({field.name: value}), field.search_filter) == value
