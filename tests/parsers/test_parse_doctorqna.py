"""The doctorqna state machine on small pages built for one behaviour each."""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.errors import NotAnArticle, PageNotFound
from parsers.record import Answer, Asker, RelatedFAQ

URL = "https://doctorqna.com/en/article/200123"


def page(body: str, title: str = "Knee Pain When Climbing Stairs - Orthopedics") -> bytes:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>".encode()


QUESTION = (
    "<div>Share to:</div><div>Why does my knee hurt on stairs?</div>"
    "<div>It hurts going up.</div><div>Going down is worse.</div>"
)


def test_unanswered_page_has_no_answers_and_says_so_in_missing() -> None:
    record = parse(
        page(
            QUESTION + "<div>Ho, 20~29 year old male. Ask Date: 2024/05/01</div>"
            "<div>This question has not yet replied by a doctor.</div>"
            "<div>More Info</div><div>Knees take load.</div>"
        ),
        URL,
    )
    assert record.answers == ()
    assert record.missing == ("answers", "similar", "related_faq")
    assert record.explanation is not None and record.explanation.text == "Knees take load."


def test_two_replies_with_and_without_department_keep_page_order() -> None:
    record = parse(
        page(
            QUESTION + "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
            "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
            "<p>Dr.Wu Fen reply</p><p>See a physiotherapist.</p><p>Reply Date: May 3, 2024</p>"
        ),
        URL,
    )
    assert record.answers == (
        Answer("Lin Kai", "Orthopedics", "Try ice.", "2024-05-02"),
        Answer("Wu Fen", None, "See a physiotherapist.", "2024-05-03"),
    )


def test_question_title_and_multi_paragraph_body() -> None:
    record = parse(page(QUESTION + "<div>Ho, 20~29 year old male. Ask Date: 2024/05/01</div>"), URL)
    assert record.question_title == "Why does my knee hurt on stairs?"
    assert record.question_body == "It hurts going up.\nGoing down is worse."
    assert record.seo_title == "Knee Pain When Climbing Stairs"


def test_asker_split_over_three_elements_and_date_in_the_next_cell() -> None:
    record = parse(
        page(
            QUESTION + "<div>Ho,</div><div>20~29 year old male.</div>"
            "<dl><dt>Ask Date:</dt><dd>2024/05/01</dd></dl>"
            "<div>Dr. Lin Kai reply</div><div>Orthopedics</div><div>Try ice.</div>"
            "<dl><dt>Reply Date</dt><dd>2024/05/02</dd></dl>"
        ),
        URL,
    )
    assert record.asker == Asker("Ho", 20, 29, "20~29 year old", "male")
    assert record.asked_on == "2024-05-01"
    assert record.question_body == "It hurts going up.\nGoing down is worse."
    assert record.answers == (Answer("Lin Kai", "Orthopedics", "Try ice.", "2024-05-02"),)


def test_time_datetime_fills_a_date_the_text_writes_relatively() -> None:
    record = parse(
        page(
            QUESTION
            + '<div>Ho, male. Ask Date: <time datetime="2024-05-01T08:00">2 days ago</time></div>'
        ),
        URL,
    )
    assert record.asked_on == "2024-05-01"
    assert record.asker == Asker(name="Ho", sex="male")


def test_cjk_text_entities_and_full_width_asker() -> None:
    record = parse(
        page(
            "<div>Share to:</div><h1>膝蓋上樓梯會痛？</h1>"
            "<p>醫師您好&#xFF0C;我上樓梯時膝蓋痛&hellip;</p>"
            "<p>陳小姐，30～39 year old female. Ask Date：2024/05/01</p>"
            "<p>Dr. 林凱 reply Orthopedics</p><p>建議冰敷&nbsp;&amp;&nbsp;休息。</p>"
            "<p>Reply Date: 2024/05/02</p>",
            title="膝蓋痛 - Orthopedics",
        ),
        URL,
    )
    assert record.question_title == "膝蓋上樓梯會痛？"
    assert record.question_body == "醫師您好，我上樓梯時膝蓋痛…"
    assert record.asker == Asker("陳小姐", 30, 39, "30～39 year old", "female")
    assert record.asked_on == "2024-05-01"
    assert record.answers == (Answer("林凱", "Orthopedics", "建議冰敷 & 休息。", "2024-05-02"),)
    assert record.seo_title == "膝蓋痛"


