"""One walk over the HTML tree that yields the lines a reader sees, with their link targets.

A line is the rendered text of one block box: everything inside it that flows inline (text
nodes split by framework comments such as React's ``<!-- -->``, sibling ``<span>``s, links,
formatting) joins into one string, and whitespace collapses as a browser collapses it. Block
elements and ``<br>`` end lines. Nothing here depends on CSS class names: what a box is
comes from the element's semantics, its ARIA role, ``hidden``/``aria-hidden`` and the
``display``/``visibility`` of an inline ``style``.

Lexbor (C) builds the tree and enumerates it (``traverse(include_text=True)``); the walk in
Python touches each node once and never changes the tree, so its cost is linear in the size
of the page whatever its depth (100,000 nested elements cost what 100,000 siblings do).
Closing an element is noticed by remembering where its subtree ends: the first node after
it in document order, its next sibling or an ancestor's (``_exit_of``).

Site chrome that markup states outright - landmarks (page ``header``/``footer``, ``nav``,
``aside`` and their roles), forms, dialogs, buttons, schema.org ``WPHeader``/``Comment``/...
items - is recorded as ``Region``s of lines rather than dropped: a section heading may sit
inside a ``<nav>`` or an ASP.NET page may wrap everything in one ``<form>``, and only the
site parser, knowing its labels, can tell (see doctorqna's ``chrome``). A landmark holding none
of the labels' words (a menu, a footer, a sidebar) is read with one ``text()`` call as one
line and its nodes passed over: on a real page they are most of the nodes.
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from selectolax.lexbor import LexborHTMLParser, LexborNode

# Flags of an element kind (several may combine).
BLOCK = 1  # a block box: lines end at its start and end
SKIP = 2  # never rendered: the subtree is not read
HEADING = 4
ITEM = 8  # a list item
PRE = 16  # preformatted: newlines in its text end lines
LINK = 32
TIME = 64
ROW = 128  # a table row
CELL = 256
LIST = 512  # <ol>/<ul>: numbering state for its items
SECTIONING = 1024  # article/section/main...: a header or footer inside is the section's own
LANDMARK = 2048  # header/footer: chrome only outside any sectioning element
REGION = 4096  # the subtree is a chrome region (its kind: ``_REGION_TAGS``, roles, itemtypes)
BR = 8192
INLINE_BOX = 16384  # an explicit display:inline on a block element: no line breaks
ARIA_HIDDEN = 32768  # aria-hidden="true": a hidden copy when a block repeats shown lines

# Chrome region kinds (``Region.kind``).
BANNER = "banner"
NAV = "nav"
CONTENTINFO = "contentinfo"
ASIDE = "aside"
FORM = "form"
SEARCH = "search"
DIALOG = "dialog"
BUTTON = "button"
COMMENTS = "comments"
BYLINE = "byline"
AD = "ad"
SHARE = "share"
HIDDEN_COPY = "aria-hidden"

_BLOCK_TAGS = [
    "address",
    "article",
    "aside",
    "blockquote",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "frameset",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "legend",
    "li",
    "listing",
    "main",
    "marquee",
    "menu",
    "nav",
    "ol",
    "p",
    "plaintext",
    "pre",
    "search",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
    "xmp",
    "button",
]
_SKIP_TAGS = [
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
    "datalist",
    "textarea",
    "video",
    "audio",
    "map",
    "title",
    "head",
    "meta",
    "link",
    "base",
    "rp",
    "noembed",
    "noframes",
    "param",
    "source",
    "track",
]
_SECTIONING_TAGS = ("article", "section", "main", "aside", "nav")
_REGION_TAGS = {
    "nav": NAV,
    "aside": ASIDE,
    "form": FORM,
    "search": SEARCH,
    "dialog": DIALOG,
    "button": BUTTON,
    "address": BYLINE,
    "menu": NAV,
}


def _tag_flags() -> dict[str, int]:
    flags: dict[str, int] = {}
    for tag in _BLOCK_TAGS:
        flags[tag] = BLOCK
    for tag in _SKIP_TAGS:
        flags[tag] = SKIP
    for tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
        flags[tag] |= HEADING
    for tag in _SECTIONING_TAGS:
        flags[tag] |= SECTIONING
    for tag in _REGION_TAGS:
        flags[tag] |= REGION
    flags["li"] |= ITEM
    flags["pre"] |= PRE
    flags["listing"] |= PRE
    flags["xmp"] |= PRE
    flags["plaintext"] |= PRE
    flags["tr"] |= ROW
    flags["td"] |= CELL
    flags["th"] |= CELL
    flags["ol"] |= LIST
    flags["ul"] |= LIST
    flags["menu"] |= LIST
    flags["dir"] |= LIST
    flags["header"] |= LANDMARK
    flags["footer"] |= LANDMARK
    flags["a"] = LINK
    flags["time"] = TIME
    flags["br"] = BR
    return flags


_FLAGS_BY_NAME = _tag_flags()
_FACTORY = LexborHTMLParser("")
#: Lexbor's own id of every tag we know, so the walk compares integers instead of names.
_TAG_IDS: dict[str, int] = {name: _FACTORY.create_node(name).tag_id for name in _FLAGS_BY_NAME}
_TAG_IDS.update(
    {name: _FACTORY.create_node(name).tag_id for name in ("body", "html", "span", "div", "b")}
)
_FLAGS: dict[int, int] = {_TAG_IDS[name]: flags for name, flags in _FLAGS_BY_NAME.items()}
_REGION_BY_ID: dict[int, str] = {_TAG_IDS[name]: kind for name, kind in _REGION_TAGS.items()}
_TEXT_ID = 2  # lexbor's LXB_TAG__TEXT
_COMMENT_ID = 4  # LXB_TAG__EM_COMMENT
#: Ids above this belong to elements lexbor does not know (custom elements): per document.
_MAX_KNOWN_ID = 1 << 16
_OL_ID = _TAG_IDS["ol"]
_LI_ID = _TAG_IDS["li"]
_HEADER_ID = _TAG_IDS["header"]

# AMP components: what the AMP runtime does with them, since no stylesheet tells us.
_AMP: dict[str, tuple[int, str | None]] = {
    "amp-sidebar": (BLOCK | REGION, NAV),
    "amp-mega-menu": (BLOCK | REGION, NAV),
    "amp-nested-menu": (BLOCK | REGION, NAV),
    "amp-ad": (BLOCK | REGION, AD),
    "amp-embed": (BLOCK | REGION, AD),
    "amp-sticky-ad": (BLOCK | REGION, AD),
    "amp-social-share": (BLOCK | REGION, SHARE),
    "amp-consent": (BLOCK | REGION, DIALOG),
    "amp-user-notification": (BLOCK | REGION, DIALOG),
    "amp-analytics": (SKIP, None),
    "amp-pixel": (SKIP, None),
    "amp-state": (SKIP, None),
    "amp-experiment": (SKIP, None),
    "amp-img": (SKIP, None),
    "amp-anim": (SKIP, None),
    "amp-video": (SKIP, None),
    "amp-iframe": (SKIP, None),
    "amp-youtube": (SKIP, None),
    "amp-list": (SKIP, None),  # filled from JSON by the runtime: its template is not content
    "amp-mustache": (SKIP, None),
}

# ARIA roles and schema.org item types that say what a subtree is, markup-independently.
_ROLE_FLAGS: dict[str, tuple[int, str | None]] = {
    "banner": (BLOCK | REGION, BANNER),
    "navigation": (BLOCK | REGION, NAV),
    "menubar": (BLOCK | REGION, NAV),
    "menu": (BLOCK | REGION, NAV),
    "toolbar": (BLOCK | REGION, NAV),
    "contentinfo": (BLOCK | REGION, CONTENTINFO),
    "complementary": (BLOCK | REGION, ASIDE),
    "search": (BLOCK | REGION, SEARCH),
    "form": (BLOCK | REGION, FORM),
    "dialog": (BLOCK | REGION, DIALOG),
    "alertdialog": (BLOCK | REGION, DIALOG),
    "button": (BLOCK | REGION, BUTTON),
    "comment": (BLOCK | REGION, COMMENTS),
    "tooltip": (SKIP, None),
    "heading": (BLOCK | HEADING, None),
    "main": (BLOCK | SECTIONING, None),
    "article": (BLOCK | SECTIONING, None),
    "region": (BLOCK | SECTIONING, None),
}
_ITEMTYPE_FLAGS: dict[str, tuple[int, str | None]] = {
    "WPHeader": (BLOCK | REGION, BANNER),
    "WPFooter": (BLOCK | REGION, CONTENTINFO),
    "WPSideBar": (BLOCK | REGION, ASIDE),
    "SiteNavigationElement": (BLOCK | REGION, NAV),
    "BreadcrumbList": (REGION, NAV),
    "WPAdBlock": (BLOCK | REGION, AD),
    "Comment": (BLOCK | REGION, COMMENTS),
    "UserComments": (BLOCK | REGION, COMMENTS),
}
_DISPLAY = re.compile(r"(?:^|;)\s*(display|visibility)\s*:\s*([a-z-]+)", re.I)
_BLOCK_DISPLAYS = frozenset({"block", "flex", "grid", "table", "list-item", "flow-root"})
_INLINE_DISPLAYS = frozenset({"inline", "inline-block", "inline-flex", "inline-grid"})
_META_RELS = frozenset({"author", "tag", "category", "prev", "next"})
_NOT_LINKS = ("javascript:", "mailto:", "tel:", "#")
_LIST_ITEM = BLOCK | ITEM
#: Chrome regions read in one go when they hold no label: menus, headers, footers, sidebars.
_READ_WHOLE = frozenset({NAV, BANNER, CONTENTINFO, ASIDE, SEARCH, DIALOG, AD, SHARE})
_ORDINAL = re.compile(r"^\s*(?:\d+|[a-zA-Z]|[ivxlcdmIVXLCDM]+)[.)]\s")


@dataclass(slots=True)
class Line:
    """One visible line.

    ``text`` is what label matching sees (table cells joined by a space); ``row`` is the same
    line as a table row (cells joined by ``" | "``) when it was one. ``region`` indexes the
    innermost chrome ``Region`` holding the line (-1: none); ``meta`` says a link on it is
    ``rel`` author, tag, category, prev or next (a byline or post navigation). ``marker`` is
    the number of an ordered list item that does not write its own: part of ``content``, not
    of ``text``, so "1. Dr. Chen reply ..." in a numbered list of replies still reads as a
    doctor line.
    """

    text: str
    links: tuple[str, ...] = ()
    times: tuple[str, ...] = ()
    heading: bool = False
    item: bool = False
    row: str | None = None
    region: int = -1
    meta: bool = False  # holds a link to an author, tag, category or the previous/next post
    marker: str = ""  # the number a browser draws before an <ol> item ("2. ")

    @property
    def content(self) -> str:
        """The line as it reads in running content: an ordered item keeps its number, a table
        row its `` | ``."""
        return self.marker + (self.row or self.text)


@dataclass(slots=True)
class Region:
    """A subtree the markup marks as site chrome: lines ``start`` to ``end`` (exclusive).

    ``parent`` is the enclosing region (-1: none), so a region the site parser finds to hold
    its content (``kept``) still leaves the chrome nested in it marked.
    """

    kind: str
    parent: int
    start: int
    end: int = -1
    kept: bool = False


@dataclass(slots=True)
class Flat:
    """What the walk produced: lines, chrome regions, the line spans of block elements (for
    "where does this container end" questions) and the ``title`` of every link."""

    lines: list[Line] = field(default_factory=list)
    regions: list[Region] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)
    link_titles: dict[str, str] = field(default_factory=dict)


def _clean(text: str) -> str:
    """Drop what renders as nothing: control and format characters (zero-width, soft hyphen,
    bidi marks) and private-use icon-font glyphs; whitespace is already collapsed."""
    kept = "".join(
        ch for ch in text if ch == " " or unicodedata.category(ch) not in ("Cc", "Cf", "Co", "Cs")
    )
    return " ".join(kept.split())


def _numbering(attributes: dict[str, str | None], count: int) -> tuple[int, int, str]:
    """(first number, step, style) of an ``<ol>`` as a browser draws it."""
    reverse = "reversed" in attributes
    style = (attributes.get("type") or "1").strip()[:1] or "1"
    start = attributes.get("start")
    try:
        first = int(start) if start is not None else (count if reverse else 1)
    except ValueError:
        first = count if reverse else 1
    return first, -1 if reverse else 1, style


def _roman(number: int) -> str:
    if number <= 0 or number >= 4000:
        return str(number)
    out = []
    for value, letters in (
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)


def _marker(number: int, style: str) -> str:
    if style in "aA" and 0 < number <= 26:
        letter = chr(ord("a") + number - 1)
        return f"{letter.upper() if style == 'A' else letter}. "
    if style in "iI":
        roman = _roman(number)
        return f"{roman.upper() if style == 'I' else roman}. "
    return f"{number}. "


def contains(markup: bytes | str, needle: str) -> bool:
    """``needle in markup`` for text or UTF-8 bytes (a C-level scan either way)."""
    return (needle in markup) if isinstance(markup, str) else (needle.encode() in markup)


def special_elements(body: LexborNode, markup: bytes | str) -> dict[int, tuple]:
    """Elements whose attributes change what they are: ``mem_id -> (flags, region kind)``.

    One CSS query (in C) finds them; the selectors are only those whose attribute names the
    page contains at all, since each selector is tested against every element.
    """
    selectors = []
    if contains(markup, "hidden"):
        selectors.append('[hidden],[aria-hidden="true" i]')
    if contains(markup, "role"):
        selectors.append("[role]")
    if contains(markup, "display") or contains(markup, "visibility"):
        selectors.append('[style*="display" i],[style*="visibility" i]')
    if contains(markup, "itemtype"):
        selectors.append("[itemtype]")
    if contains(markup, "<dialog") or contains(markup, "<DIALOG"):
        selectors.append("dialog:not([open])")
    if not selectors:
        return {}
    found: dict[int, tuple] = {}
    for node in body.css(",".join(selectors)):
        described = _describe(node.attributes, node.tag or "")
        if described is not None:
            found[node.mem_id] = described
    return found


def _describe(attributes: dict[str, str | None], tag: str) -> tuple[int, str | None] | None:
    role = (attributes.get("role") or "").strip().lower().split()
    # A tab panel is hidden only until a reader picks its tab: its text is the page's, shown
    # one panel at a time (tabs hide the others with ``hidden``, ``display:none`` or
    # ``aria-hidden``), so none of those hides it here.
    panel = bool(role) and role[0] == "tabpanel"
    if "hidden" in attributes and not panel:
        return SKIP, None
    if tag == "dialog" and "open" not in attributes:
        return SKIP, None
    style = attributes.get("style")
    flags, kind = 0, None
    if (attributes.get("aria-hidden") or "").strip().lower() == "true" and not panel:
        flags, kind = ARIA_HIDDEN, HIDDEN_COPY
    if style:
        for name, value in _DISPLAY.findall(style):
            value = value.lower()
            if name.lower() == "visibility":
                if value in ("hidden", "collapse") and not panel:
                    return SKIP, None
            elif value == "none":
                if not panel:
                    return SKIP, None
            elif value in _BLOCK_DISPLAYS:
                flags = BLOCK
            elif value in _INLINE_DISPLAYS:
                flags = INLINE_BOX
    if role and role[0] in _ROLE_FLAGS:
        role_flags, role_kind = _ROLE_FLAGS[role[0]]
        flags |= role_flags
        kind = kind or role_kind
    itemtype = (attributes.get("itemtype") or "").strip()
    if itemtype:
        item_kind = _ITEMTYPE_FLAGS.get(itemtype.split()[0].rstrip("/").rsplit("/", 1)[-1])
        if item_kind is not None and not flags & REGION:
            flags |= item_kind[0]
            kind = item_kind[1]
    return (flags, kind) if flags else None


@lru_cache(maxsize=16)
def _encoded(label_words: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(word.lower().encode() for word in label_words)


def flatten(body: LexborNode, special: dict[int, tuple], label_words: tuple[str, ...] = ()) -> Flat:
    """Walk ``body`` once and return its lines (see the module docstring).

    ``label_words`` are lower-case words of the labels the site's parser anchors on (its
    ``Site.label_words``): a chrome region holding one is walked node by node, since it may
    be the article's own container; any other is read whole.
    """
    words = _encoded(label_words)
    out = Flat()
    lines = out.lines
    regions = out.regions
    spans = out.spans
    buf: list[str] = []  # the text pieces of the line being built
    links: list[str] = []
    times: list[str] = []
    has_text = False
    meta = False
    pending_link: str | None = None  # an open link whose first text has not come yet
    pending_meta = False
    prefix: tuple[str, list] | None = None  # an <ol> item's number and its list's state
    heading = item = pre = sectioning = skipping = 0
    region = -1
    lists: list[list] = []  # [is_ol, next number, step, style, checked]
    rows: list[list] = []  # [has blocks]
    custom: dict[int, tuple[int, str | None]] = {}

    def flush() -> None:
        nonlocal has_text, prefix, meta
        text = " ".join("".join(buf).split())
        buf.clear()
        has_text = False
        if not text.isprintable():
            text = _clean(text)
        if text:
            marker = ""
            if prefix is not None:
                marker, state = prefix
                prefix = None
                if not state[4]:  # the list's first item: does the list write its own numbers?
                    state[4] = True
                    if _ORDINAL.match(text + " "):
                        state[0] = False
                        marker = ""
            if not text.isascii() and not unicodedata.is_normalized("NFC", text):
                text = unicodedata.normalize("NFC", text)
            lines.append(
                Line(
                    text,
                    tuple(links) if links else (),
                    tuple(times) if times else (),
                    heading > 0,
                    item > 0,
                    None,
                    region,
                    meta,
                    marker,
                )
            )
        links.clear()
        times.clear()
        meta = False

    def close(frame: tuple) -> None:
        """An element ends: the line, counters and regions it opened close with it."""
        nonlocal pending_link, heading, item, prefix, pre, sectioning, region, skipping
        flags = frame[2]
        if skipping:  # only the skipped subtree's own frame is on the stack
            skipping -= 1
            if flags & REGION:  # chrome read in one go (see ``_read_region``)
                closed = regions[frame[3]]
                closed.end = len(lines)
                region = closed.parent
            return
        if flags & BLOCK and not flags & INLINE_BOX:
            if has_text:
                flush()
            if flags & ROW:
                _close_row(lines, spans, rows.pop(), frame[4])
            if len(lines) > frame[4]:
                spans.append((frame[4], len(lines)))
        if flags & TIME and frame[3]:
            times.append(frame[3])
        if flags & HEADING:
            heading -= 1
        if flags & ITEM:
            item -= 1
            prefix = None
        if flags & PRE:
            pre -= 1
        if flags & SECTIONING:
            sectioning -= 1
        if flags & LIST:
            lists.pop()
        if flags & REGION:
            closed = regions[frame[3]]
            closed.end = len(lines)
            region = closed.parent

    # A frame: (exit id, node id, flags, data, first line). The root frame never closes.
    body_id = body.mem_id
    stack: list[tuple] = [(-1, body_id, 0, None, 0)]
    top_exit, top_node = -1, body_id
    flags_of = _FLAGS.get
    nodes = body.traverse(include_text=True)
    next(nodes)  # the body itself
    link_exit = -2  # where the open link ends (links never nest)
    for node in nodes:
        node_id = node.mem_id
        if node_id == link_exit:  # a link that showed no text: its target goes nowhere
            pending_link = None
            link_exit = -2
        while node_id == top_exit:
            frame = stack.pop()
            top_exit, top_node = stack[-1][0], stack[-1][1]
            flags = frame[2]
            if flags == BLOCK and not skipping:  # the common case, inline
                if has_text:
                    flush()
                if len(lines) > frame[4]:
                    spans.append((frame[4], len(lines)))
            elif flags == _LIST_ITEM and not skipping:
                if has_text:
                    flush()
                if len(lines) > frame[4]:
                    spans.append((frame[4], len(lines)))
                item -= 1
                prefix = None
            else:
                close(frame)
        if skipping:
            continue
        tag_id = node.tag_id
        if tag_id == _TEXT_ID:
            text = node.text_content
            if not text:
                continue
            if pre and "\n" in text:
                parts = text.split("\n")
                for part in parts[:-1]:
                    if part and not part.isspace():
                        buf.append(part)
                        has_text = True
                    if has_text:
                        flush()
                text = parts[-1]
            if text.isspace() or not text:
                if has_text:
                    buf.append(" ")
                continue
            buf.append(text)
            has_text = True
            if pending_link is not None:
                links.append(pending_link)
                pending_link = None
                meta = meta or pending_meta
            continue
        flags = flags_of(tag_id, 0)
        if tag_id > _MAX_KNOWN_ID:
            known = custom.get(tag_id)
            if known is None:
                known = custom[tag_id] = _AMP.get(node.tag or "", (0, None))
            flags, kind = known
        else:
            kind = None
        if special:
            described = special.get(node_id)
            if described is not None:
                extra, extra_kind = described
                if extra & INLINE_BOX:
                    flags = (flags & ~BLOCK) | INLINE_BOX
                flags |= extra & ~INLINE_BOX
                kind = extra_kind or kind
                if flags & ARIA_HIDDEN:
                    # Decorative inline text ("[Read More]", arrows) stays: a sighted reader
                    # sees it. A block is watched as a possible hidden copy of a section.
                    flags &= ~ARIA_HIDDEN
                    if flags & BLOCK and not flags & INLINE_BOX:
                        flags |= REGION
                        kind = HIDDEN_COPY
                    elif extra_kind == HIDDEN_COPY:
                        kind = None
        if not flags:  # inline elements and comments: their text simply flows on
            continue
        if flags == LINK:
            attributes = node.attributes  # a dict built per call: read once
            href = attributes.get("href")
            if href:
                href = href.strip()
                if href and not href.lower().startswith(_NOT_LINKS):
                    pending_link = href
                    after = node.next
                    link_exit = (
                        after.mem_id if after is not None else _exit_of(node, top_node, top_exit)
                    )
                    rel = attributes.get("rel")
                    pending_meta = bool(rel) and not _META_RELS.isdisjoint(rel.lower().split())
                    title = attributes.get("title")
                    if title:
                        out.link_titles[href] = " ".join(title.split())
            continue
        if flags & BR:
            if rows:
                rows[-1][0] = True
            if has_text:
                flush()
            continue
        # Where this element's subtree ends: its next sibling, else its parent's end.
        after = node.next
        exit_id = after.mem_id if after is not None else _exit_of(node, top_node, top_exit)
        if flags in (BLOCK, _LIST_ITEM):  # the common cases, inline
            if has_text:
                flush()
            if rows:
                rows[-1][0] = True
            if flags == _LIST_ITEM:
                item += 1
                if tag_id == _LI_ID and lists and lists[-1][0]:
                    prefix = _item_number(node, lists[-1])
            stack.append((exit_id, node_id, flags, None, len(lines)))
            top_exit, top_node = exit_id, node_id
            continue
        data = None
        if flags & SKIP:
            skipping += 1
            flags &= ~REGION  # never rendered: no region either
        else:
            if flags & BLOCK and not flags & INLINE_BOX:
                if has_text:
                    flush()
                if rows and not flags & (CELL | ROW):
                    rows[-1][0] = True
            if flags & LANDMARK and not flags & REGION and not sectioning:
                flags |= REGION
                kind = BANNER if tag_id == _HEADER_ID else CONTENTINFO
            if flags & REGION:
                kind = kind or _REGION_BY_ID.get(tag_id) or NAV
                regions.append(Region(kind, region, len(lines)))
                region = data = len(regions) - 1
                if kind in _READ_WHOLE and _read_region(node, lines, region, words):
                    # Chrome with none of the article's labels: its text in one C call, its
                    # subtree detached so the walk never visits it (menus and footers are
                    # most of a real page's nodes; nothing reads the tree after the walk).
                    node.inner_html = ""
                    skipping += 1
                    stack.append((exit_id, node_id, SKIP | REGION, data, len(lines)))
                    top_exit, top_node = exit_id, node_id
                    continue
            if flags & TIME:
                data = node.attributes.get("datetime") or None
            if flags & HEADING:
                heading += 1
            if flags & ITEM:
                item += 1
                if tag_id == _LI_ID and lists and lists[-1][0]:
                    prefix = _item_number(node, lists[-1])
            if flags & PRE:
                pre += 1
            if flags & SECTIONING:
                sectioning += 1
            if flags & LIST:
                lists.append(_list_state(node, tag_id))
            if flags & ROW:
                rows.append([False])
        stack.append((exit_id, node_id, flags, data, len(lines)))
        top_exit, top_node = exit_id, node_id
    while len(stack) > 1:  # the end of the body closes every element still open
        close(stack.pop())
    if has_text:
        flush()
    for kept in regions:
        if kept.end < 0:
            kept.end = len(lines)
    if any(kept.kind == HIDDEN_COPY for kept in regions):
        _drop_hidden_copies(out)
    return out


def _drop_hidden_copies(flat: Flat) -> None:
    """Remove ``aria-hidden`` blocks whose lines repeat lines shown elsewhere (a copy kept for
    a second layout or for scripts); other ``aria-hidden`` blocks are decoration a sighted
    reader sees, and stay."""
    lines, regions = flat.lines, flat.regions
    hidden = [index for index, region in enumerate(regions) if region.kind == HIDDEN_COPY]
    inside: set[int] = set()
    for index in hidden:
        inside.update(range(regions[index].start, regions[index].end))
    shown = {line.text for number, line in enumerate(lines) if number not in inside}
    drop: set[int] = set()
    for index in hidden:
        region = regions[index]
        texts = [line.text for line in lines[region.start : region.end]]
        if texts and sum(text in shown for text in texts) * 3 >= len(texts) * 2:
            drop.update(range(region.start, region.end))
    if drop:
        _remove_lines(flat, drop)


def _remove_lines(flat: Flat, drop: set[int]) -> None:
    """Delete lines ``drop`` and renumber everything that points at lines."""
    new_index = []
    count = 0
    for number in range(len(flat.lines) + 1):
        new_index.append(count)
        if number < len(flat.lines) and number not in drop:
            count += 1
    flat.lines[:] = [line for number, line in enumerate(flat.lines) if number not in drop]
    for region in flat.regions:
        region.start, region.end = new_index[region.start], new_index[region.end]
    flat.spans[:] = [
        (new_index[start], new_index[end])
        for start, end in flat.spans
        if new_index[end] > new_index[start]
    ]


def _read_region(
    node: LexborNode, lines: list[Line], region: int, label_words: tuple[bytes, ...]
) -> bool:
    """Append a chrome region holding no label as one line, and say so; ``False`` (nothing
    appended) when the region must be walked: it may be the article's own container."""
    raw = node.text(deep=True)  # unsplit, so a label split by markup still reads
    # Bytes, so lower-casing is ASCII only (labels are ASCII or CJK) and cheap on any text.
    lowered = raw.encode("utf-8", "replace").lower()
    if any(word in lowered for word in label_words):
        return False
    text = " ".join(raw.split())
    if text and not text.isprintable():
        text = _clean(text)
    if text:
        lines.append(Line(text, region=region))
    return True


