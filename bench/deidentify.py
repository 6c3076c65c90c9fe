"""De-identification quality on the labelled texts: recall and precision per kind and language.

Runs ``storage.export.scrub.find_spans`` over ``tests/export/deid_eval/*.txt`` (English in
doctorqna's style, Traditional Chinese in 台灣e院's, a few Simplified and Hong Kong texts)
and prints, per language and per kind, how many labelled identifiers were entirely scrubbed
(recall), how many scrubbed spans hit an identifier (precision), the share of scrubbed
characters inside identifiers, and how many traps (doses, lab values, blood pressure, visit
dates, ages...) came through untouched. Goals: recall >= 95% on in-scope spans, precision >=
95%. ``held_out_*.txt`` were written after the patterns were frozen and are reported apart:
they show how the rules do on text they were not tuned on.

    .venv/bin/python bench/deidentify.py [--set FILE ...] [--errors] [--write-docs]

``--set`` measures your own labelled sample instead (same format, see the files' headers).
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storage.export.scrub import KINDS, SCRUBBER_VERSION  # noqa: E402 - needs sys.path first
from storage.export.scrub_eval import Evaluation, evaluate, load_labelled  # noqa: E402

SETS = ROOT / "tests" / "export" / "deid_eval"
DOCS = ROOT / "docs" / "deidentification.md"
BEGIN, END = "<!-- bench/deidentify.py begin -->", "<!-- bench/deidentify.py end -->"
GOAL = 0.95


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def table(results: dict[str, Evaluation]) -> list[str]:
    """A Markdown table: one row per kind, one column per group, recall / precision (spans)."""
    names = list(results)
    lines = [
        "| kind | " + " | ".join(names) + " |",
        "| --- |" + " ---: |" * len(names),
    ]
    for kind in (*KINDS, "all"):
        cells = []
        for name in names:
            result = results[name]
            score = result.total() if kind == "all" else result.kinds.get(kind)
            if score is None or not (score.labelled or score.scrubbed):
                cells.append("-")
                continue
            cells.append(f"{_pct(score.recall)} / {_pct(score.precision)} ({score.labelled})")
        label = "**all**" if kind == "all" else kind
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


def summary(results: dict[str, Evaluation]) -> list[str]:
    lines = []
    for name, result in results.items():
        total = result.total()
        met = all(v is not None and v >= GOAL for v in (total.recall, total.precision))
        lines.append(
            f"- {name}: recall {_pct(total.recall)}, precision {_pct(total.precision)}, "
            f"character precision {_pct(result.char_precision)}, traps kept "
            f"{result.traps_kept}/{result.traps} -> goal {'met' if met else 'NOT met'}"
        )
    return lines


def errors(results: dict[str, Evaluation]) -> list[str]:
    lines = []
    for name, result in results.items():
        for source, kind, quote in result.misses:
            lines.append(f"{name}: missed {kind} at {source}: {quote}")
        for source, kind, quote in result.false_positives:
            lines.append(f"{name}: false {kind} at {source}: {quote}")
        for source, quote in result.traps_scrubbed:
            lines.append(f"{name}: trap scrubbed at {source}: {quote}")
    return lines


def write_docs(body: list[str]) -> None:
    text = DOCS.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOCS} lacks the {BEGIN} / {END} markers")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    DOCS.write_text(head + BEGIN + "\n" + "\n".join(body) + "\n" + END + tail, encoding="utf-8")


def groups(paths: list[Path] | None) -> dict[str, list[Path]]:
    """The default grouping (language x tuned on / held out), or one group per given file."""
    if paths:
        return {path.stem: [path] for path in paths}
    return {
        "English, tuned on": sorted(SETS.glob("en*.txt")),
        "English, held out": [SETS / "held_out_en.txt"],
        "Chinese, tuned on": sorted(SETS.glob("zh*.txt")),
        "Chinese, held out": [SETS / "held_out_zh.txt"],
        "台灣e院, held out": [SETS / "held_out_zh_2.txt"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="sets", type=Path, action="append", help="labelled file")
    parser.add_argument("--errors", action="store_true", help="list every miss and false hit")
    parser.add_argument("--write-docs", action="store_true", help=f"update {DOCS.name}")
    args = parser.parse_args()
    records = {
        name: [r for p in paths for r in load_labelled(p)]
        for name, paths in groups(args.sets).items()
    }
    results = {name: evaluate(group) for name, group in records.items()}
    header = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} with `.venv/bin/python bench/deidentify.py` "
        f"(scrubber version {SCRUBBER_VERSION}, {sum(map(len, records.values()))} texts). "
        f"Cells: recall / precision (labelled spans). Goal: both >= {GOAL:.0%}.",
        "",
    ]
    body = [*header, *table(results), "", *summary(results)]
    print("\n".join(body))
    if args.errors:
        print("\n".join(["", *errors(results)]))
    if args.write_docs:
        write_docs(body)


if __name__ == "__main__":
    main()
