"""The generic parser: any host whose page declares schema.org QAPage data."""

from __future__ import annotations

import json

import pytest

from parsers import PARSER_VERSIONS, parse, parser_version
from parsers.errors import UnsupportedSite
from parsers.record import Answer, Asker

URL = "https://www.health.example.net/q/77"


def json_ld(data: object) -> bytes:
    script = json.dumps(data)
    return (
        f'<html lang="en-GB"><head><title>Q</title><script type="application/ld+json">{script}'
        "</script></head><body><p>Rendered by JavaScript</p></body></html>"
    ).encode()


QUESTION = {
    "@type": "Question",
    "name": "Can I run with a cold?",
    "text": "I have a runny nose &amp; no fever.<br>Is a 5 km run fine?",
    "dateCreated": "2024-01-02T08:00:00Z",
    "author": {"@type": "Person", "name": "Sam"},
    "acceptedAnswer": {
        "@type": "Answer",
        "text": "<p>Yes, if symptoms are above the neck.</p><ul><li>Go easy</li></ul>",
        "author": [{"@type": "Person", "name": "Dr. Okafor"}],
        "dateCreated": "2024-01-03",
    },
    "suggestedAnswer": [
        {"@type": "Answer", "text": "Rest instead.", "author": "Lee"},
        {"@type": "Answer", "text": ""},
    ],
}


@pytest.mark.parametrize(
    "data",
    [
        {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": QUESTION},
        {
            "@context": "https://schema.org",
            "@graph": [{"@type": "WebSite"}, {"@type": "QAPage", "mainEntity": QUESTION}],
        },
        [{"@type": "BreadcrumbList"}, {"@type": ["WebPage", "QAPage"], "mainEntity": [QUESTION]}],
    ],
    ids=["plain", "graph", "list"],
)
def test_json_ld_shapes(data: object) -> None:
    record = parse(json_ld(data), URL)
    assert record.site == "health.example.net"
    assert record.language == "en-GB"
    assert record.question_title == "Can I run with a cold?"
    assert record.question_body == "I have a runny nose & no fever.\nIs a 5 km run fine?"
    assert record.asked_on == "2024-01-02"
    assert record.asker == Asker(name="Sam")
    assert record.answers == (
        Answer("Dr. Okafor", None, "Yes, if symptoms are above the neck.\nGo easy", "2024-01-03"),
        Answer("Lee", None, "Rest instead.", None),
    )
    assert record.parser_version == PARSER_VERSIONS["qapage"] == parser_version(record.site)
    assert record.missing == ("asker.age", "asker.sex", "explanation", "similar", "related_faq")


def test_faq_page_questions_are_not_a_qa_page() -> None:
    data = {"@type": "FAQPage", "mainEntity": [QUESTION]}
    with pytest.raises(UnsupportedSite):
        parse(json_ld(data), URL)


def test_broken_json_ld_is_skipped_not_fatal() -> None:
    body = json_ld({"@type": "QAPage", "mainEntity": QUESTION}).replace(
        b"<script", b'<script type="application/ld+json">{not json</script><script', 1
    )
    assert parse(body, URL).question_title == "Can I run with a cold?"


MICRODATA = b"""<html><head><title>Sore throat</title></head><body>
<div itemscope itemtype="https://schema.org/QAPage">
 <div itemprop="mainEntity" itemscope itemtype="https://schema.org/Question">
  <h1 itemprop="name">Sore <em>throat</em> for a week?</h1>
  <div itemprop="text"><p>It hurts to swallow.</p><p>No fever.</p></div>
  <span itemprop="author" itemscope itemtype="https://schema.org/Person">
    <span itemprop="name">Ana</span></span>
  <time itemprop="dateCreated" datetime="2024-02-01">Feb 1</time>
  <div itemprop="acceptedAnswer" itemscope itemtype="https://schema.org/Answer">
   <div itemprop="text">See a GP if it lasts <b>two</b> weeks.</div>
   <span itemprop="author">Dr. Ng</span>
   <meta itemprop="dateCreated" content="2024-02-02">
  </div>
  <div itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer">
   <div itemprop="text">Gargle salt water.</div>
  </div>
 </div>
</div></body></html>"""


def test_microdata_with_nested_items() -> None:
    record = parse(MICRODATA, "https://forum.example.com/t/5")
    assert record.site == "forum.example.com"
    assert record.question_title == "Sore throat for a week?"
    assert record.question_body == "It hurts to swallow.\nNo fever."
    assert record.asker == Asker(name="Ana")
    assert record.asked_on == "2024-02-01"
    assert record.answers == (
        Answer("Dr. Ng", None, "See a GP if it lasts two weeks.", "2024-02-02"),
        Answer(None, None, "Gargle salt water.", None),
    )


def test_a_page_without_qa_data_on_an_unknown_host_is_unsupported() -> None:
    with pytest.raises(UnsupportedSite) as caught:
        parse(b"<html><body><p>Hello</p></body></html>", URL)
    assert "health.example.net" in str(caught.value)


def test_forced_site_uses_the_site_parser_on_any_host() -> None:
    page = (
        b"<html><body><p>Knee pain?</p><p>It hurts.</p><p>Ho, male. Ask Date: 2024/05/01</p>"
        b"</body></html>"
    )
    record = parse(page, "http://127.0.0.1:8000/en/article/5", site="doctorqna")
    assert (record.site, record.external_id, record.question_title) == (
        "doctorqna",
        "5",
        "Knee pain?",
    )
    with pytest.raises(UnsupportedSite):
        parse(page, "http://127.0.0.1:8000/en/article/5", site="nosuchsite")
