"""台灣e院 pages beyond the fixtures: what the labels must survive and what they must not
take for a question."""

from __future__ import annotations

import contextlib

import pytest

from parsers import parse, site_for
from parsers.errors import NotAnArticle, PageNotFound
from parsers.sites.ehospital.parse import unescape
from parsers.sites.ehospital.urls import external_id, question_url

URL = "https://sp1.hso.mohw.gov.tw/doctor/All/ShowDetail.php?q_no=200001"


def _page(body: str, encoding: str = "cp950") -> bytes:
    return (
        '<html><head><meta charset="big5"><title>台灣e院</title></head><body>'
        f'<ul class="QAunit">{body}</ul><footer>衛生福利部 版權所有</footer></body></html>'
    ).encode(encoding)


def _cp950_trail_5c() -> list[str]:
    found = []
    for lead in range(0x81, 0xFF):
        with contextlib.suppress(UnicodeDecodeError):
            found.append(bytes((lead, 0x5C)).decode("cp950"))
    return found


def test_the_servers_backslash_after_every_5c_character_is_dropped_and_others_kept() -> None:
    characters = _cp950_trail_5c()
    assert {"功", "許", "蓋"} <= set(characters)
    for character in characters:
        assert unescape(f"{character}\\能") == f"{character}能"
    assert unescape("路徑 C:\\temp 與 a\\b") == "路徑 C:\\temp 與 a\\b"


def test_doubled_backslash_bytes_in_a_big5_page_read_as_the_asker_wrote() -> None:
    body = (
        "<li>#200001 功\\課壓力</li><li>發問者：許\\先生／男／20~29歲, 2024/01/02</li>"
        "<li>功\\課很多，許\\多天沒睡好。</li>"
    )
    record = parse(_page(body), URL)
    assert record.question_title == "功課壓力"
    assert record.asker.name == "許先生"
    assert record.question_body == "功課很多，許多天沒睡好。"
    assert b"\xa5\x5c\x5c" in _page(body)  # the bytes as the site serves them


def test_a_line_the_asker_starts_with_a_number_sign_is_question_text() -> None:
    body = (
        "<li>#200001 三個問題</li><li>發問者：王小姐／女／30~39歲, 2024/01/02</li>"
        "<li>#1 頭暈<br>#2 耳鳴</li>"
        "<li>答復者：耳鼻喉科／李醫師, 2024/01/03</li><li>請至門診。</li>"
    )
    record = parse(_page(body), URL)
    assert record.question_title == "三個問題"
    assert record.question_body == "#1 頭暈\n#2 耳鳴"
    assert [(a.department, a.doctor_name, a.hospital) for a in record.answers] == [
        ("耳鼻喉科", "李醫師", None)
    ]
    assert record.answers[0].body == "請至門診。"  # the footer is not part of the reply


@pytest.mark.parametrize("label", ["點閱數", "瀏覽次數", "閱讀量", "人氣", "瀏覽人次"])
def test_the_view_count_is_read_under_the_labels_sites_give_it(label: str) -> None:
    """A table template without the site's class names, its count under another label."""
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=big5">'
        "<title>台灣e院</title></head><body><table>"
        "<tr><td><b>#200001 最近常常頭痛</b></td></tr>"
        f"<tr><td>{label}：1,321</td></tr><tr><td>相關分類 ：神經內科、頭痛</td></tr>"
        "<tr><td>發問者：王小姐／女／35歲, 2023/5/7</td></tr><tr><td>下午常頭痛。</td></tr>"
        "<tr><td>答復者：臺北榮民總醫院／神經內科／許功明, 2023/05/09</td></tr>"
        "<tr><td>建議至門診評估。</td></tr></table></body></html>"
    ).encode("cp950")
    record = parse(page, URL)
    assert record.view_count == 1321
    assert [t.topic for t in record.related_faq] == ["神經內科", "頭痛"]
    assert (record.asker.name, record.asker.sex, str(record.asked_on)) == (
        "王小姐",
        "female",
        "2023-05-07",
    )
    assert [(a.hospital, a.department, a.doctor_name) for a in record.answers] == [
        ("臺北榮民總醫院", "神經內科", "許功明")
    ]
    assert record.warnings == () and record.missing == ()


def test_a_question_page_without_a_question_is_not_found_elsewhere_not_an_article() -> None:
    empty = _page("<li>本題已刪除</li>")
    with pytest.raises(PageNotFound):
        parse(empty, URL)
    with pytest.raises(NotAnArticle):
        parse(empty, "https://sp1.hso.mohw.gov.tw/doctor/Index1.php")


def test_urls_and_ids() -> None:
    assert site_for(URL) == "ehospital"
    assert external_id(URL) == "200001"
    assert external_id(URL.replace("ShowDetail", "history")) is None
    listed = URL + "&SortBy=q_no&PageNo=3"
    page = _page("<li>發問者：王／女／30~39歲, 2024/01/02</li><li>問</li>")
    assert parse(page, listed).canonical_url == URL
    assert question_url("http://127.0.0.1:8000/", 7) == (
        "http://127.0.0.1:8000/doctor/All/ShowDetail.php?q_no=7"
    )
