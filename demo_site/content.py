"""The demo site's content model: which articles exist in which epoch, and what they say.

Everything is derived from ``(seed, id, epoch)`` through per-id generators (never global
random state), so any page can be rebuilt on demand in any order, in any process, and a test
can ask for the exact set of pages an epoch added, changed or removed.

Ids are split once into *stable* and *volatile* articles. Only volatile ones are ever
answered late, edited or deleted by a later epoch, and Similar Q&A / FAQ links only point at
stable answered ones, so an edit changes exactly one page and the per-epoch change sets are
exact by construction.
"""

from __future__ import annotations

import hashlib
import random
import threading
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property, lru_cache

from demo_site import words
from demo_site.words import Department

GAP_RATE = 0.03
STABLE_RATE = 0.75
BASE_ANSWERED_RATE = 0.8
DELETE_RATE = 0.06
ANSWER_RATE = 0.5
EDIT_RATE = 0.2
EPOCH_ONE = datetime(2024, 1, 15, tzinfo=UTC)
EPOCH_LENGTH = timedelta(days=30)
FIRST_ASK_DATE = date(2019, 1, 1)
LAST_ASK_DATE = date(2023, 12, 31)


@dataclass(frozen=True, slots=True)
class Reply:
    doctor: str
    department: str
    lines: tuple[str, ...]
    replied_on: date
    date_format: str


@dataclass(frozen=True, slots=True)
class Block:
    """One piece of More Info: ``kind`` is ``p``, ``h``, ``ul``, ``ol`` or ``table``.

    ``items`` holds the paragraph/heading text (one item) or the list items; ``rows`` holds a
    table's rows, the first being the header.
    """

    kind: str
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class Article:
    """Everything one article page shows, before rendering."""

    id: int
    department: Department
    seo_title: str
    title: str
    body: tuple[str, ...]
    asker_name: str | None
    age_label: str
    age_min: int | None
    age_max: int | None
    sex: str | None
    asked_on: date
    asked_format: str
    replies: tuple[Reply, ...]
    explanation: tuple[Block, ...]
    similar: tuple[int, ...]
    faq_topics: tuple[str, ...]
    jsonld: bool
    full_heading: bool
    notice: str | None
    last_modified: datetime

    @property
    def page_title(self) -> str:
        return f"{self.seo_title} - {self.department.name}"


@dataclass(frozen=True, slots=True)
class EpochChanges:
    """What moving from epoch ``epoch - 1`` to ``epoch`` did, by article id."""

    epoch: int
    added: frozenset[int]
    changed: frozenset[int]
    removed: frozenset[int]


@dataclass(frozen=True, slots=True)
class _Skeleton:
    gap: bool
    department: int
    stable: bool
    answered: bool


@dataclass(frozen=True, slots=True)
class State:
    """An id's history up to some epoch; ``None`` fields mean "never"."""

    birth: int
    deleted_at: int | None
    answered_at: int | None
    edits: tuple[int, ...]

    @property
    def last_change(self) -> int:
        return max((self.birth, self.answered_at or 0, *self.edits))


def digest(*parts: object) -> bytes:
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=16).digest()


def unit(data: bytes, index: int) -> float:
    """A uniform [0, 1) number from four bytes of a digest."""
    return int.from_bytes(data[index : index + 4], "big") / 2**32


def epoch_time(epoch: int) -> datetime:
    """When an epoch's content was published (Last-Modified of pages it changed)."""
    return EPOCH_ONE + EPOCH_LENGTH * (epoch - 1)


def _last_modified(article_id: int, state: State) -> datetime:
    """When the page last changed: its epoch's date, spread over the day by id."""
    return epoch_time(state.last_change) + timedelta(seconds=article_id % 86400)