def _exit_of(node: LexborNode, top_node: int, top_exit: int) -> int:
    """The first node after ``node``'s subtree: an ancestor's next sibling, or where the
    innermost open frame (``top_node``) ends. Each ancestor is climbed by at most one
    element's search, so the walk stays linear however deep the tree."""
    parent = node.parent
    while parent is not None:
        parent_id = parent.mem_id
        if parent_id == top_node:
            return top_exit
        after = parent.next
        if after is not None:
            return after.mem_id
        parent = parent.parent
    return -1


def _list_state(node: LexborNode, tag_id: int) -> list:
    if tag_id != _OL_ID:
        return [False, 0, 1, "1", True]
    attributes = node.attributes
    count = 0
    if "reversed" in attributes:
        count = sum(1 for child in node.iter() if child.tag_id == _LI_ID)
    first, step, style = _numbering(attributes, count)
    return [True, first, step, style, False]


def _item_number(node: LexborNode, state: list) -> tuple[str, list]:
    """The number an ``<ol>`` item shows, with its list's state: the first line of the list
    decides whether the list writes its own numbers (``<li>1) shown</li>`` must not read
    ``1. 1) shown``), see ``flatten``."""
    value = node.attributes.get("value") if "value" in node.attributes else None
    if value is not None:
        with contextlib.suppress(ValueError):
            state[1] = int(value)
    number = state[1]
    state[1] += state[2]
    return _marker(number, state[3]), state


def _close_row(lines: list[Line], spans: list[tuple[int, int]], state: list, first: int) -> None:
    """A row of one-line cells reads as one line, cells joined by ``" | "``; a row whose cells
    hold blocks or ``<br>`` (a layout table) keeps its lines."""
    if state[0] or len(lines) - first < 2:
        return
    cells = lines[first:]
    texts = [cell.content for cell in cells]
    merged = Line(
        " ".join(texts),
        tuple(link for cell in cells for link in cell.links),
        tuple(time for cell in cells for time in cell.times),
        any(cell.heading for cell in cells),
        any(cell.item for cell in cells),
        " | ".join(texts),
        cells[0].region,
        any(cell.meta for cell in cells),
    )
    del lines[first:]
    lines.append(merged)
    while spans and spans[-1][0] >= first:
        spans.pop()