def test_explanation_headings_are_decided_by_text_not_markup() -> None:
    record = parse(
        page(
            QUESTION + "<div>Ho, male. Ask Date: 2024/05/01</div><div>More Info</div>"
            "<p>Intro sentence here.</p><h3>Is it serious?</h3><p>Usually not.</p>"
            "<p><b>What Should You Do?</b></p><p>Rest first.</p>"
            "<p>Key points:</p><ul><li>Rest</li><li>Ice</li></ul>"
            "<ol start='3'><li>Third step</li></ol><p>Treatment options</p><p>Many exist.</p>"
            "<p>Regular exercise strengthens the muscles around the knee and</p>"
        ),
        URL,
    )
    assert record.explanation is not None
    assert record.explanation.headings == ("What Should You Do?", "Treatment options")
    assert record.explanation.text.splitlines() == [
        "Intro sentence here.",
        "Is it serious?",
        "Usually not.",
        "What Should You Do?",
        "Rest first.",
        "Key points:",
        "Rest",
        "Ice",
        "3. Third step",
        "Treatment options",
        "Many exist.",
        "Regular exercise strengthens the muscles around the knee and",
    ]


def test_related_faq_topic_and_department_on_one_line_or_two() -> None:
    record = parse(
        page(
            QUESTION + "<div>Ho, male. Ask Date: 2024/05/01</div><h2>Related FAQ</h2>"
            "<a href='/en/faq/knee'>Knee Pain</a> (Orthopedics)<br>"
            "<a href='/en/faq/gout?utm_medium=x'>Gout</a><br>(Rheumatology)<br>"
            "<div>Hot Topics</div><a href='/en/faq/flu'>Flu</a>"
        ),
        URL,
    )
    assert record.related_faq == (
        RelatedFAQ("Knee Pain", "Orthopedics", "https://doctorqna.com/en/faq/knee"),
        RelatedFAQ("Gout", "Rheumatology", "https://doctorqna.com/en/faq/gout"),
    )


def test_similar_teasers_without_read_more_links_fall_back_to_doctor_lines() -> None:
    record = parse(
        page(
            QUESTION + "<div>Ho, male. Ask Date: 2024/05/01</div><div>Similar Q&amp;A</div>"
            "<a href='/en/article/1'>Stair Pain</a><p>My knee ...</p>"
            "<p>Dr. Lin Kai reply Orthopedics</p><p>Rest ...</p>"
            "<a href='/en/article/2'>Runner Knee</a><p>After running ...</p>"
            "<p>Dr. Wu Fen reply Sports Medicine</p><p>Stretch ...</p>"
        ),
        "http://127.0.0.1:8080/en/article/200123",
        site="doctorqna",
    )
    assert [(s.title, s.url, s.department) for s in record.similar] == [
        ("Stair Pain", "http://127.0.0.1:8080/en/article/1", "Orthopedics"),
        ("Runner Knee", "http://127.0.0.1:8080/en/article/2", "Sports Medicine"),
    ]
    assert record.similar[1].question_snippet == "After running ..."
    assert record.similar[1].reply_snippet == "Stretch ..."


def test_ids_language_and_canonical_come_from_the_url_when_the_page_is_silent() -> None:
    record = parse(
        page(QUESTION + "<div>Ho, male. Ask Date: 2024/05/01</div>"),
        "http://doctorqna.com/en/article/200123/?utm_source=news#top",
    )
    assert record.external_id == "200123"
    assert record.language == "en"
    assert record.canonical_url == "https://doctorqna.com/en/article/200123"
    assert record.url == "http://doctorqna.com/en/article/200123/?utm_source=news#top"


def test_truncated_page_keeps_what_is_there() -> None:
    full = page(
        QUESTION
        + "<div>Ho, male. Ask Date: 2024/05/01</div><div>Dr. Lin Kai reply Orthopedics</div>"
        "<div>Try ice and rest for a few days before</div>"
    )
    record = parse(full[: full.index(b"before")], URL)
    assert record.answers == (Answer("Lin Kai", "Orthopedics", "Try ice and rest for a few days"),)
    assert record.missing == ("asker.age", "explanation", "similar", "related_faq")


