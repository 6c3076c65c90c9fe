"""Markups of the seed article the parser was never tuned on must still give the seed's record.

Each case rewrites one fragment of the ``seed_div`` page (so the realistic chrome around it -
menus, breadcrumbs, share bar, ads, sidebar, footer, scripts - stays) into a plausible other
way of writing the same visible text, and expects exactly ``seed_div/expected.json``. The
parser keys on visible text only, never on class names, so none of these may need a new rule
tied to a tag or class.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from demo_site import DemoSite, DemoSiteConfig
from parsers import parse
from parsers.lines import Line
from parsers.sites.doctorqna.sections import doctor, doctor_headers

SEED = Path(__file__).resolve().parents[2] / "fixtures" / "doctorqna" / "seed_div"
PAGE = (SEED / "page.html").read_text(encoding="utf-8")
EXPECTED: dict[str, Any] = json.loads((SEED / "expected.json").read_text(encoding="utf-8"))
URL = EXPECTED["url"]

REPLY_HEAD = (
    '<div class="art-r__who">Dr. <a href="/en/doctors/chen-shidian">Chen Shidian</a> reply '
    '<span class="art-r__dept">Gastroenterology and Hepatology</span></div>'
)
REPLY_BODY = '<div class="art-r__body"><p>It may be an angular error.</p></div>'
REPLY_DATE = '<div class="art-r__date">Reply Date: 2023/12/23</div>'
ASKER = '<div class="art-q__meta">Chen, 30~39 year old female. Ask Date: 2023/12/23</div>'
CARD_DOCTOR = '<div class="qa-card__doc">Dr. Chen Jingwen reply Internal Medicine</div>'
CARD_TITLE = (
    '<div class="qa-card__title">Understanding Hepatic Calcification: Causes, Concerns, '
    "and Follow-Up</div>"
)
CARD_MORE = (
    '<a class="qa-card__more" href="/en/article/198765"><span class="more-tag">[Read More]</span>'
    " Understanding Hepatic Calcification: Causes, Concerns, and Follow-Up</a>"
)
FAQ_LIST = re.compile(r'<div class="art-faq__list">.*?</div>\s*</div>', re.S)
FAQ_CHIP = re.compile(
    r'<a class="faq-chip" href="(?P<href>[^"]+)"><div class="faq-chip__name">(?P<topic>[^<]+)'
    r'</div><div class="faq-chip__dept">\((?P<dept>[^)]+)\)</div></a>'
)


def _rewrite(*swaps: tuple[str, str]) -> str:
    page = PAGE
    for old, new in swaps:
        assert page.count(old) == 1, f"fragment not found once: {old[:60]}"
        page = page.replace(old, new)
    return page


def _faq(item: str, wrap: tuple[str, str] = ("", "")) -> str:
    """The Related FAQ list rewritten chip by chip with ``item`` (a format string)."""
    block = FAQ_LIST.search(PAGE)
    assert block is not None
    chips = "\n".join(item.format(**m.groupdict()) for m in FAQ_CHIP.finditer(block.group(0)))
    assert chips.count("\n") == 9  # every one of the ten chips was rewritten
    return _rewrite((block.group(0), f"{wrap[0]}{chips}{wrap[1]}</div>"))


def _record(page: str, url: str = URL) -> dict[str, Any]:
    return parse(page.encode("utf-8"), url, {"Content-Type": "text/html; charset=utf-8"}).to_dict()


CASES: dict[str, str] = {
    # a) the doctor line split across block elements
    "doctor_reply_dept_in_three_blocks": _rewrite(
        (
            REPLY_HEAD,
            '<div class="hdr"><div>Dr. Chen Shidian</div><div>reply</div>'
            "<div>Gastroenterology and Hepatology</div></div>",
        )
    ),
    "doctor_then_reply_dept_on_two_lines": _rewrite(
        (
            REPLY_HEAD,
            "<div><p>Dr. Chen Shidian</p><p>reply Gastroenterology and Hepatology</p></div>",
        )
    ),
    "doctor_reply_then_dept_on_two_lines": _rewrite(
        (REPLY_HEAD, "<h3>Dr. Chen Shidian reply</h3><div>Gastroenterology and Hepatology</div>")
    ),
    "teaser_doctor_in_three_blocks": _rewrite(
        (
            CARD_DOCTOR,
            "<div><div>Dr. Chen Jingwen</div><div>reply</div><div>Internal Medicine</div></div>",
        )
    ),
    "teaser_doctor_on_two_lines": _rewrite(
        (CARD_DOCTOR, "<div><div>Dr. Chen Jingwen</div><div>reply Internal Medicine</div></div>")
    ),
    # c) labels with full-width colons, without colons, or apart from their dates
    "ask_date_full_width_colon": _rewrite(
        (ASKER, "<div>Chen, 30~39 year old female. Ask Date：2023/12/23</div>")
    ),
    "reply_date_without_colon": _rewrite((REPLY_DATE, "<div>Reply Date 2023/12/23</div>")),
    "ask_date_in_dt_dd": _rewrite(
        (
            ASKER,
            "<div>Chen, 30~39 year old female.</div><dl><dt>Ask Date</dt><dd>2023/12/23</dd></dl>",
        )
    ),
    "ask_date_in_spans": _rewrite(
        (
            ASKER,
            "<div><span>Chen, 30~39 year old female.</span><span>Ask Date</span>"
            "<span>2023/12/23</span></div>",
        )
    ),
    "reply_date_in_dt_dd": _rewrite(
        (REPLY_DATE, "<dl><dt>Reply Date</dt><dd>2023/12/23</dd></dl>")
    ),
    "reply_date_before_the_reply": _rewrite(
        (REPLY_BODY, ""), (REPLY_DATE, "<div>Reply Date: 2023/12/23</div>" + REPLY_BODY)
    ),
    "reply_date_label_and_date_before_the_reply": _rewrite(
        (REPLY_BODY, ""),
        (REPLY_DATE, "<div><div>Reply Date:</div><div>2023/12/23</div></div>" + REPLY_BODY),
    ),
    "reply_date_in_the_doctor_line": _rewrite(
        (REPLY_DATE, ""),
        (
            REPLY_HEAD,
            "<div>Dr. Chen Shidian reply Gastroenterology and Hepatology "
            "<small>Reply Date: 2023/12/23</small></div>",
        ),
    ),
    # d) Related FAQ topic and department on one line, or as inline chips
    "faq_topic_and_dept_on_one_line": _faq(
        '<li><a href="{href}">{topic}</a> ({dept})</li>', ("<ul>", "</ul>")
    ),
    "faq_inline_chips": _faq('<a href="{href}"><span>{topic}</span><small>({dept})</small></a>'),
    "faq_glued_chips": _faq(
        '<a href="{href}"><span>{topic}</span><small>({dept})</small></a>'
    ).replace("</a>\n<a", "</a><a"),
    "faq_table_rows": _faq(
        '<tr><td><a href="{href}">{topic}</a></td><td>({dept})</td></tr>', ("<table>", "</table>")
    ),
    # e) Similar Q&A: Read More as its own link, the title as text or only in an attribute
    "teaser_read_more_link_then_title_text": _rewrite(
        (
            CARD_MORE,
            '<p><a href="/en/article/198765">[Read More]</a> Understanding Hepatic Calcification: '
            "Causes, Concerns, and Follow-Up</p>",
        )
    ),
    "teaser_read_more_link_title_attribute_only": _rewrite(
        (CARD_TITLE, ""),
        (
            CARD_MORE,
            '<a href="/en/article/198765" title="Understanding Hepatic Calcification: Causes, '
            'Concerns, and Follow-Up">[Read More]</a>',
        ),
    ),
    "teaser_title_line_and_bare_read_more_link": _rewrite(
        (CARD_MORE, '<a href="/en/article/198765">[Read More]</a>')
    ),
    # more plausible markups of the same text
    "reply_department_in_parentheses": _rewrite(
        (REPLY_HEAD, "<div>Dr. Chen Shidian reply (Gastroenterology and Hepatology)</div>")
    ),
    "doctor_name_as_heading_then_label_line": _rewrite(
        (
            REPLY_HEAD,
            "<h4>Dr. Chen Shidian</h4><p>replied · Gastroenterology and Hepatology</p>",
        )
    ),
    "asker_line_split_into_three_blocks": _rewrite(
        (
            ASKER,
            "<div><div>Chen,</div><div>30~39 year old female.</div>"
            "<div>Ask Date: 2023/12/23</div></div>",
        )
    ),
    "labels_in_upper_case": _rewrite(
        (ASKER, "<div>Chen, 30~39 year old female. ASK DATE: 2023/12/23</div>"),
        (REPLY_DATE, "<div>REPLY DATE: 2023/12/23</div>"),
        ('<div class="art-more__hd">More Info</div>', "<h2>MORE INFO</h2>"),
    ),
    "whole_question_in_one_block_with_br": _rewrite(
        (
            '<div class="art-q__title">Enlargement of calcified lesions in the liver?</div>\n'
            '        <div class="art-q__body">\n'
            "          <p>I would like to ask the doctor if liver calcifications can increase in "
            "size.</p>\n",
            '<div class="q"><b>Enlargement of calcified lesions in the liver?</b><br>'
            "I would like to ask the doctor if liver calcifications can increase in size.<br>",
        ),
        (
            "they changed to 2.5 cm and 0.8 cm.</p>\n        </div>",
            "they changed to 2.5 cm and 0.8 cm.</p>",
        ),
    ),
    "asker_line_above_the_question_title": _rewrite(
        (ASKER, ""),
        (
            '<div class="art-q">',
            '<div class="art-q"><div><span>Chen</span>, <span>30~39 year old</span> female. '
            "Ask Date: 2023/12/23</div>",
        ),
    ),
    "reply_date_label_then_time_element": _rewrite(
        (
            REPLY_DATE,
            '<div><div>Reply Date</div><div><time datetime="2023-12-23">Dec 23, 2023</time>'
            "</div></div>",
        )
    ),
    "share_bar_with_text_buttons": _rewrite(
        (
            '<span class="share-bar__lbl">Share to:</span>',
            "<div>Share to:</div><div>Facebook | LINE | X | Email</div>",
        )
    ),
    "read_more_with_an_arrow": _rewrite(
        (
            CARD_MORE,
            '<a href="/en/article/198765">Read more »</a> <div>Understanding Hepatic '
            "Calcification: Causes, Concerns, and Follow-Up</div>",
        )
    ),
    "doctor_header_split_by_br": _rewrite(
        (REPLY_HEAD, "<p>Dr. Chen Shidian<br>reply<br>Gastroenterology and Hepatology</p>")
    ),
    "labels_and_dates_with_nbsp_and_month_names": _rewrite(
        (
            ASKER,
            "<div>Chen,&nbsp;30~39&nbsp;year&nbsp;old female. Ask&nbsp;Date:&nbsp;23 Dec 2023"
            "</div>",
        ),
        (REPLY_DATE, "<div>Reply&nbsp;Date: December 23, 2023</div>"),
    ),
    "faq_definition_list": _faq(
        '<dt><a href="{href}">{topic}</a></dt><dd>({dept})</dd>', ("<dl>", "</dl>")
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_unseen_markup_gives_the_seed_record(case: str) -> None:
    assert _record(CASES[case]) == EXPECTED


def test_a_body_paragraph_repeating_the_title_stays_in_the_body() -> None:
    title = "Enlargement of calcified lesions in the liver?"
    first = "<p>I would like to ask the doctor if liver calcifications can increase in size.</p>"
    page = _rewrite((first, f"{first}<p>{title}</p>"))
    expected = dict(EXPECTED)
    body = EXPECTED["question_body"].split("\n")
    expected["question_body"] = "\n".join([body[0], title, *body[1:]])
    assert _record(page) == expected


def test_a_demo_page_whose_body_repeats_its_heading_keeps_every_body_line() -> None:
    """Reported by the demo-site engineer: the last copy of the title was taken as the title."""
    site = DemoSite(DemoSiteConfig(pages=50, seed=7))
    truth = site.record(200000)
    assert truth is not None and truth.question_title and truth.question_body
    html = site.page(site.path_for(200000)).body.decode("utf-8")
    start = html.index('<div class="q-body"><p>')
    cut = html.index("</p>", start) + len("</p>")
    html = html[:cut] + f"<p>{truth.question_title}</p>" + html[cut:]
    record = parse(html.encode("utf-8"), site.url_for(200000), site="doctorqna")
    body = truth.question_body.split("\n")
    assert record.question_title == truth.question_title
    assert record.question_body == "\n".join([body[0], truth.question_title, *body[1:]])
    assert record.answers == truth.answers


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["Dr. Chen Shidian", "reply", "Hepatology", "Body."], ("Chen Shidian", "Hepatology")),
        (["Dr. Chen Shidian", "Hepatology", "Body."], ("Chen Shidian", "Hepatology")),
        (["Dr. Chen Shidian reply", "Hepatology", "Body."], ("Chen Shidian", "Hepatology")),
        (["陳世典醫師回覆", "消化內科", "內容。"], ("陳世典", "消化內科")),
        (["Dr. Chen Shidian", "Thank You", "Reply Date: 2023/12/23"], ("Chen Shidian", None)),
        (["Dr. Chen Shidian", "Replies take time, sorry."], ("Chen Shidian", None)),
    ],
)
def test_doctor_headers_join_what_markup_split(
    texts: list[str], expected: tuple[str | None, str | None]
) -> None:
    joined = doctor_headers([Line(text) for text in texts])
    assert doctor(joined[0].text) == expected
    assert joined[-1].text == texts[-1]  # the reply body (or date) stays its own line
