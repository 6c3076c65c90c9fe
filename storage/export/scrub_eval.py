"""Measure the scrubber against labelled text: recall per kind, precision, traps kept.

A scrubber that nobody measures drifts: a pattern grows greedy and eats lab values, or a
format (mainland mobiles, Hong Kong check digits) slips through unseen. The labelled texts
mark every identifier that must go (``[[PHONE|0912-345-678]]``) and the traps that must stay
(``[[KEEP|500 mg]]``); ``evaluate`` runs ``find_spans`` on the plain text and counts:

* **recall** of a kind: labelled spans of that kind *entirely* covered by scrubbed spans. A
  phone number with two digits left, or ``[ID](7)``, is a miss: partial scrubbing leaks;
* **precision** of a kind: scrubbed spans of that kind that overlap a labelled identifier
  (of any kind: a passport number scrubbed as a phone is still protected). A scrubbed span
  touching only unlabelled text or a trap is a false positive;
* **character precision**: the share of scrubbed characters that lie inside labelled spans,
  which shows a placeholder swallowing its context ("住在" + address);
* **traps kept**: ``KEEP`` spans left entirely untouched.

The file format is described in ``tests/export/deid_eval/en.txt``. Researchers can label a
sample of their own data the same way and run ``bench/deidentify.py --set FILE`` on it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storage.export.scrub import KINDS, Span, find_spans

KEEP = "KEEP"
_MARK = re.compile(r"\[\[(?P<kind>[A-Z]+)\|(?P<text>.*?)\]\]", re.DOTALL)
_ASKER = "asker:"


class LabelError(ValueError):
    """A labelled file that does not follow the format (unknown kind, stray brackets)."""


@dataclass(frozen=True, slots=True)
class Labelled:
    """One text with its labelled spans (``kind`` is one of ``KINDS`` or ``KEEP``)."""

    text: str
    spans: tuple[Span, ...]
    asker: str | None = None
    source: str = ""


def parse_record(marked: str, *, asker: str | None = None, source: str = "") -> Labelled:
    """Strip ``[[KIND|text]]`` marks from ``marked``, remembering where each span lies."""
    plain: list[str] = []
    spans: list[Span] = []
    position = 0
    length = 0
    for match in _MARK.finditer(marked):
        before = marked[position : match.start()]
        plain.append(before)
        length += len(before)
        kind, text = match["kind"], match["text"]
        if kind not in KINDS and kind != KEEP:
            raise LabelError(f"{source}: unknown kind {kind!r}; use one of {[*KINDS, KEEP]}")
        spans.append(Span(length, length + len(text), kind))
        plain.append(text)
        length += len(text)
        position = match.end()
    plain.append(marked[position:])
    text = "".join(plain)
    if "[[" in text or "]]" in text:
        raise LabelError(f"{source}: unbalanced [[ ]] in {marked[:60]!r}")
    return Labelled(text, tuple(spans), asker, source)


def load_labelled(path: Path) -> list[Labelled]:
    """Records of a labelled file: blank-line separated, ``#`` comments, optional asker."""
    records: list[Labelled] = []
    block: list[str] = []
    start = 0

    def flush() -> None:
        if not block:
            return
        asker = None
        if block[0].startswith(_ASKER):
            asker = block.pop(0)[len(_ASKER) :].strip()
        records.append(parse_record("\n".join(block), asker=asker, source=f"{path.name}:{start}"))
        block.clear()

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith("#"):
            continue
        if not line.strip():
            flush()
            continue
        if not block:
            start = number
        block.append(line)
    flush()
    return records


@dataclass(slots=True)
class KindScore:
    """Counts for one kind: labelled spans and how many were caught; scrubbed spans of
    this kind and how many hit a labelled identifier."""

    labelled: int = 0
    caught: int = 0
    scrubbed: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.caught / self.labelled if self.labelled else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.scrubbed if self.scrubbed else None


@dataclass(slots=True)
class Evaluation:
    """Scores of one run over a set of labelled texts, with every error listed."""

    kinds: dict[str, KindScore] = field(default_factory=lambda: defaultdict(KindScore))
    traps: int = 0
    traps_kept: int = 0
    traps_scrubbed: list[tuple[str, str]] = field(default_factory=list)
    scrubbed_chars: int = 0
    scrubbed_chars_in_labels: int = 0
    misses: list[tuple[str, str, str]] = field(default_factory=list)
    false_positives: list[tuple[str, str, str]] = field(default_factory=list)

    def total(self) -> KindScore:
        total = KindScore()
        for score in self.kinds.values():
            total.labelled += score.labelled
            total.caught += score.caught
            total.scrubbed += score.scrubbed
            total.correct += score.correct
        return total

    @property
    def char_precision(self) -> float | None:
        if not self.scrubbed_chars:
            return None
        return self.scrubbed_chars_in_labels / self.scrubbed_chars


Finder = Callable[[str, Sequence[str]], list[Span]]


def evaluate(records: Iterable[Labelled], find: Finder = find_spans) -> Evaluation:
    """Run ``find`` (``find_spans`` by default) on every record and score it."""
    result = Evaluation()
    for record in records:
        names = [record.asker] if record.asker else []
        _score(record, find(record.text, names), result)
    return result


def _score(record: Labelled, found: list[Span], result: Evaluation) -> None:
    covered = [False] * len(record.text)
    for span in found:
        for i in range(span.start, span.end):
            covered[i] = True
    labelled = [0] * len(record.text)
    for gold in record.spans:
        if gold.kind == KEEP:
            result.traps += 1
            if not any(covered[gold.start : gold.end]):
                result.traps_kept += 1
            else:
                result.traps_scrubbed.append((record.source, _quote(record, gold)))
            continue
        for i in range(gold.start, gold.end):
            labelled[i] = 1
        score = result.kinds[gold.kind]
        score.labelled += 1
        if all(covered[i] for i in range(gold.start, gold.end) if not record.text[i].isspace()):
            score.caught += 1
        else:
            result.misses.append((record.source, gold.kind, _quote(record, gold)))
    for span in found:
        score = result.kinds[span.kind]
        score.scrubbed += 1
        hits = sum(labelled[span.start : span.end])
        result.scrubbed_chars += span.end - span.start
        result.scrubbed_chars_in_labels += hits
        if hits:
            score.correct += 1
        else:
            result.false_positives.append((record.source, span.kind, _quote(record, span)))


def _quote(record: Labelled, span: Span) -> str:
    """The span in a little context, for error listings."""
    text = record.text
    before = text[max(0, span.start - 12) : span.start]
    after = text[span.end : span.end + 12]
    return f"{before}⟦{text[span.start : span.end]}⟧{after}".replace("\n", " ")
