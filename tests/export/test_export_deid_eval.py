"""The scrubber meets its goals on the labelled English and Chinese texts, and the evaluator
itself counts what it should (a partial scrub is a miss, a scrubbed trap is an error).

The labelled texts are in ``deid_eval/`` (format in ``en.txt``); ``bench/deidentify.py``
prints the same figures per kind and writes them to ``docs/deidentification.md``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.export.scrub import KINDS, Span
from storage.export.scrub_eval import (
    LabelError,
    Labelled,
    evaluate,
    load_labelled,
    parse_record,
)

SETS = Path(__file__).with_name("deid_eval")
GOAL = 0.95


def labelled(language: str) -> list[Labelled]:
    """Every labelled text of one language: the tuning batches and the held-out one."""
    paths = sorted(SETS.glob(f"{language}*.txt")) + sorted(SETS.glob(f"held_out_{language}.txt"))
    assert paths, f"no labelled files for {language}"
    return [record for path in paths for record in load_labelled(path)]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_scrubber_meets_the_goals_on_the_labelled_texts(language: str) -> None:
    result = evaluate(labelled(language))
    total = result.total()
    listing = "\n".join(f"{s} {k}: {q}" for s, k, q in result.misses + result.false_positives)
    assert total.labelled >= 150, "the set must stay big enough to mean something"
    assert total.recall is not None and total.recall >= GOAL, listing
    assert total.precision is not None and total.precision >= GOAL, listing
    assert result.traps >= 200
    assert result.traps_kept / result.traps >= 0.98, result.traps_scrubbed
    for kind in KINDS:
        score = result.kinds[kind]
        assert score.labelled >= 8, f"{language} has too few {kind} spans to measure"
        assert score.recall is not None and score.recall >= 0.9, (kind, listing)


def test_held_out_texts_meet_the_goals_too() -> None:
    """Texts the rules were not tuned on: the honest estimate for new data."""
    for name in ("en", "zh", "zh_2"):  # zh_2: 台灣e院's style, written with its crawler
        result = evaluate(load_labelled(SETS / f"held_out_{name}.txt"))
        total = result.total()
        assert total.recall is not None and total.recall >= GOAL, (name, result.misses)
        assert total.precision is not None and total.precision >= GOAL, (
            name,
            result.false_positives,
        )


def test_a_partial_scrub_is_a_miss_and_a_scrubbed_trap_is_counted() -> None:
    record = parse_record("HKID [[ID|A123456(7)]], take [[KEEP|500 mg]] daily", source="t")
    assert record.text == "HKID A123456(7), take 500 mg daily"

    def leaves_check_digit(text: str, names: object) -> list[Span]:
        return [Span(5, 12, "ID")]  # "A123456", not "(7)"

    result = evaluate([record], leaves_check_digit)
    assert result.kinds["ID"].caught == 0 and result.kinds["ID"].correct == 1
    assert result.misses == [("t", "ID", "HKID ⟦A123456(7)⟧, take 500 m")]

    def everything(text: str, names: object) -> list[Span]:
        return [Span(0, len(text), "PHONE")]

    greedy = evaluate([record], everything)
    assert greedy.kinds["ID"].caught == 1 and greedy.traps_kept == 0
    assert greedy.char_precision is not None and greedy.char_precision < 0.5


def test_unlabelled_scrubs_are_false_positives() -> None:
    record = parse_record("BP 120/80 and [[PHONE|0912-345-678]]")

    def two(text: str, names: object) -> list[Span]:
        return [Span(3, 9, "PHONE"), Span(14, 26, "PHONE")]

    result = evaluate([record], two)
    assert result.kinds["PHONE"].precision == 0.5
    assert result.false_positives[0][2].startswith("BP ⟦120/80⟧")


def test_asker_names_reach_the_finder(tmp_path: Path) -> None:
    path = tmp_path / "set.txt"
    path.write_text(
        "# comment\nasker: 王小明\n我是[[NAME|王小明]]\n第二行\n\nplain [[EMAIL|a@b.co]]\n",
        encoding="utf-8",
    )
    first, second = load_labelled(path)
    assert first.asker == "王小明" and first.text == "我是王小明\n第二行"
    assert second.asker is None and second.source == "set.txt:6"
    assert evaluate([first, second]).total().recall == 1.0


@pytest.mark.parametrize("marked", ["[[SECRET|x]]", "[[PHONE|0912", "a ]] b"])
def test_malformed_labels_are_refused(marked: str) -> None:
    with pytest.raises(LabelError):
        parse_record(marked)
