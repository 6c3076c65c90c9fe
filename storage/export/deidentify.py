"""De-identification for exports: pseudonymous asker ids and scrubbing of direct identifiers.

Askers post under a display name and sometimes type their phone number, e-mail or address
into the question. A research export should let analysts group questions by asker without
learning who the asker is, and should not republish contact details. So:

* the asker name column is dropped and replaced by ``asker_<12 hex>``, an HMAC-SHA256 of the
  site and the normalised name under a secret key kept outside the export. Same name + site +
  key gives the same id across exports; without the key the id cannot be reversed by
  guessing names;
* free-text columns have e-mail addresses, phone numbers, national id numbers and street
  addresses replaced by ``[EMAIL]``, ``[PHONE]``, ``[ID]``, ``[ADDRESS]``.

The patterns are deliberately narrow: medical text is full of numbers (lab values, doses,
dates, blood pressure, age ranges) that must survive. ``docs/deidentification.md`` lists what
is caught and, honestly, what is not.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import tempfile
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: Environment variable that supplies the key instead of the key file.
KEY_ENV_VAR = "HEALTHQA_DEID_KEY"
#: File name of the key inside the data directory (never inside an export directory).
KEY_FILE_NAME = "deidentify.key"
#: Bumped whenever a pattern changes, so a manifest says which rules an export went through.
SCRUBBER_VERSION = "1"
PSEUDONYM_PREFIX = "asker_"
PSEUDONYM_HEX_CHARS = 12
_MIN_KEY_CHARS = 16

# Boundaries use explicit character classes instead of \b: CJK characters count as word
# characters, so \b would miss an id written straight after Chinese text ("身分證A123456789").
_NUM_START = r"(?<![0-9A-Za-z+/.\-])"
_NUM_END = r"(?![0-9A-Za-z/]|[.\-]\d)"
_ALNUM_START = r"(?<![0-9A-Za-z])"
_ALNUM_END = r"(?![0-9A-Za-z])"

_EMAIL = (
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+[@＠]"
    r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
)

_PHONE = (
    _NUM_START
    + (
        r"(?:"
        r"\+\d{1,3}(?:[ .\-]?\(?\d{1,4}\)?){1,5}"  # international: +886 2 1234 5678
        r"|(?:00)?886[ \-]\(?0?\d{1,3}\)?[ \-]?\d{3,4}[ \-]?\d{3,4}"  # 886-2-2345-6789
        r"|09\d{2}[ \-]?\d{3}[ \-]?\d{3}"  # Taiwan mobile: 0912-345-678
        r"|\(0\d{1,3}\)[ \-]?\d{3,4}[ \-]?\d{4}"  # Taiwan landline: (02) 2345-6789
        r"|0\d{1,3}-\d{3,4}-?\d{4}"  # Taiwan landline: 02-2345-6789
        r"|(?:1[ .\-])?\(\d{3}\)[ ]?\d{3}[ .\-]\d{4}"  # US: (555) 123-4567
        r"|(?:1[ .\-])?\d{3}[.\-]\d{3}[.\-]\d{4}"  # US: 555-123-4567
        r")"
    )
    + _NUM_END
)

_ID = (
    _ALNUM_START
    + (
        r"(?:"
        r"[A-Za-z][12ABCDabcd89]\d{8}"  # Taiwan national id / resident certificate
        r"|\d{3}-\d{2}-\d{4}"  # US social security number
        r"|[1-9]\d{5}(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"  # PRC id
        r"|[A-Z]{1,2}\d{6}\([0-9A]\)"  # Hong Kong identity card
        r")"
    )
    + _ALNUM_END
)

# An identifier announced by its label: keep the label, replace the value (checked in code
# to contain at least four digits, so "ID card is expired" stays as written).
_ID_LABELED = (
    r"(?P<id_label>(?<![A-Za-z])(?i:passport|medical record|patient (?=n|#)|MRN|NHI card|"
    r"health insurance card|identity card|ID card|I\.D\.|ID)"
    r"(?:\s*(?i:number|no\.?|#))?\s*(?:is\s+|[:：]\s*)?"
    r"|(?:身分證|身份證|居留證|護照|护照|病歷|病历|健保卡)(?:字號|號碼|号码|號|号)?\s*(?:是|為|[:：])?\s*)"
    r"(?P<id_value>[A-Za-z0-9][A-Za-z0-9\-]{4,})" + _ALNUM_END
)

_EN_WORDS = r"(?:[A-Z][A-Za-z]*\.?\s+){1,3}"
_EN_STREET = (
    _NUM_START + r"\d{1,5}(?:-\d{1,5})?\s+" + _EN_WORDS + r"(?:Street|St|Road|Rd|Avenue|Ave|"
    r"Boulevard|Blvd|Lane|Ln|Drive|Way|Court|Ct|Place|Pl|Terrace|Parkway|Pkwy|Highway|Hwy)"
    r"\b\.?(?:,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Fl|Floor|Rm|Room)\.?\s*#?\s*[A-Za-z0-9\-]+)?"
)
_TW_ROAD_SUFFIX = r"(?:Rd|Road|St|Street|Ave|Avenue|Blvd|Boulevard)\b\.?"
_EN_TAIWAN = (
    r"(?<![A-Za-z0-9])(?:\d+F\.?(?:-\d+)?,?\s*)?No\.\s*\d+(?:-\d+)?"
    r"(?:,\s*(?:Alley|Aly|Lane|Ln|Section|Sec)\.?\s*\d+)*"
    r",\s*(?:[A-Z][A-Za-z]*\.?\s+){0,2}[A-Z][A-Za-z]*\.?\s*"
    + _TW_ROAD_SUFFIX
    + r"(?:,\s*(?:Section|Sec)\.?\s*\d+"
    r"|,\s*(?:[A-Z][A-Za-z]*\s+){1,2}(?:Dist|District|City|County|Township|Village|Vil)\b\.?"
    r"(?:\s*\d{3,6})?"
    r"|,\s*Taiwan(?:\s*\(R\.O\.C\.\))?)*"
)
_ZH_NUM = r"[0-9０-９]+"
_ZH_CNUM = r"[0-9０-９一二三四五六七八九十百]+"
# Characters that start the sentence around an address ("我住在", "家在", "這條路") are not
# part of a place name; excluding them keeps the placeholder from swallowing the context.
# A number + 號 followed by a vehicle, bed or room word is a bus line or a bed, not a house.
_ZH_NAME = (
    r"(?:(?![在住的是我你他她於于到從从往近和與与及家就要去也都這这那條条搭坐])[\u4e00-\u9fff])"
)
_ZH_CITY = (
    r"(?:[台臺](?:北|中|南|東|东)|新北|桃園|桃园|高雄|基隆|新竹|嘉義|嘉义|苗栗|彰化|南投|"
    r"雲林|云林|屏東|屏东|宜蘭|宜兰|花蓮|花莲|澎湖|金門|金门|連江|连江)[市縣县]?"
)
_ZH_ADDRESS = (
    rf"(?:{_ZH_CITY})?(?:{_ZH_NAME}{{1,3}}[區区鄉乡鎮镇市])?"
    rf"{_ZH_NAME}{{1,6}}?(?:路|街|大道)(?:{_ZH_CNUM}段)?(?:{_ZH_NUM}巷)?(?:{_ZH_NUM}[弄衖])?"
    rf"{_ZH_NUM}(?:[之\-]{_ZH_NUM})?[號号](?![公客]?車|[公客]?车|巴士|線|线|床|病房|診|诊)"
    rf"(?:{_ZH_CNUM}[樓楼Ff](?:之{_ZH_NUM})?)?(?:{_ZH_NUM}室)?"
)

_SCRUB = re.compile(
    "|".join(
        f"(?P<{kind}>{pattern})"
        for kind, pattern in (
            ("EMAIL", _EMAIL),
            ("ID_LABELED", _ID_LABELED),
            ("ID", _ID),
            ("PHONE", _PHONE),
            ("ADDRESS", "|".join((_EN_TAIWAN, _EN_STREET, _ZH_ADDRESS))),
        )
    )
)

#: Placeholder for each kind of scrubbed identifier, as it appears in exported text.
PLACEHOLDERS: dict[str, str] = {
    "EMAIL": "[EMAIL]",
    "PHONE": "[PHONE]",
    "ID": "[ID]",
    "ADDRESS": "[ADDRESS]",
}
_MIN_PHONE_DIGITS = 8
_MIN_LABELED_ID_DIGITS = 4


def _replacement(match: re.Match[str]) -> str:
    kind = match.lastgroup
    text = match.group(0)
    if kind == "ID_LABELED":
        if sum(c.isdigit() for c in match.group("id_value")) < _MIN_LABELED_ID_DIGITS:
            return text
        return match.group("id_label") + PLACEHOLDERS["ID"]
    if kind == "PHONE" and sum(c.isdigit() for c in text) < _MIN_PHONE_DIGITS:
        return text
    assert kind is not None
    return PLACEHOLDERS[kind]


def normalize_name(name: str) -> str:
    """Fold the spellings of one display name together: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


