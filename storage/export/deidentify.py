"""De-identification for exports: pseudonymous asker ids and scrubbing of direct identifiers.

Askers post under a display name and sometimes type their phone number, e-mail or address
into the question. A research export should let analysts group questions by asker without
learning who the asker is, and should not republish contact details. So:

* the asker name column is dropped and replaced by ``asker_<12 hex>``, an HMAC-SHA256 of the
  site and the normalised name under a secret key kept outside the export. Same name + site +
  key gives the same id across exports; without the key the id cannot be reversed by
  guessing names;
* free-text columns have e-mail addresses, phone numbers, id numbers, street addresses,
  names after labels and dates of birth replaced by ``[EMAIL]``, ``[PHONE]``, ``[ID]``,
  ``[ADDRESS]``, ``[NAME]``, ``[DOB]``; the asker's own display name is replaced wherever
  the row's text repeats it (a 發問者 who signs the question with the same name).

The scrubbing patterns live in ``scrub.py``; ``docs/deidentification.md`` lists what is
caught and, honestly, what is not.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storage.export.scrub import PLACEHOLDERS, SCRUBBER_VERSION, scrub_text

#: Environment variable that supplies the key instead of the key file.
KEY_ENV_VAR = "HEALTHQA_DEID_KEY"
#: File name of the key inside the data directory (never inside an export directory).
KEY_FILE_NAME = "deidentify.key"
PSEUDONYM_PREFIX = "asker_"
PSEUDONYM_HEX_CHARS = 12
_MIN_KEY_CHARS = 16


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
    def scrub(text: str | None, known_names: Sequence[str] = ()) -> str | None:
        """Replace identifiers (and ``known_names``, the person's own names) with placeholders."""
        return None if text is None else scrub_text(text, known_names)


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
        name = None
        if self.name_column is not None:
            name = _take(out, self.name_column, pop=True)
            site = _take(out, self.site_column) if name is not None else None
            if name is not None and not site:
                raise ValueError(f"row has an asker name but no {self.site_column!r} value")
            out[self.pseudonym_column] = self.deidentifier.pseudonym(name, site or "")
        for path in self.text_columns:
            column, _, field = path.partition(".")
            value = _take(out, column)
            out[column] = _scrub_value(value, field, path, (name,) if name else ())
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


def _scrub_value(value: Any, field: str, path: str, names: Sequence[str]) -> Any:
    if value is None:
        return None
    if not field:
        if not isinstance(value, str):
            raise TypeError(f"text column {path!r} holds {type(value).__name__}, not text")
        return Deidentifier.scrub(value, names)
    if isinstance(value, Mapping):
        return {**value, field: _scrub_value(value.get(field), "", path, names)}
    if isinstance(value, list | tuple):
        return [_scrub_value(item, field, path, names) for item in value]
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
