"""Site chrome recognised from what a reader sees, never from class names or ids.

Two sources, one answer per line (``Chrome.kind``):

* **regions** the markup states (``parsers.flatten``): page ``header``/``footer``, ``nav``,
  ``aside``, forms, dialogs, buttons, ARIA landmarks, schema.org ``WPSideBar``/``Comment``...
  A region that holds one of the article's own anchors (the asker line, a section label) is
  the article's container, not chrome: an ASP.NET page wraps everything in one ``<form>``,
  a semantic page may put "Related FAQ" in a ``<nav>``;
* **lines** whose text is chrome whatever their markup: bylines and entry meta ("Posted on
  <date> by <author>", "Tags: ..."), share bars, comment-section headings ("2 thoughts on
  ...", "Leave a Reply"), post navigation, widget titles ("Recent Posts"), cookie notices,
  skip links, ad captions, breadcrumbs.

Kinds come in two strengths. *Closers* end the article's content: a section that no label
closes ends at the first one (a share bar, the comments, the sidebar, the footer).
*Clutter* (buttons, ads, dialogs) sits anywhere, even between paragraphs, and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from parsers.dates import find_date
from parsers.flatten import (
    AD,
    ASIDE,
    BANNER,
    BUTTON,
    BYLINE,
    COMMENTS,
    CONTENTINFO,
    DIALOG,
    FORM,
    HIDDEN_COPY,
    NAV,
    SEARCH,
    SHARE,
    Line,
    Region,
)
from parsers.lines import LineIndex
from parsers.sites.doctorqna.asker import parse_who
from parsers.sites.doctorqna.labels import (
    ADVERT,
    ASK_DATE,
    BREADCRUMB,
    MORE_INFO,
    RELATED_FAQ,
    REPLY_DATE,
    SHARE_WIDGETS,
    SIMILAR,
    Label,
)
from parsers.sites.doctorqna.labels import SHARE as SHARE_LABEL
from parsers.sites.doctorqna.sections import doctor

# Text-level kinds (besides the region kinds of ``parsers.flatten``).
TITLE = "title"  # the page title repeated on the page
META = "meta"  # byline, entry meta, tags, reading time
SKIP_LINK = "skip-link"
COOKIE = "cookie"
POST_NAV = "post-nav"
WIDGET = "widget"  # a widget or related-posts title
BREADCRUMBS = "breadcrumbs"
AVATAR = "avatar"  # a person's initials standing in for a photo ("CS" above "Dr. Chen Shidian")

#: Kinds that may sit anywhere, even inside the article's text: skipped, never a boundary.
CLUTTER: frozenset[str] = frozenset({BUTTON, AD, DIALOG, COOKIE, HIDDEN_COPY, SKIP_LINK, AVATAR})
#: Region kinds that are never the article's container, whatever they hold.
HARD_REGIONS: frozenset[str] = frozenset({BUTTON, AD, DIALOG, SHARE, HIDDEN_COPY})
#: Region kinds that are site chrome unless they hold one of the article's anchors.
SOFT_REGIONS: frozenset[str] = frozenset(
    {BANNER, NAV, CONTENTINFO, ASIDE, FORM, SEARCH, COMMENTS, BYLINE}
)

_WORD = r"[A-Z][\w.'’-]*"
_META = re.compile(
    r"^(?i:(?:posted|published|updated|last updated|last modified|modified|written|created|"
    r"reviewed|medically reviewed|fact[- ]checked|filed|categori[sz]ed)\b\s*(?:on|by|in|under|"
    r"at|date|:)|(?:categories|category|tags|tagged(?: with)?|topics|filed under|keywords)\s*"
    r"[:：]|(?:tagged|filed under)\s+\S)"
    # "By Jane Doe", "by Jane Doe · 4 min read": the name in capitalised words (case matters).
    r"|^(?i:by)[:\s]+" + _WORD + r"(?:\s+" + _WORD + r"){0,4}\s*"
    r"(?:$|[|·•,–—-]|\bon\b|\bin\b|\bat\b)"
)
_READING = re.compile(
    r"^(?:\d+\s*(?:min(?:ute)?s?|mins?)\s+read|(?:\d[\d,.]*\s*[km]?\s+)(?:views?|reads?|"
    r"comments?|responses?|repl(?:y|ies)|likes?|shares?))$",
    re.I,
)
_COMMENTS = re.compile(
    r"^(?:(?:\d+|one|two|three|no)\s+(?:thoughts?|comments?|responses?|repl(?:y|ies))"
    r"(?:\s+(?:on|to)\b.*)?|leave a (?:reply|comment)(?:\s+cancel reply)?|cancel reply|"
    r"post a comment|add a comment|write a comment|join the (?:discussion|conversation)|"
    r"comments?(?:\s*\(\d+\))?|responses?\s*\(\d+\)|comments are closed\.?|discussion|"
    r"what do you think\??|"
    r"your email address will not be published.*|reply to .{1,40}|log in to (?:reply|comment).*)"
    r"\s*[:：]?$",
    re.I,
)
_WIDGETS = re.compile(
    r"^(?:related(?:\s+(?:posts|articles|stories|reading|content))?|you (?:may|might) also "
    r"(?:like|enjoy)|recommended(?:\s+(?:for you|articles|posts|reading))?|popular "
    r"(?:posts|articles|questions)|most (?:popular|read|viewed)|recent (?:posts|articles|"
    r"comments|questions)|latest (?:posts|articles|news|questions)|read next|more (?:articles|"
    r"posts|stories)(?: from .*)?|trending(?: now)?|categories|archives|tag cloud|tags|meta|"
    r"follow us(?: on .*)?|subscribe(?: to .*)?|(?:sign up for )?(?:our )?newsletter|"
    r"about the author|about us|like this|share this(?: article| post| page)?|"
    r"post navigation|posts navigation|previous (?:post|article)|next (?:post|article))"
    r"\s*[:：]?$",
    re.I,
)
_POST_NAV = re.compile(
    r"^(?:«|‹|←|<)?\s*(?:previous|prev|next|older|newer)\s+(?:post|article|entry|story|question)"
    r"\b|(?:previous|next)\s*[:：]",
    re.I,
)
_COOKIE = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|it) uses? cookies\b|\bcookie (?:policy|"
    r"settings|preferences|consent|notice)\b|\baccept (?:all )?cookies\b|\buse of cookies\b|"
    r"\bby (?:continuing|using) .{0,60}cookies\b",
    re.I,
)
#: A person's initials alone on a line, as avatars without a photo show them.
_INITIALS = re.compile(r"^[A-Z]{1,3}$|^[?？]$")
_SKIP_LINK = re.compile(r"^skip to (?:the )?(?:main )?(?:content|navigation|main|menu)\b", re.I)


def _named(name: str, pattern: re.Pattern[str]) -> str:
    return f"(?P<{name}>{pattern.pattern})"


#: The short-line kinds in one pattern, tried in this order (one regex call per short line).
_SHORT = re.compile(
    "|".join(
        _named(name, pattern)
        for name, pattern in (
            ("reading", _READING),
            ("comments", _COMMENTS),
            ("post_nav", _POST_NAV),
            ("widget", _WIDGETS),
            ("skip_link", _SKIP_LINK),
            ("ad", ADVERT),
        )
    ),
    re.I,
)
_SHORT_KINDS = {"reading": META, "post_nav": POST_NAV, "skip_link": SKIP_LINK}
#: The words a line of one of the ``_SHORT`` kinds can start with (lower case), and the
#: characters (digits: "3 min read", "2 comments"): a set lookup spares the regex most lines.
_SHORT_FIRST = frozenset(
    {
        *("one", "two", "three", "no", "leave", "cancel", "post", "add", "write", "join"),
        *("comment", "comments", "discussion", "what", "your", "reply", "log", "previous"),
        *("response", "responses"),
        *("prev", "next", "older", "newer", "related", "you", "recommended", "popular"),
        *("most", "recent", "latest", "read", "more", "trending", "categories", "archives"),
        *("tag", "tags", "meta", "follow", "subscribe", "sign", "our", "newsletter", "about"),
        *("like", "share", "posts", "skip", "advertisement", "advertisements", "sponsored"),
        *("ad", "ads", "廣告"),
    }
)
_SHORT_START = frozenset("0123456789«‹←<")
_DIGIT = re.compile(r"\d")
#: Longer than this, a line is no page title (titles are looked up only up to it).
_MAX_TITLE_CHARS = 300


_FIRST_WORDS = frozenset(
    {
        *("posted", "published", "updated", "last", "modified", "written", "created"),
        *("reviewed", "medically", "fact", "filed", "categorized", "categorised"),
        *("categories", "category", "tags", "tagged", "topics", "keywords", "by"),
    }
)
_SHARE_WORDS = SHARE_WIDGETS | {
    "tweet",
    "pin",
    "pinterest",
    "linkedin",
    "reddit",
    "telegram",
    "weibo",
    "wechat",
    "messenger",
    "share",
    "mail",
    "sms",
    "copy link",
    "copied",
    "this",
    "on",
    "via",
}
#: Where share buttons point: a line whose links all go to these is a share bar.
_SHARE_TARGETS = re.compile(
    r"facebook\.com/shar|twitter\.com/(?:intent|share)|x\.com/intent|linkedin\.com/"
    r"(?:share|cws/share)|pinterest\.[a-z.]+/pin/create|reddit\.com/submit|line\.me/.*share|"
    r"lineit/share|wa\.me/|whatsapp\.com/send|t\.me/share|telegram\.me/share|"
    r"service\.weibo\.com/share|tumblr\.com/(?:share|widgets/share)|getpocket\.com/save|"
    r"[?&]share=|addtoany\.com/|sharethis\.com/",
    re.I,
)
_MAX_META_CHARS = 160
#: A line at least this long that ends a sentence reads as a paragraph of prose.
_MIN_PROSE_CHARS = 100
_MAX_FORM_EXTRA = 3
_MAX_BUTTON_CHARS = 40
_MAX_FORMS = 16
#: The article's own labels: a block holding one of them is never promoted to chrome.
_ANCHOR_LABELS = (ASK_DATE, REPLY_DATE, MORE_INFO, SIMILAR, RELATED_FAQ)
_ANCHORS = Label(
    re.compile("|".join(label.pattern.pattern for label in _ANCHOR_LABELS), re.I),
    tuple(hint for label in _ANCHOR_LABELS for hint in label.hints),
)


def is_share(line: Line, lowered: str | None = None) -> bool:
    """A share bar: "Share to:" with button captions or icon letters, or links that all go to
    share endpoints under short captions."""
    text = line.text
    lowered = lowered if lowered is not None else text.lower()
    if lowered.startswith(("share", "分享")):
        match = SHARE_LABEL.match(text)
        if match is not None:
            rest = [
                word.lower().strip(":：.") for word in re.split(r"[\s|/,]+", match.group("rest"))
            ]
            # Button captions, or the one-letter glyphs icon fonts leave behind ("f", "in").
            if all(word in _SHARE_WORDS or len(word) <= 2 for word in rest if word):
                return True
    if lowered in _SHARE_WORDS:
        return True
    links = line.links
    return (
        bool(links)
        and len(text) <= 60
        # Share endpoints are other hosts (or WordPress's "?share="): a site path is not one.
        and all("://" in link or "share=" in link for link in links)
        and all(map(_SHARE_TARGETS.search, links))
    )


def text_kind(line: Line, titles: frozenset[str]) -> str | None:
    """The chrome kind a line's text (and link targets) show, or ``None`` for content.

    Cheap tests first: most lines a parser asks about are paragraphs longer than any chrome
    line, which only the cookie-notice test (a substring search) reaches.
    """
    text = line.text
    size = len(text)
    if size > _MAX_META_CHARS:
        if size <= _MAX_TITLE_CHARS and text.casefold() in titles:
            return TITLE
        if "ookie" in text and _COOKIE.search(text[:600]):
            return COOKIE
        return None
    lowered = text.casefold()
    if lowered in titles:
        return TITLE
    if is_share(line, lowered):
        return SHARE
    if line.meta:
        return META
    first = lowered.split(" ", 1)[0].rstrip(":：")
    if first in _FIRST_WORDS and _META.match(text):
        return META
    found = _SHORT.match(text) if first in _SHORT_FIRST or first[:1] in _SHORT_START else None
    if found is not None:
        kind = found.lastgroup
        if kind != WIDGET or line.heading or len(text.split()) <= 4:
            return _SHORT_KINDS.get(kind, kind)
    if size <= 80 and (line.times or _has_meta_mark(text)) and date_line(text) == META:
        return META
    if _is_actions(lowered):
        return BUTTON
    if line.links and BREADCRUMB.search(text):
        return BREADCRUMBS
    if "ookie" in text and _COOKIE.search(text):
        return COOKIE
    return None


#: Captions of the action buttons and links a post or reply carries ("Quote Report",
#: "Helpful (3)", "Like · Share"): a line of nothing else is a row of buttons, not text ("reply"
#: is not one: markup may split a doctor header "Dr. Chen" / "reply" / "Hepatology").
_ACTION_WORDS = frozenset(
    {
        *("quote", "report", "like", "likes", "helpful", "flag", "edit", "delete", "share"),
        *("follow", "upvote", "downvote", "bookmark", "save", "print", "permalink", "useful"),
    }
)
_ACTION_SEPARATOR = r"[\s·•|/()\d👍❤]"
_MAX_ACTIONS = 6
#: One to ``_MAX_ACTIONS`` action words, each a whole run between separators: one regex
#: call in C, where splitting the line and looking up its words cost a list per line.
_ACTIONS = re.compile(
    rf"{_ACTION_SEPARATOR}*(?:(?:{'|'.join(sorted(_ACTION_WORDS, key=len, reverse=True))})"
    rf"(?:{_ACTION_SEPARATOR}+|$)){{1,{_MAX_ACTIONS}}}$"
)


def _is_actions(lowered: str) -> bool:
    """A short line of action captions only (and counts, separators, thumbs)."""
    return _ACTIONS.match(lowered) is not None


_WORDS = re.compile(r"[^\W\d_]+")
#: Words a date line may hold besides the date itself.
_DATE_WORDS = frozenset(
    [
        "at",
        "on",
        "am",
        "pm",
        "a",
        "m",
        "p",
        "mon",
        "tue",
        "wed",
        "thu",
        "fri",
        "sat",
        "sun",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ]
)
_META_WORDS = frozenset(
    [
        "min",
        "mins",
        "minute",
        "minutes",
        "read",
        "ago",
        "views",
        "updated",
        "published",
        "posted",
        "by",
    ]
)
_SEPARATORS = frozenset("|·•–—/")
#: A date beside an author or reading time is set off by one of these (or is a <time>).


def _has_meta_mark(text: str) -> bool:
    """Whether ``text`` holds one of ``|·•–—``: five substring tests, each a ``memchr`` (or
    nothing at all for the three marks an ASCII or Latin-1 string cannot hold), where a set
    test hashed every character."""
    return "|" in text or "·" in text or "•" in text or "–" in text or "—" in text


def date_line(text: str) -> str | None:
    """``"date"`` for a line that is nothing but a date (an entry date under a title),
    ``"meta"`` for a date with an author or reading time beside it ("Editorial Team | June 3,
    2024", "Jun 11, 2024 · 4 min read"), ``None`` for anything else (a sentence that
    mentions a date is content)."""
    if len(text) > 80:
        return None
    found = find_date(text)
    if found is None:
        return None
    rest = text[: found[1]] + " " + text[found[2] :]
    words = _WORDS.findall(rest)
    if all(word.lower() in _DATE_WORDS for word in words):
        return "date"
    if len(words) > 6 or not any(mark in rest for mark in _SEPARATORS):
        return None
    if all(word[0].isupper() or word.lower() in _META_WORDS for word in words):
        return META
    return None


def is_date_only(text: str) -> bool:
    """A line that is nothing but a date (an entry date under a title)."""
    return len(text) <= 40 and _DIGIT.search(text) is not None and date_line(text) == "date"


class Chrome:
    """Chrome kind of every line of one page, judged lazily (a page has hundreds of menu
    lines no parser step ever asks about)."""

    def __init__(
        self,
        lines: Sequence[Line],
        regions: Sequence[Region],
        titles: frozenset[str],
        spans: Sequence[tuple[int, int]] = (),
        index: LineIndex | None = None,
    ) -> None:
        self.index = index
        self.lines = lines
        self.regions = regions
        self.titles = titles
        self.spans = spans
        self.kept: set[int] = set()  # regions found to hold the article's own anchors
        self._kinds: dict[int, str | None] = {}
        self._promoted: dict[int, str] | None = None

    def region_kind(self, index: int) -> str | None:
        """The kind of the innermost chrome region holding line ``index`` that is not kept."""
        region = self.lines[index].region
        while region >= 0:
            if region not in self.kept:
                return self.regions[region].kind
            region = self.regions[region].parent
        return None

    def hard(self, index: int, *, toggle: bool = False) -> bool:
        """Line ``index`` sits in a region that can never hold the article (a button, an ad,
        a dialog, a share bar, a hidden copy). With ``toggle``, a button that is the line's
        innermost region is allowed: a section label as a button's caption is the toggle of
        an accordion or a tab ("More Info" in ``<button aria-expanded>``)."""
        region = self.lines[index].region
        if toggle and region >= 0 and self.regions[region].kind == BUTTON:
            region = self.regions[region].parent
        while region >= 0:
            if self.regions[region].kind in HARD_REGIONS:
                return True
            region = self.regions[region].parent
        return False

    def in_regions(self, index: int) -> bool:
        return self.lines[index].region >= 0

    def keep(self, index: int) -> None:
        """Line ``index`` is one of the article's anchors: its soft regions are content."""
        region = self.lines[index].region
        while region >= 0:
            if self.regions[region].kind in SOFT_REGIONS:
                self.kept.add(region)
            region = self.regions[region].parent
        self._kinds.clear()
        self._promoted = None

    def keep_own(self, index: int, kinds: frozenset[str], size: int) -> None:
        """Line ``index`` is the article's: if the innermost region holding it is of ``kinds``
        and at most ``size`` lines long, that region (only) is content - a reply card's own
        ``<header>`` or ``<footer>`` is not the page's banner or footer."""
        number = self.lines[index].region
        if number < 0 or number in self.kept:
            return
        region = self.regions[number]
        if region.kind in kinds and region.end - region.start <= size:
            self.kept.add(number)
            self._kinds.clear()
            self._promoted = None

    def kind(self, index: int) -> str | None:
        """Chrome kind of line ``index`` (region first, then text), ``None`` for content."""
        kinds = self._kinds
        if index in kinds:
            return kinds[index]
        if self._promoted is None:
            self._promoted = self._promote_forms()
        line = self.lines[index]
        kind = (
            (self.region_kind(index) if line.region >= 0 else None)
            or self._promoted.get(index)
            or text_kind(line, self.titles)
        )
        if kind is None and _INITIALS.match(line.text) and self._names_next(index):
            kind = AVATAR
        elif kind in (COMMENTS, WIDGET) and line.region < 0 and self._prose_next(index):
            kind = None  # "Discussion" heading a paragraph of More Info, not a comment section
        elif kind == COMMENTS and line.region < 0 and self._reply_next(index):
            kind = None  # "Responses (2)" heading the doctors' replies, not readers' comments
        self._kinds[index] = kind
        return kind

    def _prose_next(self, index: int) -> bool:
        """The line after ``index`` is a paragraph of prose: long, a sentence, no link. A
        comment section's or a widget's title is followed by names, dates, links or forms."""
        if index + 1 >= len(self.lines):
            return False
        following = self.lines[index + 1]
        text = following.text
        return (
            len(text) >= _MIN_PROSE_CHARS
            and text.endswith((".", "!", "?", "。", "！", "？"))
            and not following.links
            and following.region < 0
        )

    def _reply_next(self, index: int) -> bool:
        """The line after ``index`` is a doctor header or a ``Reply Date``: a comment-like
        heading above it ("Responses (2)") heads the article's own replies."""
        if index + 1 >= len(self.lines):
            return False
        following = self.lines[index + 1].text
        return doctor(following) is not None or REPLY_DATE.search(following) is not None

    def _names_next(self, index: int) -> bool:
        """Line ``index`` (a person's initials, no link, no heading) stands right above a doctor
        header or an asker phrase: it is their avatar, not text."""
        line = self.lines[index]
        if line.links or line.heading or index + 1 >= len(self.lines):
            return False
        following = self.lines[index + 1].text
        if doctor(following) is not None or ASK_DATE.search(following):
            return True
        asker = parse_who(following) if len(following) <= 80 else None
        return asker is not None and bool(asker.age_label or asker.sex)

    def _promote_forms(self) -> dict[int, str]:
        """The few short lines that belong to a form or a cookie notice: a newsletter box's
        heading and blurb, a comment form's "Leave a Reply", a cookie notice's "Accept" and
        "Learn more". The smallest block holding the form (or the notice's text), when it
        holds none of the article's anchors and little else, is chrome as a whole."""
        promoted: dict[int, str] = {}
        forms = [
            (region.start, region.end, region.kind)
            for number, region in enumerate(self.regions)
            if region.kind in (FORM, SEARCH) and number not in self.kept
        ]
        notices = [
            (index, index + 1, COOKIE)
            for index in self.cookie_lines()
            if self.lines[index].region < 0
        ]
        for start, end, kind in (forms + notices)[:_MAX_FORMS]:  # a hostile page stays linear
            size = end - start
            holders = [
                (stop - begin, begin, stop)
                for begin, stop in self.spans
                if begin <= start and stop >= end and stop - begin > size
            ]
            if not holders:
                continue
            container = min(holders)[1:]
            extra = [i for i in range(*container) if not start <= i < end]
            if len(extra) > _MAX_FORM_EXTRA or any(self._anchor_like(i) for i in extra):
                continue
            if kind == COOKIE and any(len(self.lines[i].text) > _MAX_BUTTON_CHARS for i in extra):
                continue  # a notice's buttons and links are short; this block holds more
            for index in (*range(start, end), *extra):
                promoted[index] = kind
        return promoted

    def cookie_lines(self) -> list[int]:
        """Lines that read as a cookie notice (a scan of the page text first: most pages
        have none)."""
        candidates = (
            self.index.lines_with(("cookie",)) if self.index is not None else range(len(self.lines))
        )
        return [index for index in candidates if _COOKIE.search(self.lines[index].text)]

    def _anchor_like(self, index: int) -> bool:
        text = self.lines[index].text
        return (
            len(text) > _MAX_META_CHARS or bool(_ANCHORS.search(text)) or doctor(text) is not None
        )

    def is_chrome(self, index: int) -> bool:
        return self.kind(index) is not None

    def closes(self, index: int) -> bool:
        """Line ``index`` ends the article's own content (chrome that is not clutter)."""
        kind = self.kind(index)
        return kind is not None and kind not in CLUTTER and kind != TITLE
