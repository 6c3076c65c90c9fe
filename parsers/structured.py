"""schema.org ``QAPage`` data from JSON-LD and microdata, markup-independent by design.

Both the generic parser (which relies on it entirely) and the site parser (which uses it to
confirm and fill what the visible text lacks) read it here, so a Q&A found in structured
data means the same thing everywhere. It must run before the page is flattened, because
flattening unwraps the inline elements that often carry ``itemprop``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.dates import parse_date
from parsers.flatten import flatten, special_elements
from parsers.guard import bounded
from parsers.text import clean_line, clean_text


@dataclass(frozen=True, slots=True)
class QAAnswer:
    text: str | None
    author: str | None
    date: str | None


@dataclass(frozen=True, slots=True)
class QAData:
    """The question and answers a page declares about itself."""

    name: str | None
    text: str | None
    author: str | None
    date: str | None
    answers: tuple[QAAnswer, ...]
    identifier: str | None = None
    answer_count: int | None = None  # ``answerCount`` as the data states it


def html_to_text(fragment: str) -> str | None:
    """Text fields in JSON-LD often hold HTML: render it to lines like the page would be."""
    if "<" not in fragment and "&" not in fragment:
        return clean_text(fragment)
    fragment = bounded(fragment)
    body = LexborHTMLParser(fragment).body
    if body is None:
        return None
    flat = flatten(body, special_elements(body, fragment))
    return "\n".join(line.content for line in flat.lines if line.text) or None


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _walk(value: Any) -> Iterator[dict[str, Any]]:
    """Every Question object that is the subject of a QAPage (or stands alone), in document
    order. Iterative, so data nested thousands deep costs time, not the stack."""
    pending: list[tuple[Any, frozenset[str]]] = [(value, frozenset())]
    while pending:
        value, parent_types = pending.pop()
        if isinstance(value, list):
            pending.extend((item, parent_types) for item in reversed(value))
        elif isinstance(value, dict):
            types = _types(value)
            if "Question" in types and "FAQPage" not in parent_types:
                yield value
                continue
            if "QAPage" in types and isinstance(value.get("mainEntity"), dict | list):
                pending.append((value["mainEntity"], frozenset(types)))
                continue
            for key in ("mainEntity", "@graph"):  # reversed: @graph is read first
                if key in value:
                    pending.append((value[key], frozenset(types)))


def _name(author: Any) -> str | None:
    if isinstance(author, list):
        author = author[0] if author else None
    if isinstance(author, dict):
        author = author.get("name")
    return clean_line(author) or None if isinstance(author, str) else None


def _identifier(value: Any) -> str | None:
    """A site's own id, when the page states it (``"identifier": "9876"`` or a PropertyValue)."""
    if isinstance(value, dict):
        value = value.get("value")
    if isinstance(value, int | str) and not isinstance(value, bool):
        return clean_line(str(value)) or None
    return None


def _text(value: Any) -> str | None:
    return html_to_text(value) if isinstance(value, str) else None


def _answers(question: dict[str, Any]) -> Iterator[QAAnswer]:
    for key in ("acceptedAnswer", "suggestedAnswer"):
        found = question.get(key)
        for answer in found if isinstance(found, list) else [found]:
            if isinstance(answer, dict):
                yield QAAnswer(
                    _text(answer.get("text")),
                    _name(answer.get("author")),
                    parse_date(str(answer.get("dateCreated") or "")),
                )


_JSON_LD = "application/ld+json"
#: Warning code: a JSON-LD block was present but could not be read.
UNREADABLE = "structured_data_unreadable"


def _head_json_ld(tree: LexborHTMLParser) -> list[LexborNode]:
    head = tree.head
    if head is None:
        return []
    return [
        node
        for node in head.iter()
        if node.tag == "script" and node.attributes.get("type") == _JSON_LD
    ]


