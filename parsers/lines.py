"""Flatten an HTML document into the ordered visible text lines a reader sees.

The site parsers never look at markup structure, only at these lines, so the same page
served as div soup, semantic HTML5, legacy ``<table>`` layout or minified HTML yields the same
lines. The heavy lifting stays in lexbor (C): inline tags are unwrapped and adjacent text
merged, then ``text(separator=NUL)`` ends a line at every block boundary and ``<br>``
(lexbor replaces NUL bytes in the input, so NUL can only be our separator). Facts that the
text alone would lose (a link's target, a ``<time datetime>``, a page footer) ride along as
private-use markers inside the text and are peeled off here; whether a line is a heading or
a list item is known by comparing it with the texts of those elements.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.labels import Label
from parsers.structured import QAData, extract
from parsers.text import ZERO_WIDTH, clean_line

#: Elements whose text is never shown as page content.
INVISIBLE_TAGS: list[str] = [
    "script",
    "style",
    "noscript",
    "template",
    "svg",
    "math",
    "iframe",
    "object",
    "embed",
    "canvas",
    "select",
]
# <nav> is NOT dropped: semantic pages may well mark up "Related FAQ" or "Similar Q&A" as
# navigation. Menus above the question are chrome the state machine already skips.

#: Elements that flow inside a line; unwrapped so their text joins the surrounding text.
INLINE_TAGS: list[str] = [
    "a",
    "span",
    "b",
    "strong",
    "em",
    "i",
    "u",
    "s",
    "strike",
    "del",
    "ins",
    "font",
    "small",
    "big",
    "time",
    "abbr",
    "acronym",
    "label",
    "sub",
    "sup",
    "mark",
    "cite",
    "q",
    "code",
    "kbd",
    "samp",
    "var",
    "dfn",
    "bdi",
    "bdo",
    "data",
    "tt",
    "nobr",
    "wbr",
    "img",
]

#: Elements the page hides (not rendered, so not visible text either).
HIDDEN_SELECTORS: list[str] = [
    "[hidden]",
    '[style*="display:none"]',
    '[style*="display: none"]',
    '[style*="visibility:hidden"]',
    '[style*="visibility: hidden"]',
]
_NOT_LINKS = ("javascript:", "mailto:", "tel:", "#")
_BLOCK_SELECTOR = (
    "address,article,aside,blockquote,br,dd,div,dl,dt,figure,footer,form,h1,h2,h3,h4,h5,h6,"
    "header,hr,li,main,ol,p,pre,section,table,ul"
)

SEP = "\x00"
# In-band markers: ASCII control characters that are not whitespace to ``str.split()`` (so the
# whole page's whitespace collapses in one call without touching them) and that load() first
# removes from the page itself. Links and times are numbered by position: the n-th link
# marker in the text is the n-th link found, because both follow document order.
_LINK = "\x01"  # a link starts here
_TIME = "\x02"  # a <time datetime> ends here
_FOOTER = "\x03"  # a page-level <footer> starts here
_CELL = "\x04"  # separates the cells of a one-line table row
_MARKERS = (_LINK, _TIME, _FOOTER, _CELL)
_MARKER_CHARS = re.compile("[\x01-\x04]")
# Removed from every line: every private-use character (icon-font glyphs) and zero-width
# characters.
_INVISIBLE_CHARS = re.compile("[\ue000-\uf8ff" + "".join(sorted(ZERO_WIDTH)) + "]")
_TAG_NAME = re.compile(r"<([A-Za-z][A-Za-z0-9]*)")
_MAY_HIDE = ("hidden", "HIDDEN", "display:none", "display: none", "DISPLAY:NONE")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SECTIONING = frozenset({"article", "section", "aside", "main", "blockquote"})
_ORDINAL = re.compile(r"^\s*(?:\d+|[a-zA-Z]|[ivxIVX]+)[.)]\s")


@dataclass(slots=True)  # not frozen: a frozen __init__ costs more than the whole text pass
class Line:
    """One visible line.

    ``text`` is what label matching sees (table cells joined by a space); ``row`` is the same
    line as a table row (cells joined by ``" | "``) when it was one, for content sections.
    """

    text: str
    links: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    heading: bool = False
    item: bool = False
    footer: bool = False
    row: str | None = None

    @property
    def content(self) -> str:
        """The line as it reads in running content (a table row keeps its `` | ``)."""
        return self.row or self.text


@dataclass(frozen=True, slots=True)
class Document:
    """A parsed page: its visible lines plus the head facts the lines cannot carry."""

    lines: tuple[Line, ...]
    title: str | None
    canonical: str | None
    lang: str | None
    qa: QAData | None = None
    #: Link target -> the link's ``title`` attribute, for links whose text does not say
    #: where they go (``<a href=.. title="Liver cysts">[Read More]</a>``).
    link_titles: dict[str, str] = field(default_factory=dict)


class LineIndex:
    """Finds the first line carrying a label by scanning the page text with ``str.find``.

    One C-level scan per label instead of a regex call per line; the label's own pattern
    then confirms each candidate line. Lines never contain a newline, so a position's line
    number is the count of newlines before it.
    """

    def __init__(self, lines: Sequence[Line]) -> None:
        self.lines = lines
        texts = [line.text for line in lines]
        text = "\n".join(texts)
        lowered = text.lower()
        if len(lowered) != len(text):  # a few characters change length when lower-cased
            texts = [line.lower() for line in texts]
            lowered = "\n".join(texts)
        self.text = lowered
        self.ends = list(accumulate(map(len, texts)))
        self.footers = [index for index, line in enumerate(lines) if line.footer]

    def offset(self, index: int) -> int:
        """Where line ``index`` starts in ``text``."""
        return self.ends[index - 1] + index if index else 0

    def find(self, label: Label, start: int = 0) -> int | None:
        if start >= len(self.lines):
            return None
        best: int | None = None
        for hint in label.hints:
            pos = self.text.find(hint, self.offset(start))
            while pos != -1 and (best is None or pos < self.offset(best)):
                index = self.text.count("\n", 0, pos)
                if label.pattern.search(self.lines[index].text):
                    best = index
                    break
                pos = (
                    self.text.find(hint, self.offset(index + 1))
                    if index + 1 < len(self.lines)
                    else -1
                )
        return best

    def footer(self, start: int) -> int | None:
        """The first page-level ``<footer>`` at or after line ``start``."""
        return next((index for index in self.footers if index >= start), None)


def _first_text(node: LexborNode) -> LexborNode | None:
    child = node.first_child
    while child is not None and not child.is_text_node:  # the usual case: <a>text</a>
        child = child.first_child
    if child is not None and not child.is_empty_text_node:
        return child
    for child in node.traverse(include_text=True, skip_empty=True):
        if child.is_text_node:
            return child
    return None


def _prefix(node: LexborNode, marker: str) -> None:
    text = _first_text(node)
    if text is not None:
        text.insert_before(marker)


def _number_ordered_lists(tree: LexborHTMLParser) -> None:
    """Give ``<ol>`` items the number a browser would draw, unless the text already has one."""
    for ol in tree.css("ol"):
        items = [child for child in ol.iter() if child.tag == "li"]
        if not items or _ORDINAL.match(items[0].text()):
            continue
        try:
            number = int(ol.attributes.get("start") or 1)
        except ValueError:
            number = 1
        for item in items:
            _prefix(item, f"{number}. ")
            number += 1


def _join_table_rows(tree: LexborHTMLParser) -> None:
    """A row of one-line cells becomes one line; rows holding blocks stay separate lines.

    Data tables (``<tr><td>Drug</td><td>Dose</td></tr>``) read as rows; layout tables, whose
    cells hold paragraphs and ``<br>``s, must not be glued into one line.
    """
    for row in tree.css("tr"):
        cells = [child for child in row.iter() if child.tag in ("td", "th")]
        if len(cells) < 2 or row.css_first(_BLOCK_SELECTOR) is not None:
            continue
        texts = [" ".join(cell.text().split()) for cell in cells]
        texts = [text for text in texts if text]
        if len(texts) < 2:
            continue
        line = tree.create_node("div")
        line.insert_child(_CELL.join(texts))
        row.replace_with(line)


@dataclass(slots=True)
class _Marked:
    """What the marking pass collected: link targets and ``<time>`` values in page order,
    link ``title`` attributes, and the texts of headings and list items."""

    links: list[str] = field(default_factory=list)
    times: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    headings: set[str] = field(default_factory=set)
    items: set[str] = field(default_factory=set)


def _mark(tree: LexborHTMLParser, body: LexborNode, used: set[str]) -> _Marked:
    """One walk of the tree (every CSS query is one) for markers, block texts and unwrapping.

    The query returns nodes in document order, so a heading or list item is read before
    the markers of the links inside it are inserted, the n-th link marker in the page text
    is ``links[n]``, and an inline element is unwrapped only after its own marker is in.
    """
    selector = ",".join(["footer", *(tag for tag in INLINE_TAGS if tag in used)])
    if used.intersection(_HEADINGS):
        selector += ",h1,h2,h3,h4,h5,h6"
    if "li" in used:
        selector += ",li"
    found = _Marked()
    for node in body.css(selector):  # one query, dispatched by tag
        tag = node.tag
        if tag == "a":
            attributes = node.attributes
            href = (attributes.get("href") or "").strip()
            first = node.first_child
            if first is not None and href and not href.lower().startswith(_NOT_LINKS):
                # At the start, not the end: a link wrapping blocks (a card) belongs to its
                # first line, its title. A marker left alone on a line applies to the next.
                first.insert_before(_LINK)
                found.links.append(href)
                title = attributes.get("title")
                if title:
                    found.titles[href] = clean_line(title)
            node.unwrap(delete_empty=True)
        elif tag == "time":
            attributes = node.attributes
            if "datetime" in attributes:
                node.insert_child(_TIME)
                found.times.append(attributes["datetime"] or "")
            node.unwrap(delete_empty=True)
        elif tag == "li":
            found.items.add(clean_line(node.text()))
        elif tag in _HEADINGS:
            found.headings.add(clean_line(node.text()))
        elif tag == "footer":
            first = node.first_child
            if first is not None and _is_page_footer(node):
                marker = tree.create_node("div")
                marker.insert_child(_FOOTER)
                first.insert_before(marker)
        else:
            node.unwrap(delete_empty=True)
    return found


def _is_page_footer(footer: LexborNode) -> bool:
    """A ``<footer>`` of the page, not of an article or section (a reply's date line)."""
    parent = footer.parent
    while parent is not None:
        if parent.tag in _SECTIONING:
            return False
        parent = parent.parent
    return True


def _marked_line(part: str) -> tuple[str, str | None]:
    """``(text, row)`` of a part carrying markers or table cells (``row``: a table row)."""
    part = part.replace(_LINK, "").replace(_TIME, "").replace(_FOOTER, "")
    if _CELL in part:
        cells = [cell for cell in (" ".join(c.split()) for c in part.split(_CELL)) if cell]
        return " ".join(cells), " | ".join(cells)
    # Whitespace is already collapsed; only a marker between two spaces leaves a double one.
    return (" ".join(part.split()) if "  " in part else part.strip()), None


def _split(raw: str, found: _Marked) -> list[Line]:
    if not raw.isascii():
        raw = _INVISIBLE_CHARS.sub("", raw)
        if not unicodedata.is_normalized("NFC", raw):
            raw = unicodedata.normalize("NFC", raw)
    links, times, headings, items = found.links, found.times, found.headings, found.items
    link_at = time_at = 0
    lines: list[Line] = []
    carried: tuple[str, ...] = ()  # links of a marker that stood alone before this line
    # One C call collapses every run of whitespace on the page (str.split() knows every
    # Unicode space); most parts then only need their ends trimmed. Markers are control
    # characters, so a printable part has none.
    for part in " ".join(raw.split()).split(SEP):
        if part.isprintable():
            text = part.strip()
            if not text:
                continue
            line = Line(text, carried, (), text in headings, text in items)
            carried = ()
            lines.append(line)
            continue
        if _FOOTER in part:
            lines.append(Line("", footer=True))
        count = part.count(_LINK)
        line_links = carried + tuple(links[link_at : link_at + count])
        link_at += count
        count = part.count(_TIME)
        line_times = tuple(times[time_at : time_at + count])
        time_at += count
        text, row = _marked_line(part)
        if not text:
            carried = line_links
            continue
        carried = ()
        lines.append(Line(text, line_links, line_times, text in headings, text in items, row=row))
    return lines


def _is_canonical(link: LexborNode) -> bool:
    return "canonical" in (link.attributes.get("rel") or "").lower().split()


def _head_facts(tree: LexborHTMLParser) -> tuple[str | None, str | None, str | None]:
    """``<title>``, ``<link rel=canonical>`` and ``<html lang>``.

    Read from the head's few children; only a page that puts them elsewhere (markup after
    the body has started) pays for a walk of the whole tree.
    """
    head = tree.head
    children = [node for node in head.iter() if node.tag in ("title", "link")] if head else []
    titles = [node for node in children if node.tag == "title"] or tree.tags("title")
    links = [node for node in children if node.tag == "link" and _is_canonical(node)]
    if not links:
        links = [node for node in tree.tags("link") if _is_canonical(node)]
    title = clean_line(titles[0].text()) if titles else None
    canonical = next(
        (href for href in (link.attributes.get("href") for link in links) if href), None
    )
    root = tree.root
    lang = (root.attributes.get("lang") or "").strip() if root is not None else ""
    return title or None, canonical, lang or None


def _body_start(html: str) -> int:
    """Where the body's markup starts, so page scans skip the head (often a large share of a
    real page: state scripts, styles). 0 unless a ``<body`` tag follows a closed head."""
    for tag, head_end in (("<body", "</head"), ("<BODY", "</HEAD")):
        start = html.find(tag)
        if start != -1 and html.rfind(head_end, 0, start) != -1:
            return start
    return 0


def load(html: str) -> Document:
    """Parse ``html`` and flatten it to lines (the tree is modified in the process)."""
    if any(marker in html for marker in _MARKERS):  # never shown; would pose as our markers
        html = _MARKER_CHARS.sub("", html)
    tree = LexborHTMLParser(html)
    title, canonical, lang = _head_facts(tree)
    # Plain substring tests (memchr speed); lower-casing a large page costs more than parsing it.
    may_have_qa = any(mark in html for mark in ("ld+json", "LD+JSON", "itemscope", "ITEMSCOPE"))
    qa = extract(tree) if may_have_qa else None
    body = tree.body
    if body is None:
        return Document((), title, canonical, lang, qa)
    # Every CSS pass walks the whole tree: skip the passes for tags the body never uses.
    start = _body_start(html)
    used = {tag.lower() for tag in set(_TAG_NAME.findall(html, start))}
    # Only the selectors that can match: each one is tested on every element.
    invisible = [tag for tag in INVISIBLE_TAGS if tag in used]
    if any(html.find(mark, start) != -1 for mark in _MAY_HIDE):
        invisible += HIDDEN_SELECTORS
    if invisible:
        for node in body.css(",".join(invisible)):
            node.decompose()
    if "ol" in used:
        _number_ordered_lists(tree)
    found = _mark(tree, body, used)
    if "tr" in used:
        _join_table_rows(tree)
    body.merge_text_nodes()
    raw = body.text(separator=SEP, skip_empty=True)  # whitespace-only nodes dropped in C
    lines = tuple(_split(raw, found))
    return Document(lines, title, canonical, lang, qa, found.titles)
