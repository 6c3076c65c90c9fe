"""Find e-mails, phone numbers, id numbers and street addresses in free text.

Medical text is full of numbers that must survive (lab values, doses, dates, blood pressure,
age ranges), so every pattern is narrow and ``tests/export/test_export_deidentify.py`` pairs
each with false-positive traps. ``docs/deidentification.md`` lists what is caught and what
is not; bump ``SCRUBBER_VERSION`` whenever a pattern changes.

Speed matters too: an export scrubs several kilobytes per question for millions of
questions. The text goes through one pass per kind, each skipped when a cheap test shows it
cannot match (no ``@``, no road word, no id label). Patterns that run on every text start
with a character class rather than a lookbehind, because Python's regex engine then jumps
straight to the candidate characters in C; the left-boundary check follows as a two-character
lookbehind (``(?<![class].)``: the character before the one just consumed) and alternatives
check what that first character was with ``(?<=...)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

#: Bumped whenever a pattern changes, so a manifest says which rules an export went through.
SCRUBBER_VERSION = "1"

#: Placeholder for each kind of scrubbed identifier, as it appears in exported text.
PLACEHOLDERS: dict[str, str] = {
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "ID": "[ID]",
    "ADDRESS": "[ADDRESS]",
}
_MIN_PHONE_DIGITS = 8
_MIN_LABELED_ID_DIGITS = 4

# Boundaries use explicit character classes instead of \b: CJK characters count as word
# characters, so \b would miss an id written straight after Chinese text ("身分證A123456789").
# After a number: no digit, letter or slash, and no "." or "-" that continues the number.
_NUM_END = r"(?![0-9A-Za-z/]|[.\-]\d)"
_ALNUM_END = r"(?![0-9A-Za-z])"

_EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+[@＠]"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)

# First character consumed, then: not preceded by a digit, letter or number punctuation.
_PHONE = (
    r"[+(\d](?<![0-9A-Za-z+/.\-].)(?:"
    r"(?<=\+)\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){1,5}"  # international: +886 2 1234 5678
    r"|(?:(?<=0)0886|(?<=8)86)[ \-]\(?0?\d{1,3}\)?[ \-]?\d{3,4}[ \-]?\d{3,4}"  # 886-2-2345-6789
    r"|(?<=0)9\d{2}[ \-]?\d{3}[ \-]?\d{3}"  # Taiwan mobile: 0912-345-678
    r"|(?<=\()0\d{1,3}\)[ \-]?\d{3,4}[ \-]?\d{4}"  # Taiwan landline: (02) 2345-6789
    r"|(?<=0)\d{1,3}-\d{3,4}-?\d{4}"  # Taiwan landline: 02-2345-6789
    r"|(?<=1)[ .\-]\(\d{3}\)[ ]?\d{3}[ .\-]\d{4}"  # US: 1 (555) 123-4567
    r"|(?<=\()\d{3}\)[ ]?\d{3}[ .\-]\d{4}"  # US: (555) 123-4567
    r"|(?<=1)[ .\-]\d{3}[.\-]\d{3}[.\-]\d{4}"  # US: 1-800-555-1234
    r"|(?<=\d)\d{2}[.\-]\d{3}[.\-]\d{4}"  # US: 555-123-4567
    r")" + _NUM_END
)

_ID = (
    r"(?<![0-9A-Za-z])(?:"
    r"[A-Za-z][12ABCDabcd89]\d{8}"  # Taiwan national id / resident certificate
    r"|\d{3}-\d{2}-\d{4}"  # US social security number
    r"|[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"  # PRC id
    r"|[A-Z]{1,2}\d{6}\([0-9A]\)"  # Hong Kong identity card
    r")" + _ALNUM_END
)
# Every id above has six digits in a row, or the SSN shape.
_ID_HINT = re.compile(r"\d(?:\d{5}|\d{2}-\d{2}-\d{4})")

# An identifier announced by its label: keep the label, replace the value (checked in code
# to contain at least four digits, so "ID card is expired" stays as written).
_ID_LABELED = (
    r"(?P<label>(?<![A-Za-z])(?i:passport|medical record|patient (?=n|#)|MRN|NHI card|"
    r"health insurance card|identity card|ID card|I\.D\.|ID)"
    r"(?:\s*(?i:number|no\.?|#))?\s*(?:is\s+|[:：]\s*)?"
    r"|(?:身分證|身份證|身份证|居留證|護照|护照|病歷|病历|健保卡)"
    r"(?:字號|號碼|号码|號|号)?\s*(?:是|為|[:：])?\s*)"
    r"(?P<value>[A-Za-z0-9][A-Za-z0-9\-]{4,})" + _ALNUM_END
)
# Run on lower-cased text; every branch starts with a literal, so the search is fast.
_ID_LABEL_HINT = re.compile(
    r"passport|medical record|patient ?[n#]|mrn|nhi card|insurance card|identity card"
    r"|i(?<![a-z]i)\.?d(?![a-z])|身分證|身份證|身份证|居留證|護照|护照|病歷|病历|健保卡"
)

_EN_STREET = (
    r"\d(?<![0-9A-Za-z+/.\-].)\d{0,4}(?:-\d{1,5})?\s+(?:[A-Z][A-Za-z]*\.?\s+){1,3}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|Lane|Ln|Drive|Way|Court|Ct|Place|Pl|"
    r"Terrace|Parkway|Pkwy|Highway|Hwy)"
    r"\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room)\.?\s*#?\s*[A-Za-z0-9\-]+)?"
)
_EN_TAIWAN = (
    r"(?<![A-Za-z0-9])(?:\d+F\.?(?:-\d+)?,?\s*)?No\.\s*\d+(?:-\d+)?"
    r"(?:,\s*(?:Alley|Aly|Lane|Ln|Section|Sec)\.?\s*\d+)*"
    r",\s*(?:[A-Z][A-Za-z]*\.?\s+){0,2}[A-Z][A-Za-z]*\.?\s*"
    r"(?:Rd|Road|St|Street|Ave|Avenue|Blvd|Boulevard)\b\.?"
    r"(?:,\s*(?:Section|Sec)\.?\s*\d+"
    r"|,\s*(?:[A-Z][A-Za-z]*\s+){1,2}(?:Dist|District|City|County|Township|Village|Vil)\b\.?"
    r"(?:\s*\d{3,6})?"
    r"|,\s*Taiwan(?:\s*\(R\.O\.C\.\))?)*"
)
_ZH_NUM = r"[0-9０-９]+"
_ZH_CNUM = r"[0-9０-９一二三四五六七八九十百]+"
# Characters that start the sentence around an address ("我住在", "家在", "這條路") are not
# part of a place name; excluding them keeps the placeholder from swallowing the context.
_ZH_NAME = (
    r"(?:(?![在住的是我你他她於于到從从往近和與与及家就要去也都這这那條条搭坐])[\u4e00-\u9fff])"
)
_ZH_CITY = (
    r"(?:[台臺](?:北|中|南|東|东)|新北|桃園|桃园|高雄|基隆|新竹|嘉義|嘉义|苗栗|彰化|南投|"
    r"雲林|云林|屏東|屏东|宜蘭|宜兰|花蓮|花莲|澎湖|金門|金门|連江|连江)[市縣县]?"
)
# A number + 號 followed by a vehicle, bed or ward word is a bus line or a bed, not a house.
_ZH_ADDRESS = (
    rf"(?:{_ZH_CITY})?(?:{_ZH_NAME}{{1,3}}[區区鄉乡鎮镇市])?"
    rf"{_ZH_NAME}{{1,6}}?(?:路|街|大道)(?:{_ZH_CNUM}段)?(?:{_ZH_NUM}巷)?(?:{_ZH_NUM}[弄衖])?"
    rf"{_ZH_NUM}(?:[之\-]{_ZH_NUM})?[號号](?![公客]?車|[公客]?车|巴士|線|线|床|病房|診|诊)"
    rf"(?:{_ZH_CNUM}[樓楼Ff](?:之{_ZH_NUM})?)?(?:{_ZH_NUM}室)?"
)

# A road word, at most a section/lane/alley's worth of characters, then a house number.
# Cheap (literal first) and true for every address above, so most texts skip the full pattern.
_ZH_ADDRESS_HINT = re.compile(r"(?:路|街|大道)[^號号\n]{0,16}?[0-9０-９][號号]")


def _placeholder(kind: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: PLACEHOLDERS[kind]


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(c.isdigit() for c in text)
    return PLACEHOLDERS["PHONE"] if digits >= _MIN_PHONE_DIGITS else text


def _labeled_id(match: re.Match[str]) -> str:
    if sum(c.isdigit() for c in match.group("value")) < _MIN_LABELED_ID_DIGITS:
        return match.group(0)
    return match.group("label") + PLACEHOLDERS["ID"]


@dataclass(frozen=True, slots=True)
class _Pass:
    """One kind of identifier: its pattern, its replacement, and a cheap can-it-match test."""

    pattern: re.Pattern[str]
    replace: Callable[[re.Match[str]], str]
    applies: Callable[[str], bool]


def _always(_text: str) -> bool:
    return True


# Order matters: e-mails first (they may contain phone-like digits), labelled ids before
# bare ids, ids before phones (an SSN is not a phone number). Placeholders hold no digits or
# "@", so a later pass never matches inside an earlier one's output.
_PASSES: tuple[_Pass, ...] = (
    _Pass(re.compile(_EMAIL), _placeholder("EMAIL"), lambda t: "@" in t or "＠" in t),
    _Pass(re.compile(_ID_LABELED), _labeled_id, lambda t: bool(_ID_LABEL_HINT.search(t.lower()))),
    _Pass(re.compile(_ID), _placeholder("ID"), lambda t: bool(_ID_HINT.search(t))),
    _Pass(re.compile(_PHONE), _phone, _always),
    _Pass(re.compile(_EN_TAIWAN), _placeholder("ADDRESS"), lambda t: "No." in t),
    _Pass(re.compile(_EN_STREET), _placeholder("ADDRESS"), _always),
    _Pass(
        re.compile(_ZH_ADDRESS),
        _placeholder("ADDRESS"),
        lambda t: bool(_ZH_ADDRESS_HINT.search(t)),
    ),
)


def scrub_text(text: str) -> str:
    """``text`` with e-mails, phones, id numbers and street addresses replaced by placeholders."""
    for scrub_pass in _PASSES:
        if scrub_pass.applies(text):
            text = scrub_pass.pattern.sub(scrub_pass.replace, text)
    return text
