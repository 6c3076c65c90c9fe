"""Template traits of issue 9, one behaviour per test: how a browser would lay out the page,
and which lines are site chrome, decided without class names."""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.flatten import Line
from parsers.lines import load
from parsers.record import QARecord
from parsers.sites.doctorqna.chrome import META, date_line, text_kind

URL = "https://doctorqna.com/en/article/200654"
QUESTION = "<h1>Knee pain on stairs?</h1><p>It hurts going up.</p>"
ASKER = "<p>Ho, 20~29 year old male. Ask Date: 2024/05/01</p>"
REPLY = "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"


def texts(html: str) -> list[str]:
    return [line.content for line in load(html).lines]


def record(body: str, head: str = "") -> QARecord:
    html = f"<html><head><title>Knee Pain - Orthopedics</title>{head}</head><body>{body}</body>"
    return parse(html.encode(), URL)


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Dr. <!-- -->Chen Shidian<!-- --> reply</p>", ["Dr. Chen Shidian reply"]),
        ("<p><!--[-->30~39<!--]--> year old <!---->female</p>", ["30~39 year old female"]),
        ("<p><span>Dr.</span> <span>Chen</span></p>", ["Dr. Chen"]),
        ("<p><span>Reply Date:</span><span>2024/4/3</span></p>", ["Reply Date:2024/4/3"]),
        ("<div>a<p>b</p>c</div>", ["a", "b", "c"]),
        ("<p>a<br>b</p><p>c<br><br>d</p>", ["a", "b", "c", "d"]),
        ('<span style="display:block">a</span><span style="display: block">b</span>', ["a", "b"]),
        (
            '<div style="display:inline">Dr.</div> <div style="display:inline">Chen</div>',
            ["Dr. Chen"],
        ),
        ("<my-card>a</my-card><my-card>b</my-card>", ["ab"]),  # custom elements are inline
        ("<pre>one\ntwo</pre>", ["one", "two"]),
        ("<p>zero\u200bwidth\u00adsoft \u202aLTR\u202c</p>", ["zerowidthsoft LTR"]),
    ],
)
def test_a_line_is_what_a_browser_draws_as_one_block(html: str, expected: list[str]) -> None:
    assert texts(html) == expected


def test_hidden_and_never_rendered_content_is_not_read() -> None:
    html = (
        "<p>seen</p><dialog>closed dialog</dialog><dialog open>open dialog</dialog>"
        "<template><p>template</p></template><p hidden>hidden</p>"
        "<p style='visibility: hidden'>invisible</p><amp-analytics>x</amp-analytics>"
        "<select><option>menu</option></select><textarea>typed</textarea>"
    )
    assert texts(html) == ["seen", "open dialog"]


def test_aria_hidden_copies_go_but_aria_hidden_decoration_stays() -> None:
    html = (
        "<p>Dr. Lin reply Orthopedics</p><p>Try ice.</p>"
        '<div aria-hidden="true"><p>Dr. Lin reply Orthopedics</p><p>Try ice.</p></div>'
        '<p><span aria-hidden="true">[Read More]</span> Stairs</p>'
        '<div aria-hidden="true"><p>Only shown here</p></div>'
    )
    assert texts(html) == [
        "Dr. Lin reply Orthopedics",
        "Try ice.",
        "[Read More] Stairs",
        "Only shown here",
    ]


def test_links_resolve_against_base_href() -> None:
    found = record(
        QUESTION
        + ASKER
        + REPLY
        + "<h2>Related FAQ</h2><a href='faq/gout'>Gout</a><p>(Rheumatology)</p>",
        head='<base href="https://doctorqna.com/en/"><link rel="canonical" href="article/200654">',
    )
    assert found.related_faq[0].url == "https://doctorqna.com/en/faq/gout"
    assert found.canonical_url == URL


def test_numbered_replies_still_read_as_doctor_lines() -> None:
    replies = (
        "<ol><li><p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p><p>Reply Date: 2024/05/02</p>"
        "</li><li><p>Dr. Wu Fen reply Orthopedics</p><p>Rest.</p><p>Reply Date: 2024/05/03</p>"
        "</li></ol>"
    )
    found = record(QUESTION + ASKER + replies)
    assert [(a.doctor_name, a.body) for a in found.answers] == [
        ("Lin Kai", "Try ice."),
        ("Wu Fen", "Rest."),
    ]


