"""One article written in five unrelated markups must give one identical record.

The parser has never seen doctorqna's real HTML, so these pages are deliberately unlike each
other and unlike the fixtures: class-free div soup, semantic HTML5 with ``<time>``, a legacy
table layout with ``<br>`` and ``<font>``, minified HTML, and labels split by inline tags.
"""

from __future__ import annotations

import pytest

from parsers import parse
from parsers.record import Answer, Asker, Explanation, RelatedFAQ, SimilarQA

URL = "https://doctorqna.com/en/article/201777"
TITLE = "Morning Headaches Explained: Causes and Care - Neurology"

EXPECTED = {
    "url": URL,
    "canonical_url": URL,
    "site": "doctorqna",
    "external_id": "201777",
    "language": "en",
    "page_title": TITLE,
    "seo_title": "Morning Headaches Explained: Causes and Care",
    "question_title": "Why do I wake up with a headache?",
    "question_body": (
        "Almost every morning I wake up with a dull headache.\n"
        "It fades by noon. My blood pressure is normal."
    ),
    "asker": Asker(
        name="Lin Mei", age_min=40, age_max=49, age_label="40~49 year old", sex="female"
    ),
    "asked_on": "2024-03-05",
    "answers": (
        Answer(
            "Huang Boyu",
            "Neurology",
            "Check whether you snore.\nSleep apnea is common.",
            "2024-03-06",
        ),
        Answer("Tsai Ling", None, "Keep a headache diary for two weeks.", "2024-03-07"),
    ),
    "explanation": Explanation(
        text=(
            "Morning headaches have many causes.\n"
            "Common Causes\n"
            "1. Sleep apnea\n"
            "2. Teeth grinding\n"
            "Drug | Dose\n"
            "Ibuprofen | 400 mg\n"
            "When to See a Doctor\n"
            "See a doctor if the pain is sudden and severe."
        ),
        headings=("Common Causes", "When to See a Doctor"),
    ),
    "similar": (
        SimilarQA(
            title="Headache After Waking Up",
            url="https://doctorqna.com/en/article/199001",
            question_snippet="I get headaches every time I sleep in ...",
            doctor_name="Huang Boyu",
            department="Neurology",
            reply_snippet="Oversleeping can trigger headaches ...",
        ),
    ),
    "related_faq": (
        RelatedFAQ("Migraine", "Neurology", "https://doctorqna.com/en/faq/migraine"),
        RelatedFAQ("Insomnia", "Psychiatry", "https://doctorqna.com/en/faq/insomnia"),
    ),
    "missing": (),
}

DIV_SOUP = f"""<!DOCTYPE html><html lang="en"><head><title>{TITLE}</title>
<meta charset="utf-8"><script>window.ads = ["<div>Ask Date: 1999/01/01</div>"];</script>
<style>.x{{color:red}}</style></head><body>
<div class="hdr"><a href="/en"><div class="logo">DoctorQnA</div></a>
<div class="menu"><a href="/en/departments">Departments</a><a href="/en/ask">Ask a Doctor</a>
</div></div>
<div class="wrap"><div class="seo">{TITLE}</div>
<div class="share">Share to: <a href="https://facebook.com/x"><i class="ic"></i>f</a></div>
<div class="qt">Why do I wake up with a headache?</div>
<div class="qb"><div>Almost every morning I wake up with a dull headache.</div>
<div>It fades  by noon.&nbsp;My blood pressure is normal.</div></div>
<div class="who">Lin Mei, 40~49 year old female. Ask Date: 2024/03/05</div>
<div class="ans"><div class="by">Dr. Huang Boyu reply Neurology</div>
<div class="txt"><div>Check whether you snore.</div><div>Sleep apnea is common.</div></div>
<div class="dt">Reply Date: 2024/03/06</div></div>
<div class="ans"><div class="by">Dr.Tsai Ling reply</div><div class="txt">Keep a headache diary for
two weeks.</div><div class="dt">Reply Date: 2024/03/07</div></div>
<div class="mi"><div class="hd">More Info</div><div class="c">
<div>Morning headaches have many causes.</div><div><b>Common Causes</b></div>
<ol><li>Sleep apnea</li><li>Teeth grinding</li></ol>
<table><tr><th>Drug</th><th>Dose</th></tr><tr><td>Ibuprofen</td><td>400 mg</td></tr></table>
<div><strong>When to See a Doctor</strong></div>
<div>See a doctor if the pain is sudden and severe.</div></div></div>
<div class="sim"><div class="hd">Similar Q&amp;A</div>
<div class="card"><a href="/en/article/199001?utm_source=x"><div>Headache After Waking Up</div></a>
<div>I get headaches every time I sleep in ...</div><div>Dr. Huang Boyu reply Neurology</div>
<div>Oversleeping can trigger headaches ...</div>
<a href="/en/article/199001">[Read More] Headache After Waking Up</a></div></div>
<div class="faq"><div class="hd">Related FAQ</div>
<div><a href="/en/faq/migraine">Migraine</a></div><div>(Neurology)</div>
<div><a href="/en/faq/insomnia">Insomnia</a></div><div>(Psychiatry)</div></div></div>
<div class="ft"><a href="/en/about">About us</a><div>© 2024 DoctorQnA</div></div>
</body></html>"""

