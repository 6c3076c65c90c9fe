"""A page as the site parsers see it: the visible lines (``parsers.flatten``) plus the facts of
its head (title, canonical link, ``<base href>``, language) and its schema.org QAPage data.

The site parsers never look at markup, only at these lines, so the same page served as div
soup, semantic HTML5, a server-rendered app, a blog theme, AMP or a legacy ``<table>`` layout
yields the same lines.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.flatten import Line, Region, contains, flatten, special_elements
from parsers.guard import bounded
from parsers.label import Label
from parsers.structured import QAData, extract
from parsers.text import clean_line

#: How much bold text a page may have read as stated headings (a hostile page has megabytes).
_MAX_EMPHASIZED_CHARS = 200_000

__all__ = ["Document", "Line", "LineIndex", "Region", "load"]


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed page: its visible lines plus the head facts the lines cannot carry.

    ``regions`` are the chrome regions the markup states (``Line.region`` indexes them) and
    ``spans`` the ``(first, end)`` line ranges of block elements, innermost first, so a parser
    can ask where the container of a line ends. ``base`` is the ``<base href>`` as written
    (links resolve against it). ``notes`` are warning codes the loading itself raised (such
    as structured data that could not be read).
    """

    lines: tuple[Line, ...]
    title: str | None
    canonical: str | None
    lang: str | None
    qa: QAData | None = None
    #: Link target -> the link's ``title`` attribute, for links whose text does not say
    #: where they go (``<a href=.. title="Liver cysts">[Read More]</a>``).
    link_titles: dict[str, str] = field(default_factory=dict)
    regions: tuple[Region, ...] = ()
    spans: tuple[tuple[int, int], ...] = ()
    base: str | None = None
    notes: tuple[str, ...] = ()
    #: Texts of ``<b>``/``<strong>`` elements: a line that is all bold reads as a heading.
    emphasized: frozenset[str] = frozenset()


class LineIndex:
    """Finds the lines carrying a label by scanning the page text with ``find`` in C.

    One scan per label instead of a regex call per line; the label's own pattern then
    confirms each candidate line. The page text is held as UTF-8 bytes lower-cased in ASCII
    only: labels are ASCII words or CJK (which has no case), and ``bytes.lower`` costs a
    fraction of ``str.lower`` on text with any non-ASCII character (8 ns a character).
    """

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        texts = [line.text for line in lines]
        self.text = "\n".join(texts).encode("utf-8", "replace").lower()
        # Where each line starts in ``text`` (each line is followed by one newline); an ASCII
        # line's length in bytes is its length (``isascii`` is a flag lookup).
        sizes = [len(t) if t.isascii() else len(t.encode("utf-8", "replace")) for t in texts]
        self.starts = [
            0,
            *(end + number + 1 for number, end in enumerate(accumulate(sizes))),
        ]
        self._labels: dict[Label, list[int]] = {}
        self._needles: dict[tuple[str, ...], list[int]] = {}

    def offset(self, index: int) -> int:
        """Where line ``index`` starts in ``text``."""
        return self.starts[index]

    def find(self, label: Label, start: int = 0) -> int | None:
        """The first line at or after ``start`` that carries ``label``."""
        return next(self.find_all(label, start), None)

    def find_all(self, label: Label, start: int = 0) -> Iterator[int]:
        """Every line at or after ``start`` that carries ``label``, in page order."""
        found = self._carrying(label)
        return iter(found[bisect_left(found, start) :])

    def _carrying(self, label: Label) -> list[int]:
        """Every line that carries ``label``, found once per page: parsers ask about the
        same few labels from many starting lines."""
        found = self._labels.get(label)
        if found is None:
            candidates = self._holding(label.hints)
            search, lines = label.pattern.search, self.lines
            found = self._labels[label] = [i for i in candidates if search(lines[i].text)]
        return found

    def _holding(self, needles: tuple[str, ...]) -> list[int]:
        """The lines (in order) where one of ``needles`` starts in the lower-cased page text
        (a needle starting with a newline: the line it starts), one scan per needle that jumps
        to the next line after each hit; cached, as parsers ask about the same few needles
        from many starting lines."""
        found = self._needles.get(needles)
        if found is None:
            text, starts = self.text, self.starts
            lines: set[int] = set()
            for needle in _encoded(needles):
                if needle[:1] == b"\n":
                    if self.lines and text.startswith(needle[1:]):
                        lines.add(0)
                    at = text.find(needle)
                    while at != -1:
                        lines.add(bisect_right(starts, at + 1) - 1)
                        at = text.find(needle, at + 1)
                    continue
                at = text.find(needle)
                while at != -1:
                    index = bisect_right(starts, at) - 1
                    lines.add(index)
                    at = text.find(needle, starts[index + 1])
            found = self._needles[needles] = sorted(lines)
        return found

    def lines_with(self, needles: tuple[str, ...], start: int = 0) -> list[int]:
        """Lines at or after ``start`` whose lower-cased text holds one of ``needles`` (a
        needle starting with a newline matches at the start of a line), found with ``find``
        over the page text, never a loop over lines."""
        found = self._holding(needles)
        return found[bisect_left(found, start) :]


