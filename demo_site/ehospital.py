"""An offline 台灣e院: Big5 question pages in both templates, with their ground truth.

The site the crawl tests run ``healthqa crawl ehospital`` against. Every question is a pure
function of ``(seed, q_no, epoch)``; ``EHospitalSite.record(q_no)`` is the record the parser
must return for the page served now, built from the content, never from the page. What the
real site does that a crawler must survive is here on purpose (docs/sites.md):

* pages are cp950 bytes, declared by the header and ``<meta>``, by one of them, or by
  neither; the server doubles every 0x5C byte, so 功, 許 and 蓋 arrive as ``功\\``;
* a missing question answers 200 with ``<h1>…不存在</h1>`` or with an empty body;
* questions without an answer (answered in a later epoch), doctor lines without a hospital,
  questions without topics; a view count that grows every epoch;
* ``Index1.php`` links the newest question; topic listings hold several questions;
* the same transient faults as the doctorqna demo site (errors, 429/503, resets, truncated
  and slow answers, oversize bodies), keyed by the question's full URL.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from html import escape
from urllib.parse import parse_qsl, quote, urlsplit

from demo_site.config import DemoSiteConfig
from demo_site.content import digest, unit
from demo_site.faults import Fault, plan_fault
from demo_site.site import Page
from parsers.record import Answer, Asker, QARecord, RelatedFAQ
from parsers.schema import missing_fields
from parsers.sites.ehospital import parse as ehospital
from parsers.sites.ehospital.urls import INDEX_PATH, QUESTION_PATH, question_url
from parsers.urls import canonicalize_url

#: Faults the HTTP server applies to a question page (a redirect chain needs a path id).
SERVER_FAULTS: frozenset[str] = frozenset(
    {"500", "503", "429", "slow", "reset", "truncate", "oversize"}
)
LISTING_SIZE = 10
OLD_TITLE = "衛生福利部【台灣e院】醫療諮詢服務"

DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("神經內科", ("頭痛", "偏頭痛", "頭暈")),
    ("小兒科", ("咳嗽", "發燒")),
    ("心臟血管內科", ("高血壓", "心悸")),
    ("皮膚科", ("皮膚癢", "濕疹")),
    ("骨科", ("膝蓋痛", "腰痛")),
    ("家庭醫學科", ("感冒", "失眠")),
    ("肝膽腸胃科", ("胃痛", "便秘")),
)
HOSPITALS = ("衛生福利部臺北醫院", "衛生福利部桃園醫院", "臺中榮民總醫院", "許昌診所", "蓋亞醫院")
DOCTORS = ("陳大明", "林功成", "許志明", "蓋文華", "王小芬", "黃建國", "張淑芬")
ASKERS = ("王小姐", "陳先生", "許太太", "林媽媽", "張同學", "")
AGES = ("20~29歲", "30~39歲", "40~49歲", "50~59歲", "60~69歲", "70~79歲")
TITLE_ENDINGS = ("怎麼辦", "需要看醫生嗎", "是什麼原因", "該如何改善")
QUESTION_LINES = (
    "醫師您好：",
    "最近{topic}的情況越來越嚴重，已經持續{days}天了。",
    "功課壓力很大，許多晚上睡不著。",
    "吃了藥還是不舒服，請問該怎麼辦？",
    "請問需要看哪一科？是否要做檢查？",
)
REPLY_LINES = (
    "您好：",
    "{topic}可能與壓力、睡眠不足有關，建議規律作息，功課與工作之餘適度休息。",
    "若症狀持續或加劇，請儘速至{department}門診就醫。",
    "以上說明僅供參考，祝您早日康復。",
)
_FIRST_DAY = date(2016, 1, 1)

#: What the server does to every 0x5C byte: PHP's magic quotes (docs/sites.md).
_TRAIL_5C = frozenset(
    "".join(bytes((lead, 0x5C)).decode("cp950", "ignore") for lead in range(0x81, 0xFF))
)


def _magic_quotes(text: str) -> str:
    return "".join(f"{ch}\\" if ch in _TRAIL_5C else ch for ch in text)


@dataclass(frozen=True, slots=True)
class Question:
    """One question as the site holds it in an epoch."""

    q_no: int
    title: str
    body: tuple[str, ...]
    asker: str
    sex: str
    age: str
    asked_on: date
    department: str
    topics: tuple[str, ...]
    views: int
    old_template: bool
    declared: str  # "both", "header", "meta" or "none"
    doctor: str | None = None
    hospital: str | None = None
    reply: tuple[str, ...] = ()
    replied_on: date | None = None


class EHospitalSite:
    """A deterministic 台灣e院 for ``config`` (``pages`` question ids from ``first_id``)."""

    def __init__(self, config: DemoSiteConfig, base_url: str = "http://127.0.0.1") -> None:
        self.config = config
        self.base_url = base_url.rstrip("/")
        self._epoch = config.epoch

    # -- content and ground truth -------------------------------------------------------

    @property
    def epoch(self) -> int:
        return self._epoch

    def set_epoch(self, epoch: int) -> None:
        if epoch < 1:
            raise ValueError(f"epoch must be at least 1, got {epoch}")
        self._epoch = epoch

    def id_range(self) -> tuple[int, int]:
        """The lowest and highest question id published up to the current epoch."""
        last = self.config.first_id + self.config.pages - 1
        return self.config.first_id, last + (self._epoch - 1) * self.config.new_ids_per_epoch

    def _kind(self, q_no: int) -> str:
        """``"question"``, ``"missing"`` (不存在 page) or ``"empty"`` (an empty body)."""
        first, last = self.id_range()
        if not first <= q_no <= last:
            return "missing"
        draw = unit(digest(self.config.seed, "ehospital-kind", q_no), 0)
        return "missing" if draw < 0.03 else "empty" if draw < 0.04 else "question"

    def question_ids(self) -> tuple[int, ...]:
        """Ids of the questions that exist now, ascending."""
        first, last = self.id_range()
        return tuple(q for q in range(first, last + 1) if self._kind(q) == "question")

    def question(self, q_no: int) -> Question | None:
        if self._kind(q_no) != "question":
            return None
        d = digest(self.config.seed, "ehospital", q_no)
        department, topics_of = DEPARTMENTS[d[0] % len(DEPARTMENTS)]
        topic = topics_of[d[1] % len(topics_of)]
        asked_on = _FIRST_DAY + timedelta(days=(q_no - self.config.first_id) // 3 + d[2] % 3)
        beyond = q_no - (self.config.first_id + self.config.pages - 1)
        per_epoch = max(self.config.new_ids_per_epoch, 1)
        born = 1 if beyond <= 0 else 1 + (beyond + per_epoch - 1) // per_epoch
        answered_in = born + (1 if unit(d, 3) < 0.15 else 0)  # some wait an epoch for a reply
        topics = () if d[7] % 5 == 0 else tuple(dict.fromkeys((topic, topics_of[-1])))
        body = tuple(
            line.format(topic=topic, days=2 + d[8] % 12)
            for i, line in enumerate(QUESTION_LINES)
            if i < 2 or d[9] >> i & 1
        )
        question = Question(
            q_no=q_no,
            title=f"{topic}{TITLE_ENDINGS[d[4] % len(TITLE_ENDINGS)]}",
            body=body,
            asker=ASKERS[d[5] % len(ASKERS)],
            sex="男" if d[6] % 2 else "女",
            age=AGES[d[10] % len(AGES)],
            asked_on=asked_on,
            department=department,
            topics=topics,
            views=10 + d[11] % 500 + 37 * self._epoch,
            old_template=bool(d[12] % 2),
            declared=("both", "header", "meta", "none")[d[13] % 4],
        )
        if self._epoch < answered_in:
            return question
        reply = tuple(line.format(topic=topic, department=department) for line in REPLY_LINES)
        return replace(
            question,
            doctor=DOCTORS[d[14] % len(DOCTORS)],
            hospital=None if d[15] % 3 == 0 else HOSPITALS[d[15] % len(HOSPITALS)],
            reply=reply,
            replied_on=asked_on + timedelta(days=1 + d[2] % 3),
        )

    def url_for(self, q_no: int) -> str:
        return question_url(self.base_url, q_no)

    def listing_url(self, topic: str, department: str) -> str:
        return canonicalize_url(
            f"{self.base_url}/doctor/Often_question/type_detail.php"
            f"?q_type={quote(topic)}&UrlClass={quote(department)}"
        )

    def record(self, q_no: int) -> QARecord | None:
        """The record ``parsers.parse`` must return for question ``q_no`` now."""
        q = self.question(q_no)
        if q is None:
            return None
        answers = (
            (
                Answer(
                    doctor_name=q.doctor,
                    department=q.department,
                    body="\n".join(q.reply),
                    replied_on=q.replied_on.isoformat() if q.replied_on else None,
                    hospital=q.hospital,
                ),
            )
            if q.doctor
            else ()
        )
        low, high = (int(n) for n in q.age.removesuffix("歲").split("~"))
        asker = Asker(
            name=q.asker or None,
            age_min=low,
            age_max=high,
            age_label=q.age,
            sex="male" if q.sex == "男" else "female",
        )
        related = tuple(
            RelatedFAQ(topic=t, department=q.department, url=self.listing_url(t, q.department))
            for t in q.topics
        )
        page_title = OLD_TITLE if q.old_template else f"台灣e院 - {q.title}"
        record = QARecord(
            url=self.url_for(q_no),
            canonical_url=self.url_for(q_no),
            site=ehospital.SITE,
            external_id=str(q_no),
            language=ehospital.LANGUAGE,
            page_title=page_title,
            question_title=q.title,
            question_body="\n".join(q.body),
            asker=asker,
            asked_on=q.asked_on.isoformat(),
            answers=answers,
            related_faq=related,
            view_count=q.views,
            parser_version=ehospital.VERSION,
        )
        return replace(record, missing=missing_fields(record, ehospital.EXPECTED_FIELDS))

    # -- faults ------------------------------------------------------------------------

    def fault_key(self, path: str) -> str:
        """What attempts are counted by: the question's whole URL path with its query."""
        return path

    def fault_for(self, key: str) -> Fault | None:
        q_no = _q_no(key)
        if q_no is None or self.question(q_no) is None:
            return None
        kinds = tuple(k for k in self.config.faults if k in SERVER_FAULTS)
        return plan_fault(self.config.seed, key, self.config.fault_rate, kinds)

    def faulted(self) -> dict[int, Fault]:
        faults = {}
        for q_no in self.question_ids():
            fault = self.fault_for(QUESTION_PATH + f"?q_no={q_no}")
            if fault is not None:
                faults[q_no] = fault
        return faults

    def eventually_served_ids(self) -> tuple[int, ...]:
        """Questions a retrying crawler ends up with: all but the oversize ones."""
        never = {q for q, fault in self.faulted().items() if not fault.servable}
        return tuple(q for q in self.question_ids() if q not in never)

    # -- responses ---------------------------------------------------------------------

    def page(self, path: str, request_headers: dict[str, str] | None = None) -> Page:
        """The response to a GET of ``path`` (with its query)."""
        route = urlsplit(path).path
        if route == QUESTION_PATH:
            return self._question_page(_q_no(path))
        if route == INDEX_PATH:
            return self._index()
        if route == "/doctor/Often_question/type_detail.php":
            return self._listing(path)
        if route == "/robots.txt":
            return Page(200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow:\n")
        return Page(404, {"Content-Type": "text/html; charset=big5"}, _encode(_old_page("")))

    def _question_page(self, q_no: int | None) -> Page:
        kind = "missing" if q_no is None else self._kind(q_no)
        if kind == "empty":
            return Page(200, {"Content-Type": "text/html"}, b"")
        question = self.question(q_no) if q_no is not None else None
        if question is None:
            return _big5(_old_page("<h1>此問題編號不存在</h1>\n"), "both")
        if question.old_template:
            return _big5(_old_page(self._qaunit(question)), question.declared)
        return _big5(_w3_page(question.title, self._w3unit(question)), question.declared)

    def _topic_links(self, q: Question, separator: str) -> str:
        return separator.join(
            f'<a href="../Often_question/type_detail.php?q_type={escape(t)}'
            f'&amp;UrlClass={escape(q.department)}">{escape(t)}</a>'
            for t in q.topics
        )

    def _qaunit(self, q: Question) -> str:
        items = [
            f'<li class="subject">#{q.q_no} {_text(q.title)}</li>',
            f'<li class="count">點閱數：{q.views:,}</li>',
        ]
        if q.topics:
            items.append(f'<li class="count">相關分類 ：{self._topic_links(q, "、")}</li>')
        items.append(f'<li class="asker">發問者：{_who(q)}, {q.asked_on:%Y/%m/%d}</li>')
        items.append(f'<li class="ask">{"<br>".join(map(_text, q.body))}</li>')
        if q.doctor and q.replied_on:
            items.append(f'<li class="doctor">答復者：{_doctor(q)}, {q.replied_on:%Y/%m/%d}</li>')
            items.append(f'<li class="ans">{"<br>".join(map(_text, q.reply))}</li>')
        return '<ul class="QAunit">\n' + "\n".join(items) + "\n</ul>\n"

    def _w3unit(self, q: Question) -> str:
        out = [
            '<div class="w3-bar w3-border-bottom">'
            f'<span class="w3-bar-item w3-large">#{q.q_no} {_text(q.title)}</span>'
            f'<span class="w3-bar-item w3-right">瀏覽次數：{q.views}</span></div>'
        ]
        if q.topics:
            out.append(f'<div class="w3-panel">相關分類：{self._topic_links(q, " ")}</div>')
        asker = f"{_who(q, paren=True)},{q.asked_on:%Y/%m/%d}"
        out.append(_w3_row("q.png", f"{asker} 提問：", q.body))
        if q.doctor and q.replied_on:
            doctor = f"{_doctor(q)}, {q.replied_on:%Y/%m/%d}"
            out.append(_w3_row("a.png", f"{doctor} 回覆：", q.reply))
        return "\n".join(out) + "\n"

    def _index(self) -> Page:
        newest = self.question_ids()[-8:][::-1]
        links = "".join(
            f'<li><a href="All/ShowDetail.php?q_no={q}">#{q}</a></li>' for q in newest[1:]
        )
        html = (
            f'<div id="newQA">最新問答：<a href="All/ShowDetail.php?q_no={newest[0]}">'
            f"#{newest[0]}</a></div>\n<ul>{links}</ul>\n"
        )
        return _big5(_w3_page("台灣e院", html), "both")

    def _listing(self, path: str) -> Page:
        query = _query(path)
        topic, department = query.get("q_type", ""), query.get("UrlClass", "")
        number = query.get("PageNo", "1")
        page = int(number) if number.isdigit() and int(number) > 0 else 1
        matching = [
            q
            for q in (self.question(i) for i in reversed(self.question_ids()))
            if q is not None and topic in q.topics and q.department == department
        ]
        chunk = matching[(page - 1) * LISTING_SIZE : page * LISTING_SIZE]
        html = f"<h2>{_text(department)} ＞ {_text(topic)}</h2>\n"
        html += "".join(self._qaunit(q) for q in chunk)
        if len(matching) > page * LISTING_SIZE:
            html += (
                f'<p><a href="type_detail.php?q_type={escape(topic)}&amp;UrlClass='
                f'{escape(department)}&amp;PageNo={page + 1}">下一頁</a></p>\n'
            )
        return _big5(_old_page(html), "both")


def _q_no(path: str) -> int | None:
    if urlsplit(path).path != QUESTION_PATH:
        return None
    value = _query(path).get("q_no", "")
    return int(value) if value.isdigit() else None


def _query(path: str) -> dict[str, str]:
    """The query of ``path``, percent-decoded as cp950 (what a browser sends from a Big5
    page) or, failing that, UTF-8."""
    query = urlsplit(path).query
    for encoding in ("cp950", "utf-8"):
        try:
            return dict(parse_qsl(query, encoding=encoding, errors="strict"))
        except UnicodeDecodeError:
            continue
    return {}


def _text(text: str) -> str:
    return _magic_quotes(escape(text, quote=False))


def _who(q: Question, *, paren: bool = False) -> str:
    age = f"({q.age})" if paren else q.age
    return _text(f"{q.asker}／{q.sex}／{age}")


def _doctor(q: Question) -> str:
    parts = [q.hospital, q.department, q.doctor] if q.hospital else [q.department, q.doctor]
    return _text("／".join(p for p in parts if p))


def _w3_row(icon: str, label: str, lines: tuple[str, ...]) -> str:
    return (
        '<div class="w3-row w3-margin-top">\n'
        f'<div class="w3-col s1"><img src="../images/{icon}" alt=""></div>\n'
        f'<div class="w3-col s11"><div class="w3-text-grey">{label}</div>\n'
        f'<div class="msg"><div>{"<br>".join(map(_text, lines))}</div></div></div>\n</div>'
    )


_META = '<meta http-equiv="Content-Type" content="text/html; charset=big5">\n'


def _old_page(content: str) -> str:
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html>\n<head>\n'
        f"{{meta}}<title>{OLD_TITLE}</title>\n</head>\n<body>\n"
        '<table width="100%"><tr><td><a href="../Index1.php">首頁</a> | '
        '<a href="../Often_question/index.php">常見問題</a></td></tr></table>\n'
        f'<form name="form1" method="post" action="">\n{content}</form>\n'
        '<div id="footer">衛生福利部 版權所有</div>\n</body>\n</html>\n'
    )


def _w3_page(title: str, content: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="zh-TW">\n<head>\n{meta}'
        f"<title>台灣e院 - {_text(title)}</title>\n"
        '<link rel="stylesheet" href="../w3.css">\n</head>\n<body>\n'
        '<header class="w3-bar w3-teal"><a class="w3-bar-item" href="../Index1.php">台灣e院</a>'
        '</header>\n<div class="w3-container w3-content">\n'
        f"{content}</div>\n"
        '<footer class="w3-container"><p>衛生福利部 版權所有</p></footer>\n</body>\n</html>\n'
    )


def _encode(html: str) -> bytes:
    return html.replace("{meta}", _META).encode("cp950", "xmlcharrefreplace")


def _big5(html: str, declared: str) -> Page:
    """``html`` as cp950 bytes, its Big5 declared by the header, the ``<meta>``, both or none."""
    meta = _META if declared in ("both", "meta") else ""
    header = "text/html; charset=big5" if declared in ("both", "header") else "text/html"
    body = html.replace("{meta}", meta).encode("cp950", "xmlcharrefreplace")
    return Page(200, {"Content-Type": header}, body)