def test_ordered_list_markers_follow_the_list_attributes() -> None:
    html = (
        "<ol type='a'><li>x</li><li>y</li></ol><ol reversed><li>p</li><li>q</li></ol>"
        "<ol><li value='7'>s</li><li>t</li></ol>"
    )
    assert texts(html) == ["a. x", "b. y", "2. p", "1. q", "7. s", "8. t"]


def test_reply_dates_above_their_headers_belong_to_the_header_below() -> None:
    replies = (
        "<div>Reply Date: 2024/05/02</div><p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p>"
        "<div>Reply Date: 2024/05/03</div><p>Dr. Wu Fen reply Orthopedics</p><p>Rest.</p>"
    )
    found = record(QUESTION + ASKER + replies)
    assert [(a.doctor_name, a.replied_on) for a in found.answers] == [
        ("Lin Kai", "2024-05-02"),
        ("Wu Fen", "2024-05-03"),
    ]
    assert found.warnings == ()


def test_the_asker_phrase_split_into_blocks_is_joined() -> None:
    asker = "<div><div>Mr. Lee,</div><div>65 year old and above</div><div>male.</div></div>"
    found = record(QUESTION + asker + "<div>Ask Date: 2024/5/1</div>" + REPLY)
    assert (found.asker.name, found.asker.age_min, found.asker.sex) == ("Mr. Lee", 65, "male")
    assert found.question_body == "It hurts going up."


def test_a_byline_under_the_title_is_not_the_question() -> None:
    byline = (
        "<div>Editorial Team | June 3, 2024</div>"
        '<div>Posted on <time datetime="2024-06-03">June 3</time> by <a href="/a">Ed</a></div>'
    )
    found = record(
        "<h1>Knee Pain</h1>" + byline + "<div>Knee pain on stairs?</div>"
        "<p>It hurts going up.</p>" + ASKER + REPLY
    )
    assert found.question_title == "Knee pain on stairs?"
    assert found.question_body == "It hurts going up."


def test_more_info_ends_where_the_article_ends() -> None:
    after = (
        "<div><h3>Share this:</h3><a href='https://twitter.com/intent/tweet?u=x'>Twitter</a></div>"
        "<h2>2 Comments</h2><p>Great answer!</p><form><textarea></textarea></form>"
    )
    more = "<h2>More Info</h2><p>Knees take load.</p><p>Rest helps.</p>"
    found = record(QUESTION + ASKER + REPLY + "<article>" + more + "</article>" + after)
    assert found.explanation is not None
    assert found.explanation.text == "Knees take load.\nRest helps."


def test_a_newsletter_box_between_sections_is_chrome() -> None:
    newsletter = (
        "<section><h3>Get answers in your inbox</h3><p>Join 12,000 readers.</p>"
        "<form><input type=email><button>Subscribe</button></form></section>"
    )
    found = record(
        QUESTION
        + ASKER
        + REPLY
        + "<h2>More Info</h2><p>Knees take load.</p>"
        + newsletter
        + "<h2>Related FAQ</h2><a href='/en/faq/gout'>Gout</a><p>(Rheumatology)</p>"
    )
    assert found.explanation is not None and found.explanation.text == "Knees take load."
    assert found.related_faq[0].topic == "Gout"


def test_a_page_wrapped_in_one_form_is_still_read() -> None:
    found = record("<form id='aspnetForm'>" + QUESTION + ASKER + REPLY + "</form>")
    assert found.answers[0].body == "Try ice."
    assert found.question_title == "Knee pain on stairs?"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Posted on June 3, 2024 by admin", "meta"),
        ("By Jane Doe · 4 min read", "meta"),
        ("Tags: knee, stairs", "meta"),
        ("2 thoughts on “Knee pain”", "comments"),
        ("Leave a Reply", "comments"),
        ("Recent Posts", "widget"),
        ("You might also like", "widget"),
        ("Skip to content", "skip-link"),
        ("We use cookies to improve your experience.", "cookie"),
        ("Advertisement", "ad"),
        ("Share this:", "share"),
        ("Previous Post", "post-nav"),
        ("By the way, the pain started after I ran a marathon last month.", None),
        ("Related symptoms include swelling.", None),
        ("I ate cookies and cake every day last month.", None),
    ],
)
def test_chrome_is_recognised_by_its_text(text: str, kind: str | None) -> None:
    assert text_kind(Line(text), frozenset()) == kind


