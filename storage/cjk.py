"""Chinese text for full-text search: overlapping character bigrams.

Neither FTS5's ``unicode61`` tokenizer nor PostgreSQL's parser splits Chinese into words: a
run of Han characters between two punctuation marks is one token, so "頭痛" inside
"最近頭痛的情況" is never found. FTS5's ``trigram`` tokenizer finds only terms of three or more
characters, and most Chinese medical words have two (頭痛, 咳嗽, 失眠). So each question's
Chinese text is also indexed as the bigrams of its runs (``最近頭痛`` -> ``最近 近頭 頭痛 痛``),
with the last character of each run on its own so a one-character query finds it too; a
query word becomes the phrase of its bigrams. Both backends index and query the same text
with their ordinary tokenizers (docs/researchers.md, "Searching Chinese").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Han ideographs (with extensions A and the compatibility block) and the iteration mark 々.
_RUN = re.compile("[\u3005\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")


def has_cjk(text: str) -> bool:
    return _RUN.search(text) is not None


def runs(text: str) -> list[str]:
    """The runs of Han characters in ``text``, in order."""
    return _RUN.findall(text)


def bigrams(run: str) -> list[str]:
    """``"最近頭痛"`` -> ``["最近", "近頭", "頭痛"]``; a one-character run is itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i : i + 2] for i in range(len(run) - 1)]


def index_text(texts: Iterable[str | None]) -> str | None:
    """The search terms of ``texts``' Chinese: each run's bigrams then its last character,
    runs in order, separated by spaces; ``None`` when there is no Chinese at all."""
    terms: list[str] = []
    for text in texts:
        if not text or text.isascii():  # most English text: no regex scan at all
            continue
        for run in runs(text):
            terms.extend(bigrams(run))
            if len(run) > 1:
                terms.append(run[-1])
    return " ".join(terms) or None
