"""The flattener: visible lines and the facts riding along with them."""

from __future__ import annotations

from parsers.lines import LineIndex, load
from parsers.sites.doctorqna.labels import MORE_INFO, SIMILAR


def texts(html: str) -> list[str]:
    return [line.content for line in load(html).lines if line.text]


def test_blocks_and_br_end_lines_inline_tags_do_not() -> None:
    html = "<div>a <b>b</b><i>c</i> d<br>e</div><p>f\n   g</p><span>h</span><div>i</div>"
    assert texts(html) == ["a bc d", "e", "f g", "h", "i"]


def test_rows_of_one_line_cells_join_but_layout_rows_do_not() -> None:
    html = (
        "<table><tr><th>Drug</th><th>Dose</th></tr><tr><td>A</td><td><b>1</b> mg</td></tr>"
        "<tr><td><p>left</p></td><td>right</td></tr></table>"
    )
    assert texts(html) == ["Drug | Dose", "A | 1 mg", "left", "right"]


def test_ordered_lists_get_numbers_unless_they_show_them() -> None:
    html = (
        "<ol start=4><li>x</li><li><p>y</p></li></ol><ol><li>1) shown</li></ol><ul><li>u</li></ul>"
    )
    doc = load(html)
    assert [(line.content, line.item) for line in doc.lines] == [
        ("4. x", True),
        ("5. y", True),
        ("1) shown", True),
        ("u", True),
    ]


def test_links_belong_to_the_first_line_of_what_they_wrap() -> None:
    doc = load(
        "<a href='/card'><div>Title</div><div>Snippet</div></a>"
        "<a href='/a'>A</a><a href='/b'>B</a> <a href='mailto:x@y'>mail</a>"
    )
    assert [(line.text, line.links) for line in doc.lines] == [
        ("Title", ("/card",)),
        ("Snippet", ()),
        ("AB mail", ("/a", "/b")),  # glued links read as one run of text, as shown
    ]


def test_invisible_and_hidden_content_is_dropped() -> None:
    html = (
        "<p>seen</p><script>x</script><style>p{}</style><noscript>n</noscript>"
        "<template>t</template><div hidden>h</div><p style='display:none'>d</p>"
    )
    assert texts(html) == ["seen"]


def test_head_facts() -> None:
    doc = load(
        '<html lang="zh-TW"><head><title> A &amp;\u00a0B </title>'
        '<link rel="canonical" href="/en/article/5"></head><body><p>x</p></body></html>'
    )
    assert (doc.title, doc.canonical, doc.lang) == ("A & B", "/en/article/5", "zh-TW")


def test_line_index_finds_labels_whatever_the_case_and_length_changing_letters() -> None:
    doc = load("<p>İİİ</p><p>more info</p><p>x</p><p>SIMILAR Q&amp;A:</p><footer>f</footer>")
    found = LineIndex(doc.lines)
    assert found.find(MORE_INFO) == 1
    assert found.find(SIMILAR) == 3
    assert found.find(MORE_INFO, 2) is None
    assert [(r.kind, r.start, r.end) for r in doc.regions] == [("contentinfo", 4, 5)]
    assert doc.lines[4].region == 0


def test_control_characters_in_the_page_cannot_pose_as_markers() -> None:
    """Links are matched to lines by counting markers, so stray control bytes must not count."""
    doc = load(
        "<p>a\x01b\x02c\x03d\x04e</p><p><a href='/x'>x</a> and <time datetime='2024-01-02'>"
        "today</time></p><table><tr><td>\x01</td><td><a href='/y'>y</a></td></tr></table>"
    )
    assert [(line.content, line.links, line.times) for line in doc.lines] == [
        ("abcde", (), ()),
        ("x and today", ("/x",), ("2024-01-02",)),
        ("y", ("/y",), ()),
    ]


def test_tags_used_only_in_the_head_do_not_hide_body_passes() -> None:
    """Page scans start at <body>; a body without </head> before it is scanned whole."""
    head = "<html><head><title>t</title><style>b{}</style></head>"
    body = "<body><ol><li>x</li></ol><p>a <b>b</b></p><div hidden>gone</div></body></html>"
    assert texts(head + body) == ["1. x", "a b"]
    assert texts("<p>a <b>b</b></p><ol><li>x</li></ol><p hidden>gone</p>") == ["a b", "1. x"]
