"""Flatten an HTML document into the ordered visible text lines a reader sees.

The site parsers never look at markup structure, only at these lines, so the same page
served as div soup, semantic HTML5, legacy ``<table>`` layout or minified HTML yields the same
lines. The heavy lifting stays in lexbor (C): inline tags are unwrapped and adjacent text
merged, then ``text(separator=NUL)`` ends a line at every block boundary and ``<br>``
(lexbor replaces NUL bytes in the input, so NUL can only be our separator). Facts that the
text alone would lose (a link's target, a ``<time datetime>``, "this line is a list item" or
"a heading") ride along as private-use markers inside the text and are peeled off here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.structured import QAData, extract
from parsers.text import clean_line

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
    "nav",
]

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

_INVISIBLE_SELECTOR = ",".join(INVISIBLE_TAGS)
_MARKED_SELECTOR = "a[href],time[datetime],h1,h2,h3,h4,h5,h6,li,footer"
_BLOCK_SELECTOR = (
    "address,article,aside,blockquote,br,dd,div,dl,dt,figure,footer,form,h1,h2,h3,h4,h5,h6,"
    "header,hr,li,main,ol,p,pre,section,table,ul"
)

SEP = "\x00"
_LINK = "\ue001"  # _LINK + index + _END: the line contains link number <index>
_TIME = "\ue003"  # _TIME + index + _END: the line contains <time> number <index>
_END = "\ue002"
_HEADING = "\ue004"  # the line starts an <h1>..<h6>
_CELL = "\ue005"  # separates the cells of a one-line table row
_ITEM = "\ue006"  # the line starts a list item
_FOOTER = "\ue007"  # a <footer> starts here
_LINK_END = "\ue008"  # a link ends here; one glued to the next link ends the line (chips)
_MARKERS = re.compile("[\ue001\ue003](\\d+)\ue002|[\ue004\ue006\ue007\ue008]")
_SECTIONING = frozenset({"article", "section", "aside", "main", "blockquote"})
_MAY_HAVE_QA = re.compile(r"ld\+json|itemscope", re.I)
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

    tree: LexborHTMLParser
    lines: tuple[Line, ...]
    title: str | None
    canonical: str | None
    lang: str | None
    qa: QAData | None = None


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
        if len(cells) < 2 or any(cell.css_first(_BLOCK_SELECTOR) for cell in cells):
            continue
        texts = [" ".join(cell.text().split()) for cell in cells]
        texts = [text for text in texts if text]
        if len(texts) < 2:
            continue
        line = tree.create_node("div")
        line.insert_child(_CELL.join(texts))
        row.replace_with(line)


def _mark(tree: LexborHTMLParser, body: LexborNode, links: list[str], times: list[str]) -> None:
    for node in body.css(_MARKED_SELECTOR):  # one query, dispatched by tag
        tag = node.tag
        if tag == "a":
            href = (node.attributes.get("href") or "").strip()
            if href and not href.lower().startswith(("javascript:", "mailto:", "tel:", "#")):
                # At the first text, not the end: a link wrapping blocks (a card) belongs
                # to its first line, its title.
                _prefix(node, f"{_LINK}{len(links)}{_END}")
                node.insert_child(_LINK_END)
                links.append(href)
        elif tag == "li":
            _prefix(node, _ITEM)
        elif tag == "time":
            node.insert_child(f"{_TIME}{len(times)}{_END}")
            times.append(node.attributes.get("datetime") or "")
        elif tag == "footer":
            first = node.first_child
            if first is not None and _is_page_footer(node):
                marker = tree.create_node("div")
                marker.insert_child(_FOOTER)
                first.insert_before(marker)
        else:
            _prefix(node, _HEADING)


def _is_page_footer(footer: LexborNode) -> bool:
    """A ``<footer>`` of the page, not of an article or section (a reply's date line)."""
    parent = footer.parent
    while parent is not None:
        if parent.tag in _SECTIONING:
            return False
        parent = parent.parent
    return True


def _split(raw: str, links: list[str], times: list[str]) -> Iterator[Line]:
    pending_heading = pending_item = False
    raw = raw.replace(_LINK_END + _LINK, SEP + _LINK)
    for part in raw.split(SEP):
        if not part or part.isspace():
            continue
        line_links: list[str] = []
        line_times: list[str] = []
        heading, item, footer = pending_heading, pending_item, False
        if not part.isascii():
            for match in _MARKERS.finditer(part):
                token = match.group(0)
                if token[0] == _LINK:
                    line_links.append(links[int(match.group(1))])
                elif token[0] == _TIME:
                    line_times.append(times[int(match.group(1))])
                elif token == _HEADING:
                    heading = True
                elif token == _ITEM:
                    item = True
                elif token == _FOOTER:
                    footer = True
            part = _MARKERS.sub("", part)
        row = None
        if _CELL in part:
            cells = [clean_line(cell) for cell in part.split(_CELL)]
            row = " | ".join(cell for cell in cells if cell)
            text = " ".join(cell for cell in cells if cell)
        else:
            text = clean_line(part)
        if footer:
            yield Line("", footer=True)
        if not text:
            # A marker alone on its line (say an <li> whose text starts inside a <p>)
            # describes the next line.
            pending_heading, pending_item = heading, item
            continue
        pending_heading = pending_item = False
        yield Line(text, tuple(line_links), tuple(line_times), heading, item, False, row)


def load(html: str) -> Document:
    """Parse ``html`` and flatten it to lines (the tree is modified in the process)."""
    tree = LexborHTMLParser(html)
    title_node = tree.css_first("title")
    title = clean_line(title_node.text()) if title_node is not None else None
    canonical_node = tree.css_first('link[rel="canonical"][href]')
    canonical = canonical_node.attributes.get("href") if canonical_node is not None else None
    html_node = tree.css_first("html")
    lang = (html_node.attributes.get("lang") or "").strip() if html_node is not None else ""
    qa = extract(tree) if _MAY_HAVE_QA.search(html) else None
    body = tree.body
    if body is None:
        return Document(tree, (), title or None, canonical, lang or None, qa)
    for node in body.css(_INVISIBLE_SELECTOR):
        node.decompose()
    links: list[str] = []
    times: list[str] = []
    _number_ordered_lists(tree)
    _mark(tree, body, links, times)
    _join_table_rows(tree)
    body.unwrap_tags(INLINE_TAGS)
    body.merge_text_nodes()
    lines = tuple(_split(body.text(separator=SEP), links, times))
    return Document(tree, lines, title or None, canonical, lang or None, qa)