def test_a_date_with_an_author_is_meta_but_a_sentence_with_a_date_is_content() -> None:
    assert date_line("Editorial Team | June 3, 2024") == META
    assert date_line("February 11, 2024 at 9:00 am") == "date"
    assert date_line("It started on 2024/5/1.") is None


def test_similar_cards_of_a_linked_title_and_a_snippet() -> None:
    cards = (
        "<h2>Similar Q&amp;A</h2><a href='/en/article/1'><h3>Stairs hurt</h3><p>Q one ...</p></a>"
        "<a href='/en/article/2'><h3>Running knee</h3><p>Q two ...</p></a>"
    )
    found = record(QUESTION + ASKER + REPLY + cards)
    assert [(s.title, s.url, s.question_snippet) for s in found.similar] == [
        ("Stairs hurt", "https://doctorqna.com/en/article/1", "Q one ..."),
        ("Running knee", "https://doctorqna.com/en/article/2", "Q two ..."),
    ]


def test_a_heading_above_the_replies_is_not_a_doctor_line() -> None:
    for heading in ("Doctor's Reply", "Doctors' replies (1)", "Doctors reply"):
        found = record(QUESTION + ASKER + f"<h2>{heading}</h2>" + REPLY)
        assert [a.doctor_name for a in found.answers] == ["Lin Kai"], heading
        assert found.warnings == (), heading


def test_avatar_initials_are_neither_name_nor_text() -> None:
    asker = (
        "<div><div>H</div><div>Ho, 20~29 year old male.</div><div>Ask Date: 2024/5/1</div></div>"
    )
    reply = "<div>LK</div>" + REPLY
    found = record(QUESTION + asker + reply)
    assert found.asker.name == "Ho"
    assert found.question_body == "It hurts going up."
    assert [(a.doctor_name, a.body) for a in found.answers] == [("Lin Kai", "Try ice.")]


def test_a_reply_cards_own_header_and_footer_are_not_the_pages() -> None:
    card = (
        "<div><header><div>LK</div><span>Dr. Lin Kai</span> <span>reply</span> Orthopedics</header>"
        "<p>Try ice.</p><footer>Reply Date: <time>2024/05/02</time> · "
        "<a href='#'>Helpful</a></footer></div>"
    )
    found = record(
        "<header><a href='/'>Site</a></header><main>"
        + QUESTION
        + ASKER
        + "<div>1 Reply</div>"
        + card
        + "<h3>More Info</h3><p>Knees take load.</p></main><footer>© 2024 Site</footer>"
    )
    assert [(a.doctor_name, a.department, a.body, a.replied_on) for a in found.answers] == [
        ("Lin Kai", "Orthopedics", "Try ice.", "2024-05-02")
    ]
    assert found.explanation is not None and found.explanation.text == "Knees take load."
    assert found.warnings == ()


def test_faq_chips_on_one_line_may_be_separated() -> None:
    for separator in (" · ", ", ", " | ", "; "):
        chips = separator.join(
            f"<a href='/en/faq/{topic.lower()}'>{topic} (Orthopedics)</a>"
            for topic in ("Knee", "Gout")
        )
        found = record(QUESTION + ASKER + REPLY + f"<h2>Related FAQ</h2><div>{chips}</div>")
        assert [(r.topic, r.department, r.url) for r in found.related_faq] == [
            ("Knee", "Orthopedics", "https://doctorqna.com/en/faq/knee"),
            ("Gout", "Orthopedics", "https://doctorqna.com/en/faq/gout"),
        ], separator


def test_a_stated_heading_keeps_its_short_first_line_as_text() -> None:
    more = (
        "<h2>More Info</h2><p>Knees take load on stairs, more than on flat ground.</p>"
        "<h3>Warning Signs</h3><p>Swelling or redness</p><p>Pain that wakes you up at night</p>"
        "<p><b>Treatment</b></p><p>Rest, ice and physiotherapy usually help within weeks.</p>"
    )
    found = record(QUESTION + ASKER + REPLY + more)
    assert found.explanation is not None
    assert found.explanation.headings == ("Warning Signs", "Treatment")