_ENCODED: dict[tuple[str, ...], tuple[bytes, ...]] = {}


def _encoded(words: tuple[str, ...]) -> tuple[bytes, ...]:
    """``words`` as UTF-8 bytes (cached: the labels are a handful of constants)."""
    found = _ENCODED.get(words)
    if found is None:
        found = _ENCODED[words] = tuple(word.encode() for word in words)
    return found


def _head_facts(
    tree: LexborHTMLParser, markup: bytes | str
) -> tuple[str | None, str | None, str | None, str | None]:
    """``<title>``, ``<link rel=canonical>``, ``<base href>`` and ``<html lang>``.

    Read from the head's few children; only a page that puts them elsewhere (markup after
    the body has started) pays for a walk of the whole tree.
    """
    head = tree.head
    children = (
        [node for node in head.iter() if node.tag in ("title", "link", "base")] if head else []
    )
    titles = [node for node in children if node.tag == "title"] or tree.tags("title")
    links = [node for node in children if node.tag == "link" and _is_canonical(node)]
    if not links:
        links = [node for node in tree.tags("link") if _is_canonical(node)]
    bases = [node for node in children if node.tag == "base"]
    if not bases:  # a <base> the markup put after the body started (one C walk of the tree)
        bases = tree.tags("base")
    title = clean_line(titles[0].text()) if titles else None
    canonical = next(
        (href for href in (link.attributes.get("href") for link in links) if href), None
    )
    base = next(
        (href.strip() for href in (node.attributes.get("href") for node in bases) if href), None
    )
    root = tree.root
    lang = (root.attributes.get("lang") or "").strip() if root is not None else ""
    return title or None, canonical, base or None, lang or None


def _is_canonical(link: LexborNode) -> bool:
    return "canonical" in (link.attributes.get("rel") or "").lower().split()


def load(markup: bytes | str, label_words: tuple[str, ...] = ()) -> Document:
    """Parse ``markup`` (text, or UTF-8 bytes: see ``parsers.decode.markup_of``) and flatten
    it to lines; ``label_words``: the site's (``parsers.flatten.flatten``)."""
    markup = bounded(markup)
    tree = LexborHTMLParser(markup)
    title, canonical, base, lang = _head_facts(tree, markup)
    # Plain substring tests (memchr speed); lower-casing a large page costs more than parsing it.
    may_have_qa = any(
        contains(markup, mark) for mark in ("ld+json", "LD+JSON", "itemscope", "ITEMSCOPE")
    )
    qa, notes = extract(tree) if may_have_qa else (None, ())
    body = tree.body
    if body is None:
        return Document((), title, canonical, lang, qa, base=base, notes=notes)
    emphasized = _emphasized(tree, body)  # before the walk, which detaches the chrome it reads
    flat = flatten(body, special_elements(body, markup), label_words)
    return Document(
        tuple(flat.lines),
        title,
        canonical,
        lang,
        qa,
        flat.link_titles,
        tuple(flat.regions),
        tuple(flat.spans),
        base,
        notes,
        emphasized,
    )


def _emphasized(tree: LexborHTMLParser, body: LexborNode) -> frozenset[str]:
    """The text of every outermost ``<b>``/``<strong>``: a line that is nothing but bold text
    is a heading as a reader sees it (``<B>Warning Signs</B><BR>`` in a legacy layout),
    whatever its size. Bold inside bold is not read again, and the text read is bounded, so
    hostile nesting stays linear.

    Found with two tag lookups in C (a page without bold, most of them, costs a fifth of a CSS
    query); only a page with more bold text than the bound takes the CSS query, whose
    document order decides which texts fit in it."""
    found = set()
    total = 0
    for node in tree.tags("b") + tree.tags("strong"):
        parent = node.parent
        if parent is not None and parent.tag in ("b", "strong"):
            continue
        text = node.text(deep=True)
        total += len(text)
        if total > _MAX_EMPHASIZED_CHARS:
            return _emphasized_in_order(body)
        found.add(" ".join(text.split()))
    return frozenset(found)


def _emphasized_in_order(body: LexborNode) -> frozenset[str]:
    """``_emphasized`` in document order (one CSS query), up to the bound."""
    found = set()
    budget = _MAX_EMPHASIZED_CHARS
    for node in body.css("b, strong"):
        parent = node.parent
        if parent is not None and parent.tag in ("b", "strong"):
            continue
        text = node.text(deep=True)
        budget -= len(text)
        if budget < 0:
            break
        found.add(" ".join(text.split()))
    return frozenset(found)