SEMANTIC = f"""<!doctype html><html lang="en"><head><title>{TITLE}</title>
<link rel="canonical" href="http://doctorqna.com/en/article/201777/?utm_source=feed"></head><body>
<header><nav><a href="/en">Home</a> &gt; <a href="/en/neurology">Neurology</a></nav></header>
<main><article><header><p>{TITLE}</p><p>Share to:</p>
<h1>Why do I wake up with a headache?</h1></header>
<p>Almost every morning I wake up with a dull headache.</p>
<p>It fades by noon. My blood pressure is normal.</p>
<footer><p>Lin Mei, 40~49 year old female.</p>
<p>Ask Date: <time datetime="2024-03-05">March 5, 2024</time></p></footer></article>
<section><h2><span>Dr. Huang Boyu</span> reply <span>Neurology</span></h2>
<p>Check whether you snore.</p><p>Sleep apnea is common.</p>
<footer>Reply Date: <time datetime="2024-03-06">Mar 6, 2024</time></footer></section>
<section><h2>Dr. Tsai Ling reply</h2><p>Keep a headache diary for two weeks.</p>
<footer>Reply Date: <time datetime="2024-03-07">7 Mar 2024</time></footer></section>
<section><h2>More Info</h2><p>Morning headaches have many causes.</p>
<h3>Common Causes</h3><ol><li><p>Sleep apnea</p></li><li>Teeth grinding</li></ol>
<table><thead><tr><th>Drug</th><th>Dose</th></tr></thead>
<tbody><tr><td>Ibuprofen</td><td>400&#160;mg</td></tr></tbody></table>
<h3>When to See a Doctor</h3><p>See a doctor if the pain is sudden and severe.</p></section>
<aside><h2>Similar Q&amp;A</h2><article><h3><a href="https://doctorqna.com/en/article/199001">
Headache After Waking Up</a></h3><p>I get headaches every time I sleep in ...</p>
<p>Dr. Huang Boyu reply Neurology</p><p>Oversleeping can trigger headaches ...</p>
<p><a href="/en/article/199001">[Read More] Headache After Waking Up</a></p></article></aside>
<aside><h2>Related FAQ</h2><ul><li><a href="/en/faq/migraine">Migraine</a> (Neurology)</li>
<li><a href="/en/faq/insomnia">Insomnia</a> (Psychiatry)</li></ul></aside></main>
<footer><p>About us</p><p>Privacy</p></footer></body></html>"""

LEGACY = f"""<HTML><HEAD><TITLE>{TITLE}</TITLE>
<META http-equiv="Content-Type" content="text/html; charset=utf-8"></HEAD>
<BODY><TABLE width="100%"><TR><TD><FONT size=4>DoctorQnA</FONT></TD></TR>
<TR><TD><TABLE><TR><TD><FONT face=Arial><B>{TITLE}</B><BR>Share to:<BR><BR>
<FONT size=3><B>Why do I wake up with a headache?</B></FONT><BR>
Almost every morning I wake up with a dull headache.<BR>It fades by noon. My blood
pressure is normal.<BR><BR>Lin Mei, 40~49 year old female. Ask Date: 2024/03/05</FONT>
</TD></TR></TABLE></TD></TR>
<TR><TD><FONT color=navy><B>Dr. Huang Boyu</B> reply Neurology</FONT><BR>
Check whether you snore.<BR>Sleep apnea is common.<BR>Reply Date: 2024/03/06<BR><BR>
<FONT color=navy><B>Dr.Tsai Ling</B> reply</FONT><BR>Keep a headache diary for two weeks.<BR>
Reply Date: 2024/03/07</TD></TR>
<TR><TD><B>More Info</B><BR>Morning headaches have many causes.<BR><B>Common Causes</B>
<OL><LI>Sleep apnea<LI>Teeth grinding</OL>
<TABLE border=1><TR><TD>Drug<TD>Dose<TR><TD>Ibuprofen<TD>400 mg</TABLE>
<B>When to See a Doctor</B><BR>See a doctor if the pain is sudden and severe.</TD></TR>
<TR><TD><B>Similar Q&amp;A</B><BR><A href="/en/article/199001">Headache After Waking Up</A><BR>
I get headaches every time I sleep in ...<BR>Dr. Huang Boyu reply Neurology<BR>
Oversleeping can trigger headaches ...<BR>[Read More] <A href="/en/article/199001">Headache
After Waking Up</A></TD></TR>
<TR><TD><B>Related FAQ</B><BR><A href="/en/faq/migraine">Migraine</A><BR>(Neurology)<BR>
<A href="/en/faq/insomnia">Insomnia</A><BR>(Psychiatry)</TD></TR>
<TR><TD><FONT size=1>Copyright 2024 DoctorQnA</FONT></TD></TR></TABLE></BODY></HTML>"""