def test_section_labels_may_show_a_count() -> None:
    sections = (
        "<h2>Similar Q&amp;A (1)</h2><a href='/en/article/1'><h3>Stairs hurt</h3></a>"
        "<p>Q one ...</p><h2>Related FAQ (1)</h2><ul><li><a href='/en/faq/knee'>Knee</a>"
        " (Orthopedics)</li></ul><h2>Responses (2)</h2><p>Lily 2 days ago</p>"
    )
    found = record(QUESTION + ASKER + REPLY + sections)
    assert [s.title for s in found.similar] == ["Stairs hurt"]
    assert [(r.topic, r.department) for r in found.related_faq] == [("Knee", "Orthopedics")]


def test_a_response_count_heading_ends_more_info() -> None:
    """Readers' comments under a "Responses (2)" heading are not More Info; the same heading
    right above the doctor's reply heads the reply, which stays."""
    comments = "<h2>Responses (2)</h2><p>Lily 2 days ago</p><p>Thanks, this helped me.</p>"
    found = record(
        QUESTION + ASKER + REPLY + "<h2>More Info</h2><p>Knees take load.</p>" + comments
    )
    assert found.explanation is not None
    assert found.explanation.text == "Knees take load."
    found = record(QUESTION + ASKER + "<h2>Responses (2)</h2>" + REPLY)
    assert [(a.doctor_name, a.body) for a in found.answers] == [("Lin Kai", "Try ice.")]


def test_a_doctor_header_glued_from_spans_without_spaces() -> None:
    """Sibling spans with no whitespace between them render as one glued word
    ("Dr. Lin KaireplyOrthopedics"): the name and department are still read, not the whole
    run as the doctor's name."""
    date = "<p>Reply Date: 2024/05/02</p>"
    for header in (
        "<div><span>Dr. Lin Kai</span><span>reply</span><span>Orthopedics</span></div>",
        "<div><span>Dr. </span><span>Lin Kai</span><span>Reply</span><span>Orthopedics</span>"
        "</div>",
        "<div><span>Dr. Lin Kai</span><span>reply</span><span>Orthopedics</span>"
        "<span>Reply Date: 2024/05/02</span></div>",
    ):
        body = header + "<p>Try ice.</p>" + ("" if "Reply Date" in header else date)
        found = record(QUESTION + ASKER + body)
        assert [(a.doctor_name, a.department, a.body, a.replied_on) for a in found.answers] == [
            ("Lin Kai", "Orthopedics", "Try ice.", "2024-05-02")
        ], header
        assert found.warnings == ()


def test_the_asker_phrase_after_the_ask_date_and_the_question_below() -> None:
    for meta in (
        "<div><span>Ask Date: May 1, 2024</span><span>Ho, 20~29 year old male.</span></div>",
        "<div>Ask Date: 2024/5/1</div><div>Ho, 20~29 year old male.</div>",
    ):
        found = record("<h1>Knee pain on stairs?</h1>" + meta + "<p>It hurts going up.</p>" + REPLY)
        assert (found.asker.name, found.asker.age_max, found.asker.sex) == ("Ho", 29, "male")
        assert found.asked_on == "2024-05-01"
        assert (found.question_title, found.question_body) == (
            "Knee pain on stairs?",
            "It hurts going up.",
        )
        assert [a.doctor_name for a in found.answers] == ["Lin Kai"]


def test_a_comment_word_heading_a_paragraph_is_part_of_more_info() -> None:
    prose = (
        "Most knee pain on stairs comes from the kneecap, and exercises that strengthen the "
        "thigh muscles usually help within weeks."
    )
    more = f"<h2>More Info</h2><p>Knees take load.</p><h3>Discussion</h3><p>{prose}</p>"
    found = record(QUESTION + ASKER + REPLY + more)
    assert found.explanation is not None
    assert found.explanation.text == f"Knees take load.\nDiscussion\n{prose}"
    assert found.explanation.headings == ("Discussion",)


def test_a_bold_line_is_a_stated_heading() -> None:
    more = (
        "<h2>More Info</h2>Knees take load on stairs, more than on flat ground.<br>"
        "<B>Warning Signs</B><BR>Swelling or redness<BR>Pain that wakes you up at night<BR>"
    )
    found = record(QUESTION + ASKER + REPLY + more)
    assert found.explanation is not None
    assert found.explanation.headings == ("Warning Signs",)