def slugify(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


_SMALL_WORDS = frozenset({"a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to"})


def _title_case(text: str) -> str:
    out = []
    for i, word in enumerate(text.split(" ")):
        keep = i > 0 and word in _SMALL_WORDS
        out.append(word if keep or not word else word[0].upper() + word[1:])
    return " ".join(out)


def _capitalize(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


_NUMBER_SLOTS = {"n": (2, 9), "a": (0, 3), "b": (1, 9), "c": (0, 3), "d": (1, 9)}


class _Filler:
    """Fills template slots with one article's vocabulary, drawing numbers from its RNG."""

    def __init__(self, rng: random.Random, department: Department) -> None:
        self.rng = rng
        cond = rng.choice(department.conditions)
        sym, sym2 = rng.sample(department.symptoms, 2)
        test = rng.choice(department.tests)
        self.tests = department.tests
        self.slots = {
            "cond": cond,
            "Cond": _title_case(cond),
            "sym": sym,
            "Sym": _title_case(sym),
            "sym2": sym2,
            "test": test,
            "Test": _title_case(test),
            "organ": department.organ,
        }

    def __call__(self, template: str) -> str:
        # Draw only the numbers the template uses: RNG calls dominate page generation.
        numbers = {
            key: self.rng.randint(low, high)
            for key, (low, high) in _NUMBER_SLOTS.items()
            if f"{{{key}}}" in template
        }
        return _capitalize(template.format(**self.slots, **numbers))

    def sentences(self, bank: tuple[str, ...], count: int) -> str:
        return " ".join(self(t) for t in self.rng.sample(bank, min(count, len(bank))))


class ContentModel:
    """Articles and their history for one ``(seed, first_id, pages, new_ids_per_epoch)``."""

    def __init__(self, seed: int, first_id: int, pages: int, new_ids_per_epoch: int) -> None:
        self.seed = seed
        self.first_id = first_id
        self.pages = pages
        self.new_ids_per_epoch = new_ids_per_epoch
        self._ranges: list[tuple[int, ...]] = [self._take_ids(first_id, pages)]
        self._next_id = self._ranges[0][-1] + 1
        self._lock = threading.Lock()

    # -- which ids exist ---------------------------------------------------------------

    @lru_cache(maxsize=65536)  # noqa: B019 - asked for on every request; the model is long-lived
    def _skeleton(self, article_id: int) -> _Skeleton:
        d = digest(self.seed, article_id, "skeleton")
        return _Skeleton(
            gap=unit(d, 0) < GAP_RATE,
            department=int.from_bytes(d[4:8], "big") % len(words.DEPARTMENTS),
            stable=unit(d, 8) < STABLE_RATE,
            answered=unit(d, 12) < BASE_ANSWERED_RATE,
        )

    def _take_ids(self, start: int, count: int) -> tuple[int, ...]:
        ids: list[int] = []
        article_id = start
        while len(ids) < count:
            if not self._skeleton(article_id).gap:
                ids.append(article_id)
            article_id += 1
        return tuple(ids)

    def born_in(self, epoch: int) -> tuple[int, ...]:
        """Ids first published in ``epoch`` (epoch 1: the initial ``pages`` articles)."""
        with self._lock:
            self._grow(epoch)
        return self._ranges[epoch - 1]

    def _grow(self, epoch: int) -> None:
        while len(self._ranges) < epoch:
            ids = self._take_ids(self._next_id, self.new_ids_per_epoch)
            self._ranges.append(ids)
            self._next_id = ids[-1] + 1 if ids else self._next_id

    def birth(self, article_id: int, epoch: int) -> int | None:
        for k in range(1, epoch + 1):
            ids = self.born_in(k)
            if ids and ids[0] <= article_id <= ids[-1]:
                return k if not self._skeleton(article_id).gap else None
        return None

    def state(self, article_id: int, epoch: int) -> State | None:
        """The id's history up to ``epoch``, or None if it was never published by then."""
        birth = self.birth(article_id, epoch)
        if birth is None:
            return None
        skeleton = self._skeleton(article_id)
        answered_at = birth if skeleton.answered else None
        edits: list[int] = []
        deleted_at = None
        if not skeleton.stable:
            for k in range(birth + 1, epoch + 1):
                d = digest(self.seed, article_id, "epoch", k)
                if unit(d, 0) < DELETE_RATE:
                    deleted_at = k
                    break
                if answered_at is None:
                    if unit(d, 4) < ANSWER_RATE:
                        answered_at = k
                elif unit(d, 8) < EDIT_RATE:
                    edits.append(k)
        return State(birth, deleted_at, answered_at, tuple(edits))

    def last_modified(self, article_id: int, epoch: int) -> datetime | None:
        """Last-Modified of an existing article without building its content (for sitemaps)."""
        state = self.state(article_id, epoch)
        if state is None or state.deleted_at is not None:
            return None
        return _last_modified(article_id, state)

    def exists(self, article_id: int, epoch: int) -> bool:
        state = self.state(article_id, epoch)
        return state is not None and state.deleted_at is None

    def article_ids(self, epoch: int) -> tuple[int, ...]:
        return tuple(
            i for k in range(1, epoch + 1) for i in self.born_in(k) if self.exists(i, epoch)
        )

    def changes(self, epoch: int) -> EpochChanges:
        if epoch < 2:
            return EpochChanges(epoch, frozenset(self.article_ids(epoch)), frozenset(), frozenset())
        changed: set[int] = set()
        removed: set[int] = set()
        for k in range(1, epoch):
            for article_id in self.born_in(k):
                state = self.state(article_id, epoch)
                if state is None or (state.deleted_at is not None and state.deleted_at < epoch):
                    continue
                if state.deleted_at == epoch:
                    removed.add(article_id)
                elif state.answered_at == epoch or epoch in state.edits:
                    changed.add(article_id)
        return EpochChanges(
            epoch, frozenset(self.born_in(epoch)), frozenset(changed), frozenset(removed)
        )

    @cached_property
    def link_targets(self) -> dict[int, tuple[int, ...]]:
        """Per department: epoch-1 ids that never change (stable and answered), for links."""
        by_department: dict[int, list[int]] = {i: [] for i in range(len(words.DEPARTMENTS))}
        for article_id in self.born_in(1):
            skeleton = self._skeleton(article_id)
            if skeleton.stable and skeleton.answered:
                by_department[skeleton.department].append(article_id)
        everyone = tuple(sorted(i for ids in by_department.values() for i in ids))
        return {k: (tuple(v) if len(v) >= 5 else everyone) for k, v in by_department.items()}

    @lru_cache(maxsize=8192)  # noqa: B019 - link targets recur on many pages
    def link_target(self, article_id: int) -> Article:
        """A Similar Q&A / FAQ target: stable, so its epoch-1 content holds in every epoch."""
        article = self.article(article_id, 1)
        if article is None or not article.replies:
            raise ValueError(f"article {article_id} is not a link target")
        return article

    def department_of(self, article_id: int) -> Department:
        return words.DEPARTMENTS[self._skeleton(article_id).department]

    # -- what an article says ----------------------------------------------------------

    def article(self, article_id: int, epoch: int) -> Article | None:
        state = self.state(article_id, epoch)
        if state is None or state.deleted_at is not None:
            return None
        return self.build(article_id, state)

    @lru_cache(maxsize=8192)  # noqa: B019 - the model lives as long as its site
    def build(self, article_id: int, state: State) -> Article:
        """The article as it reads with history ``state`` (cached: pages are re-requested)."""
        skeleton = self._skeleton(article_id)
        department = words.DEPARTMENTS[skeleton.department]
        rng = random.Random(f"{self.seed}:{article_id}:content")
        fill = _Filler(rng, department)
        asked_on = self._ask_date(rng, state.birth)
        title = fill(rng.choice(words.QUESTION_TITLES))
        body = [fill.sentences(words.QUESTION_SENTENCES, rng.randint(1, 3))]
        for _ in range(rng.choice((0, 0, 1, 1, 2))):
            body.append(fill.sentences(words.QUESTION_SENTENCES, rng.randint(1, 2)))
        if rng.random() < 0.1:
            # Not the sentence a CJK title uses: no body line repeats the title.
            body.insert(rng.randint(0, len(body)), rng.choice(words.CJK_SENTENCES[1:]))
        if rng.random() < 0.03:
            title = words.CJK_SENTENCES[0]
        age_label, age_min, age_max = rng.choice(words.AGE_FORMS)
        roll = rng.random()
        sex = "female" if roll < 0.45 else "male" if roll < 0.85 else None
        asker_name = rng.choice(words.ASKER_NAMES) if rng.random() < 0.8 else None
        explanation = self._explanation(rng, fill) if rng.random() < 0.85 else ()
        targets = [t for t in self.link_targets[skeleton.department] if t != article_id]
        similar = (
            tuple(rng.sample(targets, min(len(targets), rng.randint(2, 4))))
            if rng.random() < 0.92
            else ()
        )
        faq_topics = (
            tuple(rng.sample(department.faq_topics, rng.randint(3, len(department.faq_topics))))
            if rng.random() < 0.85
            else ()
        )
        replies: tuple[Reply, ...] = ()
        if state.answered_at is not None:
            replies = self._replies(article_id, department, asked_on, state.answered_at)
        for k in state.edits:
            explanation, replies = self._edit(article_id, k, explanation, replies)
        return Article(
            id=article_id,
            department=department,
            seo_title=fill(rng.choice(words.SEO_TITLES)),
            title=title,
            body=tuple(body),
            asker_name=asker_name,
            age_label=age_label,
            age_min=age_min,
            age_max=age_max,
            sex=sex,
            asked_on=asked_on,
            asked_format=rng.choice(words.DATE_FORMATS),
            replies=replies,
            explanation=explanation,
            similar=similar,
            faq_topics=faq_topics,
            jsonld=rng.random() < 0.5,
            full_heading=rng.random() < 0.5,
            notice=rng.choice((*words.UNANSWERED_NOTICES, None)),
            last_modified=_last_modified(article_id, state),
        )

    def _ask_date(self, rng: random.Random, birth: int) -> date:
        if birth == 1:
            first, last = FIRST_ASK_DATE, LAST_ASK_DATE
        else:
            first = epoch_time(birth - 1).date()
            last = epoch_time(birth).date() - timedelta(days=2)
        return first + timedelta(days=rng.randint(0, (last - first).days))

    def _replies(
        self, article_id: int, department: Department, asked_on: date, answered_at: int
    ) -> tuple[Reply, ...]:
        rng = random.Random(f"{self.seed}:{article_id}:replies")
        fill = _Filler(rng, department)
        if answered_at == 1 or asked_on >= epoch_time(answered_at - 1).date():
            earliest = asked_on
        else:
            earliest = epoch_time(answered_at - 1).date()
        latest = epoch_time(answered_at).date() - timedelta(days=1)
        count = rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
        replies = []
        replied_on = earliest  # later replies never predate earlier ones
        for index in range(count):
            reply_department = department if index == 0 else rng.choice(words.DEPARTMENTS)
            opener = rng.choice(words.REPLY_OPENERS)
            lines = [fill.sentences(words.REPLY_SENTENCES, rng.randint(1, 4))]
            if opener:
                lines[0] = f"{opener} {lines[0]}"
            if rng.random() < 0.3:
                lines.append(fill.sentences(words.REPLY_SENTENCES, rng.randint(1, 3)))
            if rng.random() < 0.05:
                lines.append(rng.choice(words.CJK_SENTENCES))
            replied_on = min(replied_on + timedelta(days=rng.randint(0, 4)), latest)
            replies.append(
                Reply(
                    doctor=f"{rng.choice(words.SURNAMES)} {rng.choice(words.GIVEN_NAMES)}",
                    department=reply_department.name,
                    lines=tuple(lines),
                    replied_on=replied_on,
                    date_format=rng.choice(words.DATE_FORMATS),
                )
            )
        return tuple(replies)

    def _explanation(self, rng: random.Random, fill: _Filler) -> tuple[Block, ...]:
        long_form = rng.random() < 0.3
        per_paragraph = (4, 6) if long_form else (2, 3)
        blocks = [Block("p", (fill.sentences(words.EXPLANATION_SENTENCES, 3),))]
        headings = rng.sample(words.SECTION_HEADINGS, rng.randint(2, 5 if long_form else 3))
        for heading in headings:
            blocks.append(Block("h", (fill(heading),)))
            text = fill.sentences(words.EXPLANATION_SENTENCES, rng.randint(*per_paragraph))
            blocks.append(Block("p", (text,)))
            roll = rng.random()
            if roll < 0.2:
                items = rng.sample(words.LIST_ITEMS, rng.randint(3, 4))
                blocks.append(Block("ul", tuple(fill(i) for i in items)))
            elif roll < 0.35:
                items = rng.sample(words.LIST_ITEMS, rng.randint(3, 4))
                blocks.append(Block("ol", tuple(fill(i) for i in items)))
            elif roll < 0.45:
                blocks.append(self._table(rng, fill))
            elif roll < 0.55:
                for number in range(1, rng.randint(2, 3) + 1):
                    item = fill.sentences(words.EXPLANATION_SENTENCES, 1)
                    blocks.append(Block("p", (f"{number}. {item}",)))
        if rng.random() < 0.6:
            blocks.append(Block("h", ("Conclusion",)))
            blocks.append(Block("p", (fill(rng.choice(words.CONCLUSIONS)),)))
        return tuple(blocks)

    def _table(self, rng: random.Random, fill: _Filler) -> Block:
        rows = [words.TABLE_HEADERS]
        for test in rng.sample(fill.tests, 2):
            purpose = rng.choice(words.TABLE_PURPOSES) + "."
            rows.append((_capitalize(test), rng.choice(words.TABLE_WHEN), purpose))
        return Block("table", rows=tuple(rows))

    def _edit(
        self,
        article_id: int,
        epoch: int,
        explanation: tuple[Block, ...],
        replies: tuple[Reply, ...],
    ) -> tuple[tuple[Block, ...], tuple[Reply, ...]]:
        """Apply the edit made in ``epoch``: a note added to More Info or to the last reply."""
        rng = random.Random(f"{self.seed}:{article_id}:edit:{epoch}")
        fill = _Filler(rng, self.department_of(article_id))
        note = fill(rng.choice(words.EDIT_SENTENCES))
        if explanation and rng.random() < 0.5:
            return (*explanation, Block("p", (note,))), replies
        last = replies[-1]
        return explanation, (*replies[:-1], replace(last, lines=(*last.lines, note)))