def test_structured_data_fills_what_the_visible_text_lacks() -> None:
    json_ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "QAPage", "mainEntity": {"@type": "Question", "name": "Knee pain?",'
        '"text": "It hurts.", "dateCreated": "2024-05-01", "suggestedAnswer": [{"@type": '
        '"Answer", "text": "<p>Ice it.</p><p>Rest.</p>", "author": {"name": "Lin Kai"},'
        '"dateCreated": "2024-05-02"}]}}]}</script>'
    )
    record = parse(page(json_ld + "<div>Loading…</div>"), URL)
    assert record.question_title == "Knee pain?"
    assert record.question_body == "It hurts."
    assert record.asked_on == "2024-05-01"
    assert record.answers == (Answer("Lin Kai", None, "Ice it.\nRest.", "2024-05-02"),)


def test_visible_text_wins_over_structured_data() -> None:
    json_ld = (
        '<script type="application/ld+json">{"@type": "QAPage", "mainEntity": {"@type": '
        '"Question", "name": "Why does my knee hurt on stairs?", "text": "Old text.", '
        '"dateCreated": "2020-01-01"}}</script>'
    )
    record = parse(page(json_ld + QUESTION + "<div>Ho, male. Ask Date: 2024/05/01</div>"), URL)
    assert record.question_body == "It hurts going up.\nGoing down is worse."
    assert record.asked_on == "2024-05-01"


def test_listing_page_is_not_an_article() -> None:
    with pytest.raises(NotAnArticle) as caught:
        parse(page("<h1>Orthopedics</h1><a href='/en/article/1'>Knee pain</a>"), URL)
    assert caught.value.code == "not_an_article"
    assert caught.value.url == URL


def test_not_found_page() -> None:
    with pytest.raises(PageNotFound):
        parse(page("<h1>Page not found</h1><p>Try the search.</p>", title="404"), URL)


def test_hidden_elements_and_a_share_bar_below_the_body_are_not_content() -> None:
    record = parse(
        page(
            "<div>Knee Pain When Climbing Stairs - Orthopedics</div>"
            "<div>Why does my knee hurt on stairs?</div><div>It hurts going up.</div>"
            '<div style="display: none">Ask Date: 1999/01/01</div><div hidden>Dr. X reply Y</div>'
            "<div>Share to: <a href='https://line.me/x'>LINE</a></div>"
            "<div>Ho, male. Ask Date: 2024/05/01</div>"
        ),
        URL,
    )
    assert record.question_title == "Why does my knee hurt on stairs?"
    assert record.question_body == "It hurts going up."
    assert record.asked_on == "2024-05-01"


def test_nav_menus_are_skipped_but_a_related_faq_marked_up_as_nav_is_kept() -> None:
    record = parse(
        page(
            "<nav><a href='/en'>Home</a> <a href='/en/ask'>Ask a Doctor</a></nav>"
            "<h1>Why does my knee hurt on stairs?</h1><p>It hurts going up.</p>"
            "<p>Ho, male. Ask Date: 2024/05/01</p>"
            "<nav aria-label='Related FAQ'><h2>Related FAQ</h2>"
            "<a href='/en/faq/gout'>Gout</a><span>(Rheumatology)</span></nav>"
        ),
        URL,
    )
    assert record.question_title == "Why does my knee hurt on stairs?"
    assert record.question_body == "It hurts going up."
    assert record.related_faq == (
        RelatedFAQ("Gout", "Rheumatology", "https://doctorqna.com/en/faq/gout"),
    )


def test_a_body_line_starting_with_dr_is_not_a_new_reply() -> None:
    record = parse(
        page(
            QUESTION + "<p>Ho, male. Ask Date: 2024/05/01</p><p>Dr. Lin Kai reply Orthopedics</p>"
            "<p>Dr. Wu agrees with me</p><p>Rest.</p><p>Reply Date: 2024/05/02</p>"
            "<p>Dr. Tsai Ling</p><p>Ice it.</p><p>Reply Date: 2024/05/03</p>"
        ),
        URL,
    )
    assert record.answers == (
        Answer("Lin Kai", "Orthopedics", "Dr. Wu agrees with me\nRest.", "2024-05-02"),
        Answer("Tsai Ling", None, "Ice it.", "2024-05-03"),
    )
