"""Chinese search: words of one, two and more characters inside unsegmented text, on both
backends, with Chinese snippets; English questions are searched as before."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from alembic import command
from sqlalchemy import text
from storage_factory import T0, make_capture, make_record

from parsers.record import Answer, QARecord
from storage import Archive
from storage.engine import alembic_config, make_engine

CHINESE = (
    (
        "頭痛好幾天怎麼辦",
        "最近頭痛的情況越來越嚴重，已經持續五天了。",
        "頭痛可能與壓力有關，建議規律作息。",
    ),
    ("小孩一直咳嗽", "小孩五歲，咳嗽兩個禮拜了，晚上咳得比較厲害。", "久咳超過兩週建議回診。"),
    ("偏頭痛可以吃止痛藥嗎", "偏頭痛發作時可以吃普拿疼嗎？", "可以，但不要過量服用止痛藥。"),
    ("失眠怎麼辦", "功課壓力很大，許多晚上睡不著。", "睡前避免使用手機，固定起床時間。"),
    ("膝蓋痛", "爬樓梯時右膝會痛，蹲下也痛。", "膝蓋疼痛可能與退化有關，頭部無關。"),
)


def _chinese(n: int, title: str, body: str, reply: str) -> QARecord:
    base = make_record(40 + n)
    return replace(
        base,
        language="zh-Hant",
        question_title=title,
        question_body=body,
        answers=(Answer("陳大明", "神經內科", reply, base.asked_on),),
        explanation=None,
    )


CORPUS = [_chinese(n, *texts) for n, texts in enumerate(CHINESE)] + [
    make_record(n) for n in range(4)
]


@pytest.fixture(scope="module")
def filled(module_db_url: str) -> Iterator[Archive]:
    with Archive.open(module_db_url) as archive:
        archive.ingest_many([(r, make_capture(r.url)) for r in CORPUS])
        yield archive


def _containing(word: str) -> set[str]:
    """The questions whose title, body or replies hold ``word``: the oracle."""
    return {
        r.url
        for r in CORPUS
        if any(word in (t or "") for t in (r.question_title, r.question_body))
        or any(word in a.body for a in r.answers)
    }


@pytest.mark.parametrize("word", ["頭痛", "咳嗽", "止痛藥", "痛", "許多", "睡不著", "功課", "頭"])
def test_chinese_words_are_found_inside_unsegmented_text(filled: Archive, word: str) -> None:
    expected = _containing(word)
    assert expected, f"the corpus must hold {word}"
    hits = filled.search(word, limit=50)
    assert {h.url for h in hits} == expected
    assert filled.count_matches(word) == len(expected)
    texts = {
        r.url: [r.question_title, r.question_body, *(a.body for a in r.answers)] for r in CORPUS
    }
    for hit in hits:
        assert f"[{word}]" in hit.snippet, hit.snippet
        shown = hit.snippet.replace("[", "").replace("]", "").strip("…")
        assert any(shown in (text or "") for text in texts[hit.url]), hit.snippet  # not bigrams


def test_a_two_character_word_does_not_match_its_characters_apart(filled: Archive) -> None:
    # 頭 and 痛 both occur in the knee question (頭部, 疼痛), never side by side.
    knee = CORPUS[4].url
    assert knee not in {h.url for h in filled.search("頭痛")}
    assert knee in {h.url for h in filled.search("頭")}


def test_phrases_and_exclusions_work_in_chinese(filled: Archive) -> None:
    assert {h.url for h in filled.search("頭痛 -偏頭痛")} == _containing("頭痛") - _containing(
        "偏頭痛"
    )
    assert {h.url for h in filled.search("咳嗽 OR 失眠")} == _containing("咳嗽") | _containing(
        "失眠"
    )


def test_english_search_still_stems(filled: Archive) -> None:
    hits = {h.url for h in filled.search("palpitation")}
    assert hits and hits <= {r.url for r in CORPUS if r.language == "en"}


def test_an_archive_made_before_chinese_search_finds_its_chinese_after_the_upgrade(
    db_url: str,
) -> None:
    """Migration 0008 backfills the bigrams of questions archived before it."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), "0007")
        conn.execute(text("INSERT INTO sites (name) VALUES ('ehospital')"))
        for page_id, (title, body, reply) in enumerate(CHINESE, start=1):
            conn.execute(
                text(
                    "INSERT INTO pages (id, site_id, url, first_seen, last_seen, state) "
                    "VALUES (:id, 1, :url, :at, :at, 'active')"
                ),
                {"id": page_id, "url": f"https://e.example/q?q_no={page_id}", "at": T0},
            )
            conn.execute(
                text("INSERT INTO answers (page_id, position, body) VALUES (:id, 0, :reply)"),
                {"id": page_id, "reply": reply},
            )
            conn.execute(
                text(
                    "INSERT INTO questions (page_id, title, body, source_url, parser_version,"
                    " missing) VALUES (:id, :title, :body, 'x', 'ehospital/1', '[]')"
                ),
                {"id": page_id, "title": title, "body": body},
            )
        assert conn.execute(text("SELECT count(*) FROM questions")).scalar_one() == len(CHINESE)
    engine.dispose()
    with Archive.open(db_url) as archive:
        found = {hit.page_id for hit in archive.search("咳嗽")}
        assert found == {2}
        assert {hit.page_id for hit in archive.search("止痛藥")} == {3}