class Deidentifier:
    """Pseudonyms and scrubbing under one secret key (see the module docstring)."""

    def __init__(self, key: bytes) -> None:
        if len(key) < _MIN_KEY_CHARS:
            raise ValueError(f"de-identification key must be at least {_MIN_KEY_CHARS} bytes")
        self._key = key

    @property
    def key_id(self) -> str:
        """A public fingerprint of the key: equal ids mean pseudonyms are comparable."""
        return hmac.new(self._key, b"healthqa key id", hashlib.sha256).hexdigest()[:16]

    def pseudonym(self, name: str | None, site: str) -> str | None:
        """``asker_<hex>`` for a display name on a site; ``None`` for no or blank name."""
        if name is None:
            return None
        normalized = normalize_name(name)
        if not normalized:
            return None
        message = f"{site}\x1f{normalized}".encode()
        digest = hmac.new(self._key, message, hashlib.sha256).hexdigest()
        return PSEUDONYM_PREFIX + digest[:PSEUDONYM_HEX_CHARS]

    @staticmethod
    def scrub(text: str | None) -> str | None:
        """Replace e-mail, phone, id-number and street-address spans with placeholders."""
        if text is None:
            return None
        return _SCRUB.sub(_replacement, text)


@dataclass(frozen=True, slots=True)
class DeidentifyPlan:
    """Which columns of an export row to pseudonymise and scrub.

    ``text_columns`` entries are a column name, or ``column.field`` for a field inside a
    struct or list of structs (``answers.body``). The name column is removed from the row and
    ``pseudonym_column`` added, so the export schema lists the pseudonym, not the name.
    """

    deidentifier: Deidentifier
    text_columns: tuple[str, ...] = ()
    name_column: str | None = "asker_name"
    pseudonym_column: str = "asker_id"
    site_column: str = "site"

    def apply(self, row: Mapping[str, Any]) -> dict[str, Any]:
        out = dict(row)
        if self.name_column is not None:
            name = _take(out, self.name_column, pop=True)
            site = _take(out, self.site_column) if name is not None else None
            if name is not None and not site:
                raise ValueError(f"row has an asker name but no {self.site_column!r} value")
            out[self.pseudonym_column] = self.deidentifier.pseudonym(name, site or "")
        for path in self.text_columns:
            column, _, field = path.partition(".")
            value = _take(out, column)
            out[column] = _scrub_value(value, field, path)
        return out

    def settings(self) -> dict[str, Any]:
        """What the manifest records: the rules and a key fingerprint, never the key."""
        return {
            "scrubber_version": SCRUBBER_VERSION,
            "scrubbed_columns": list(self.text_columns),
            "placeholders": sorted(PLACEHOLDERS.values()),
            "name_column_removed": self.name_column,
            "pseudonym_column": self.pseudonym_column if self.name_column else None,
            "pseudonym": {
                "method": "HMAC-SHA256(key, site + U+001F + NFKC-casefolded name)",
                "prefix": PSEUDONYM_PREFIX,
                "hex_chars": PSEUDONYM_HEX_CHARS,
                "key_id": self.deidentifier.key_id,
            },
        }