def test_section_boxes_in_a_column_before_the_article() -> None:
    column = (
        "<td><table><tr><th>Related FAQ</th></tr><tr><td><a href='/en/faq/knee'>Knee</a><br>"
        "(Orthopedics)</td></tr></table></td>"
    )
    page = (
        f"<table><tr>{column}<td>{QUESTION}{ASKER}{REPLY}<h3>More Info</h3><p>Rest.</p></td>"
        "</tr><tr><td colspan=2>Copyright 2024</td></tr></table>"
    )
    found = record(page)
    assert [(r.topic, r.department) for r in found.related_faq] == [("Knee", "Orthopedics")]
    assert found.question_title == "Knee pain on stairs?"
    assert found.explanation is not None and found.explanation.text == "Rest."


def test_a_reply_line_saying_a_doctor_replied_is_text() -> None:
    reply = (
        "<p>Dr. Lin Kai reply Orthopedics</p><p>Try ice.</p>"
        "<p>Dr. Wu replied that it is rarely serious, and I agree.</p>"
        "<p>Reply Date: 2024/05/02</p>"
    )
    found = record(QUESTION + ASKER + reply)
    assert [(a.doctor_name, a.body) for a in found.answers] == [
        ("Lin Kai", "Try ice.\nDr. Wu replied that it is rarely serious, and I agree.")
    ]
    assert found.warnings == ()


def test_section_labels_as_accordion_toggles_and_tabs() -> None:
    accordion = (
        "<h2><button aria-expanded='true'>More Info</button></h2>"
        "<div><div><p>Knees take load.</p></div></div>"
    )
    tabs = (
        "<div role='tablist'><button role='tab'>Similar Q&amp;A</button>"
        "<button role='tab'>Related FAQ</button></div>"
        "<div role='tabpanel'><div><a href='/en/article/1'>Stairs hurt</a><p>Q one ...</p>"
        "<p>Dr. Lin Kai reply Orthopedics</p><p>Ice.</p>"
        "<a href='/en/article/1'>[Read More] Stairs hurt</a></div></div>"
        "<div role='tabpanel'><ul><li><a href='/en/faq/knee'>Knee</a> (Orthopedics)</li></ul></div>"
    )
    found = record("<main>" + QUESTION + ASKER + REPLY + accordion + tabs + "</main>")
    assert found.explanation is not None and found.explanation.text == "Knees take load."
    assert [(s.title, s.doctor_name, s.reply_snippet) for s in found.similar] == [
        ("Stairs hurt", "Lin Kai", "Ice.")
    ]
    assert [(r.topic, r.department) for r in found.related_faq] == [("Knee", "Orthopedics")]
    assert found.warnings == ()


def test_tab_panels_hidden_until_their_tab_is_picked_are_read() -> None:
    """Tabs hide every panel but the chosen one; a reader picks a tab and reads it, so a
    hidden panel's text is the page's as much as the shown one's."""
    for hide in ("hidden", "style='display: none'", "aria-hidden='true'"):
        tabs = (
            "<div role='tablist'><button role='tab' aria-selected='true'>Similar Q&amp;A"
            "</button><button role='tab'>Related FAQ</button></div>"
            "<div role='tabpanel'><div><a href='/en/article/1'>Stairs hurt</a><p>Q one ...</p>"
            "<p>Dr. Lin Kai reply Orthopedics</p><p>Ice.</p>"
            "<a href='/en/article/1'>[Read More] Stairs hurt</a></div></div>"
            f"<div role='tabpanel' {hide}><ul><li><a href='/en/faq/knee'>Knee</a> (Orthopedics)"
            "</li></ul></div>"
        )
        found = record("<main>" + QUESTION + ASKER + REPLY + tabs + "</main>")
        assert [(s.title, s.doctor_name) for s in found.similar] == [("Stairs hurt", "Lin Kai")]
        assert [(r.topic, r.department) for r in found.related_faq] == [("Knee", "Orthopedics")]
        assert found.warnings == (), hide


def test_a_row_of_action_links_is_not_reply_text() -> None:
    reply = (
        "<ul><li><div>Dr. Lin Kai reply Orthopedics</div><div>Try ice.</div>"
        "<div><a href='#'>Quote</a> <a href='#'>Report</a> · Helpful (3)</div>"
        "<div>Reply Date: 2024/05/02</div></li></ul>"
    )
    found = record(QUESTION + ASKER + reply)
    assert [(a.body, a.replied_on) for a in found.answers] == [("Try ice.", "2024-05-02")]
