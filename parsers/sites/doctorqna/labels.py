"""Every visible label the doctorqna parser anchors on, in one table per language.

Adding a language is one edit here: add its spellings to each entry. The parser only ever
sees the compiled patterns below, never the strings themselves.

The Traditional Chinese spellings are UNVERIFIED GUESSES (we have seen only the English
site); they are marked ``# unverified`` and must be checked against a real zh-TW page.
"""

from __future__ import annotations

import re

from parsers.label import Label

LABELS: dict[str, tuple[str, ...]] = {
    "ask_date": ("Ask Date", "發問日期"),  # zh: unverified
    "reply_date": ("Reply Date", "回覆日期"),  # zh: unverified
    "reply": ("reply", "replied", "replies"),
    "doctor": ("Dr.", "Dr", "Doctor"),
    "doctor_reply_suffix": ("醫師回覆",),  # zh: unverified, "<name>醫師回覆<科>"
    "more_info": ("More Info", "More Information", "延伸閱讀"),  # zh: unverified
    "similar": ("Similar Q&A", "Similar Questions", "相關問答"),  # zh: unverified
    "related_faq": ("Related FAQ", "Related FAQs", "相關FAQ", "相關 FAQ"),  # zh: unverified
    "share": ("Share to", "Share", "分享至", "分享"),  # zh: unverified
    "read_more": ("Read More", "閱讀更多"),  # zh: unverified
    "unanswered": (
        "not yet replied",
        "not yet been replied",
        "awaiting reply",
        "awaiting a reply",
        "no reply yet",
        "尚未回覆",  # zh: unverified
    ),
    "not_found": (
        "page not found",
        "not found",
        "could not be found",
        "cannot be found",
        "does not exist",
        "no longer available",
        "找不到",  # zh: unverified
    ),
    "footer": ("Copyright", "版權所有"),  # zh: unverified
    "advert": ("Advertisement", "Advertisements", "Sponsored", "Ad", "Ads", "廣告"),
}

#: Lower-case words of the labels above: a chrome region (menu, header, footer) holding one is
#: read line by line by ``parsers.flatten``, since it may be the article's own container.
REGION_WORDS: tuple[str, ...] = (
    "ask date",
    "repl",
    "more info",
    "similar",
    "related faq",
    "read more",
    "發問",
    "回覆",
    "延伸閱讀",
    "相關",
)

#: Share-button captions that may sit between the "Share to:" label and the question.
#: ("copy" and "link" alone too: the words of "Copy link" are checked one by one.)
SHARE_WIDGETS: frozenset[str] = frozenset(
    {"facebook", "twitter", "x", "line", "email", "e-mail", "copy", "link", "print", "whatsapp"}
    | {"copy link"}
)


def _alternatives(key: str) -> str:
    return "|".join(re.escape(label) for label in sorted(LABELS[key], key=len, reverse=True))


_COLON = r"[ \t]*[:：]?[ \t]*"


def _hints(key: str) -> tuple[str, ...]:
    return tuple(label.lower() for label in LABELS[key])


#: A count some templates show after a section label: "Similar Q&A (4)".
_COUNT = r"(?:[ \t]*[(（][ \t]*\d+[ \t]*[)）])?"


def _heading(key: str) -> Label:
    """A section heading alone on its line (an optional count and trailing colon allowed)."""
    return Label(re.compile(rf"^(?:{_alternatives(key)}){_COUNT}{_COLON}$", re.I), _hints(key))


ASK_DATE_LABEL = Label(
    re.compile(rf"(?:{_alternatives('ask_date')})\s*[:：]?\s*", re.I), _hints("ask_date")
)
ASK_DATE = ASK_DATE_LABEL
REPLY_DATE = Label(
    re.compile(rf"(?:{_alternatives('reply_date')})\s*[:：]?\s*", re.I), _hints("reply_date")
)
# What may sit between "reply" and the department: a colon, a middle dot, a dash, a bar.
_REPLY_SEPARATOR = r"[\s:：·•|\-–—]*"
# "Dr." (a space optional), or "Dr"/"Doctor" and a space, then a name that starts with a
# letter that is not lower case: never "Doctor's Reply" or "Doctors reply" (headings).
# Sibling spans with no space between them render glued ("Dr. Lin KaireplyOrthopedics"): the
# reply word may follow the name's last letter directly and be followed by the department's
# capital (no English word ends in "reply" or "replied", so no name is cut short).
DOCTOR = re.compile(
    rf"^(?:Dr\.\s*|(?:Dr|Doctor)\s+)(?P<name>(?-i:(?![a-z]))[^\W\d_].*?)(?:\s+|(?<=[^\W\d_]))"
    rf"(?:{_alternatives('reply')})(?:\b|(?=(?-i:[A-Z])))"
    rf"{_REPLY_SEPARATOR}(?P<dept>.*)$",
    re.I,
)
#: The rest of a doctor line that markup put in its own element: ``reply <Department>``.
REPLY_WORD = re.compile(rf"^(?:{_alternatives('reply')})\b{_REPLY_SEPARATOR}(?P<dept>.*)$", re.I)
#: Every doctor line starts with one of these (lower-cased, two letters) or holds a suffix:
#: a cheap test that spares the patterns below the many lines that are not doctor lines.
DOCTOR_STARTS = frozenset(label[:2].lower() for label in LABELS["doctor"])
DOCTOR_SUFFIXES = LABELS["doctor_reply_suffix"]
DOCTOR_BARE = re.compile(r"^Dr\.\s*(?P<name>[^\s.!?:][^.!?:]{0,40})$")
DOCTOR_ZH = re.compile(
    rf"^(?P<name>.{{1,20}}?)(?:{_alternatives('doctor_reply_suffix')})(?P<dept>.*)$"
)
MORE_INFO = _heading("more_info")
SIMILAR = _heading("similar")
RELATED_FAQ = _heading("related_faq")
SHARE = re.compile(rf"^(?:{_alternatives('share')}){_COLON}(?P<rest>.*)$", re.I)
READ_MORE = re.compile(
    rf"^\[?\s*(?:{_alternatives('read_more')})\s*\]?[\s»›>→:：.…]*(?P<title>.*)$", re.I
)
UNANSWERED = Label(re.compile(_alternatives("unanswered"), re.I), _hints("unanswered"))
NOT_FOUND = Label(
    re.compile(rf"\b404\b|{_alternatives('not_found')}", re.I), ("404", *_hints("not_found"))
)
FOOTER = Label(
    re.compile(rf"^(?:©|\(c\)\s*\d{{4}}|{_alternatives('footer')})|all rights reserved", re.I),
    ("©", "(c)", "all rights reserved", *_hints("footer")),
)
#: An ad slot's caption, alone on its line: never content, wherever the slot sits.
ADVERT = re.compile(rf"^(?:{_alternatives('advert')})$", re.I)
BREADCRUMB = re.compile(r"\s(?:>|›|»|/)\s")