def _take(row: dict[str, Any], column: str, *, pop: bool = False) -> Any:
    if column not in row:
        raise KeyError(f"de-identification expects column {column!r}; row has {sorted(row)}")
    return row.pop(column) if pop else row[column]


def _scrub_value(value: Any, field: str, path: str) -> Any:
    if value is None:
        return None
    if not field:
        if not isinstance(value, str):
            raise TypeError(f"text column {path!r} holds {type(value).__name__}, not text")
        return Deidentifier.scrub(value)
    if isinstance(value, Mapping):
        return {**value, field: _scrub_value(value.get(field), "", path)}
    if isinstance(value, list | tuple):
        return [_scrub_value(item, field, path) for item in value]
    raise TypeError(f"{path!r} expects a struct or list of structs, got {type(value).__name__}")


def default_key_path(data_dir: Path) -> Path:
    return data_dir / KEY_FILE_NAME


def load_or_create_key(path: Path, *, environ: Mapping[str, str] = os.environ) -> bytes:
    """The pseudonym key: ``$HEALTHQA_DEID_KEY`` if set, else the key file, created if absent.

    The key is text (a new file gets 64 hex characters) and the same text gives the same
    key from either source, so a key file's content can be moved into the environment.
    A new file is created with mode 0600 and linked into place, so concurrent exports
    agree on one key; an existing file readable by group or others is refused.
    """
    env_value = environ.get(KEY_ENV_VAR, "").strip()
    if env_value:
        return _checked_key(env_value, f"${KEY_ENV_VAR}")
    if not path.exists():
        _create_key_file(path)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise PermissionError(
            f"key file {path} is readable by others (mode {mode:o}); run: chmod 600 {path}"
        )
    return _checked_key(path.read_text(encoding="utf-8").strip(), str(path))


def _checked_key(text: str, source: str) -> bytes:
    if len(text) < _MIN_KEY_CHARS:
        raise ValueError(
            f"de-identification key from {source} is shorter than {_MIN_KEY_CHARS} characters; "
            "generate one with: python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return text.encode("utf-8")


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        # If another process created the file first, use theirs so both agree on one key.
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