def _from_json_ld(tree: LexborHTMLParser, notes: list[str]) -> QAData | None:
    # The head's own children first (no walk of the whole tree); they come first in page
    # order too, so the first QAPage found there is the one a full search would find.
    return _question_in(_head_json_ld(tree), notes) or _question_in(
        tree.css(f'script[type="{_JSON_LD}"]'), notes
    )


def _question_in(scripts: list[LexborNode], notes: list[str]) -> QAData | None:
    for script in scripts:
        try:
            data = json.loads(script.text())
        except (ValueError, RecursionError):  # invalid, or nested deeper than Python recurses
            if UNREADABLE not in notes:
                notes.append(UNREADABLE)
            continue
        for question in _walk(data):
            name = question.get("name")
            return QAData(
                name=clean_line(name) or None if isinstance(name, str) else None,
                text=_text(question.get("text")),
                author=_name(question.get("author")),
                date=parse_date(str(question.get("dateCreated") or "")),
                answers=tuple(_answers(question)),
                identifier=_identifier(question.get("identifier")),
                answer_count=_count(question.get("answerCount")),
            )
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


#: How far up an ``itemprop`` looks for its ``itemscope``, and how many ``itemprop``s of one
#: name are read: real items are shallow and short, and a hostile page must not make the
#: search quadratic.
_MAX_SCOPE_DEPTH = 256
_MAX_PROPS = 64


def _scope_of(node: LexborNode) -> LexborNode | None:
    parent = node.parent
    for _ in range(_MAX_SCOPE_DEPTH):
        if parent is None or "itemscope" in parent.attributes:
            return parent
        parent = parent.parent
    return None


def _props(scope: LexborNode, name: str) -> list[LexborNode]:
    """``itemprop=name`` nodes that belong to ``scope`` itself, not to a nested item."""
    found = []
    for node in scope.css(f'[itemprop~="{name}"]')[:_MAX_PROPS]:
        owner = _scope_of(node)
        if owner is not None and owner.mem_id == scope.mem_id:
            found.append(node)
    return found


def _value(node: LexborNode) -> str | None:
    attrs = node.attributes
    for key in ("content", "datetime"):
        if attrs.get(key):
            return attrs[key]
    if node.tag == "meta":
        return None
    return html_to_text(node.html or "")


def _prop(scope: LexborNode, name: str) -> str | None:
    nodes = _props(scope, name)
    return _value(nodes[0]) if nodes else None


def _person(scope: LexborNode) -> str | None:
    nodes = _props(scope, "author")
    if not nodes:
        return None
    author = nodes[0]
    if "itemscope" in author.attributes:
        return _prop(author, "name")
    value = _value(author)
    return clean_line(value) or None if value else None


def _from_microdata(tree: LexborHTMLParser) -> QAData | None:
    question = None
    for node in tree.css("[itemscope][itemtype]"):
        kind = (node.attributes.get("itemtype") or "").rstrip("/").rsplit("/", 1)[-1]
        if kind == "Question":
            question = node
            break
    if question is None:
        return None
    answers = [
        QAAnswer(_prop(node, "text"), _person(node), parse_date(_prop(node, "dateCreated")))
        for key in ("acceptedAnswer", "suggestedAnswer")
        for node in _props(question, key)
    ]
    name = _prop(question, "name")
    return QAData(
        name=clean_line(name) or None if name else None,
        text=_prop(question, "text"),
        author=_person(question),
        date=parse_date(_prop(question, "dateCreated")),
        answers=tuple(answers),
        identifier=_identifier(_prop(question, "identifier")),
    )


def extract(tree: LexborHTMLParser) -> tuple[QAData | None, tuple[str, ...]]:
    """The page's own QAPage data (JSON-LD first, then microdata), or ``None``, and the
    warning codes reading it raised (``structured_data_unreadable`` when a JSON-LD block
    could not be read: the page is then parsed from its visible text alone)."""
    notes: list[str] = []
    qa = _from_json_ld(tree, notes) or _from_microdata(tree)
    if qa is not None and UNREADABLE in notes:
        notes.remove(UNREADABLE)  # another block held the data: nothing was lost
    return qa, tuple(notes)