MINIFIED = (
    f"<html lang=en><head><title>{TITLE}</title></head><body><div><a href=/en>DoctorQnA</a></div>"
    f"<div><h2>{TITLE}</h2><div>Share to:<a href=//line.me/x>LINE</a></div>"
    "<h1>Why do I wake up with a headache?</h1><p>Almost every morning I wake up with a dull "
    "headache.<p>It fades by noon. My blood pressure is normal.<div><span>Lin Mei</span>, "
    "<span>40~49</span> year old <span>female</span>. <b>Ask Date:</b>2024/03/05</div>"
    "<div><b>Dr.</b> <a href=/en/doctor/1>Huang Boyu</a> reply <span>Neurology</span></div>"
    "<p>Check whether you snore.<br>Sleep apnea is common.<div><b>Reply Date:</b> "
    "<span>2024/03/06</span></div><div><b>Dr.</b><a href=/en/doctor/2>Tsai Ling</a> reply</div>"
    "<p>Keep a headache diary for two weeks.</p><div>Reply Date: 2024/03/07</div>"
    "<div><h2>More Info</h2><p>Morning headaches have many causes.<h4>Common Causes</h4><ol>"
    "<li>Sleep apnea<li>Teeth grinding</ol><table><tr><td>Drug<td>Dose<tr><td>Ibuprofen<td>400 "
    "mg</table><p><em>When to See a Doctor</em><p>See a doctor if the pain is sudden and severe."
    "</div><div><h2>Similar Q&amp;A</h2><div><a href=/en/article/199001><b>Headache After Waking "
    "Up</b></a><p>I get headaches every time I sleep in ...<p><b>Dr.</b> Huang Boyu reply "
    "Neurology<p>Oversleeping can trigger headaches ...<p><a href=/en/article/199001>[Read More]"
    "</a> Headache After Waking Up</div></div><div><h2>Related FAQ</h2><a href=/en/faq/migraine>"
    "Migraine</a><span>(Neurology)</span><a href=/en/faq/insomnia>Insomnia</a><span>(Psychiatry)"
    "</span></div></div><div>© 2024 DoctorQnA. All rights reserved.</div></body></html>"
)

MARKUPS = {"div_soup": DIV_SOUP, "semantic": SEMANTIC, "legacy": LEGACY, "minified": MINIFIED}


@pytest.mark.parametrize("name", sorted(MARKUPS))
def test_every_markup_gives_the_same_record(name: str) -> None:
    record = parse(MARKUPS[name].encode("utf-8"), URL)
    got = {key: getattr(record, key) for key in EXPECTED}
    for key, value in EXPECTED.items():
        assert got[key] == value, f"{name}: {key}"


def test_json_ld_question_name_locates_the_title_without_any_label_or_heading() -> None:
    """No SEO title line, no Share label, no heading: the QAPage name says where to start."""
    page = (
        '<html><head><script type="application/ld+json">{"@type": "QAPage", "mainEntity": '
        '{"@type": "Question", "name": "Is a dull morning headache serious?"}}</script></head>'
        "<body><div>Welcome back</div><div>Is a dull morning headache serious?</div>"
        "<div>It happens daily.</div><div>Lin, female. Ask Date: 2024/03/05</div></body></html>"
    )
    record = parse(page.encode(), URL)
    assert record.question_title == "Is a dull morning headache serious?"
    assert record.question_body == "It happens daily."
    assert record.asker == Asker(name="Lin", sex="female")
    assert record.missing == (
        "page_title",
        "asker.age",
        "answers",
        "explanation",
        "similar",
        "related_faq",
    )
