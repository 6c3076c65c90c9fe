"""HTML for the demo site's pages.

Article pages follow the order and labels of the real page's visible text (see the seed in
``/work/shared/seed``) inside ordinary site chrome: header navigation with a language switch,
breadcrumbs, a share widget with icon-only links, a footer, a style sheet and scripts. Links
are root-relative so a page's bytes do not depend on the host or port it is served from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from demo_site.content import Article, Block, Reply, slugify
from demo_site.words import DEPARTMENTS

SNIPPET_CHARS = 280

_STYLE = (
    "body{font-family:Helvetica,Arial,sans-serif;margin:0;color:#222}"
    ".site-header{background:#0b6e99;color:#fff;padding:8px 16px}"
    ".main-nav a{color:#fff;margin-right:12px}.qa-page{max-width:960px;margin:auto}"
    ".asker,.reply-date{color:#666;font-size:14px}.similar-item{border-top:1px solid #ddd}"
)
_SCRIPT = (
    "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments);}"
    "gtag('js',new Date());gtag('config','G-DEMO0000');"
)


def snippet(lines: Sequence[str]) -> str:
    """A teaser as Similar Q&A shows it: the text cut at 280 characters, then ``...``."""
    text = " ".join(lines)
    return text[:SNIPPET_CHARS] + "..." if len(text) > SNIPPET_CHARS else text


def format_date(value: date, fmt: str) -> str:
    """``strftime`` with the day unpadded in the month-name form (``Dec 3, 2023``)."""
    if fmt == "%b %d, %Y":
        return f"{value.strftime('%b')} {value.day}, {value.year}"
    return value.strftime(fmt)


def _e(text: str) -> str:
    return escape(text, quote=False)


def _a(text: str) -> str:
    return escape(text, quote=True)


def _head(title: str, charset: str, canonical: str | None, extra: str = "") -> str:
    link = f'<link rel="canonical" href="{_a(canonical)}">\n' if canonical else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n'
        f'<meta charset="{charset}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n{link}"
        '<link rel="stylesheet" href="/static/site.css">\n'
        f"<style>{_STYLE}</style>\n{extra}"
        '<script async src="/static/analytics.js"></script>\n'
        "</head>\n"
    )


def _header(lang_path: str) -> str:
    departments = "".join(
        f'<li><a href="/en/department/{d.slug}">{_e(d.name)}</a></li>' for d in DEPARTMENTS[:4]
    )
    return (
        '<body>\n<header class="site-header">\n'
        '<a class="logo" href="/"><img src="/static/logo.png" alt=""></a>\n'
        '<nav class="main-nav"><ul><li><a href="/">Home</a></li>'
        '<li><a href="/en/latest/1">Latest Questions</a></li>'
        f"{departments}"
        '<li><a href="/en/private/account">My Account</a></li>'
        '<li><a href="/search?q=">Search</a></li></ul></nav>\n'
        f'<div class="lang-switch"><a href="{lang_path}">English</a> | '
        '<a href="/zh-tw/">繁體中文</a></div>\n'
        "</header>\n"
    )


def _footer() -> str:
    return (
        '<footer class="site-footer">\n'
        '<div class="footer-links"><a href="/en/about">About Us</a> · '
        '<a href="/en/privacy">Privacy Policy</a> · <a href="/en/terms">Terms of Use</a></div>\n'
        "<p>Copyright 2024 DoctorQnA. Answers on this site do not replace a consultation.</p>\n"
        "</footer>\n"
        f"<script>{_SCRIPT}</script>\n"
        "</body>\n</html>\n"
    )


def _date(value: date, fmt: str, semantic: bool) -> str:
    shown = _e(format_date(value, fmt))
    return f'<time datetime="{value.isoformat()}">{shown}</time>' if semantic else shown


def _asker_line(article: Article) -> str:
    who = " ".join(p for p in (article.age_label, article.sex) if p)
    name = (
        f'<span class="asker-name">{_e(article.asker_name)}</span>, ' if article.asker_name else ""
    )
    when = _date(article.asked_on, article.asked_format, article.jsonld)
    return (
        f'<div class="asker">{name}{_e(who)}. '
        f'<span class="ask-date">Ask Date: {when}</span></div>\n'
    )


def _reply_head(doctor: str, department: str) -> str:
    slug = slugify(department)
    return (
        f'<div class="reply-head"><span class="doctor">Dr. {_e(doctor)}</span> reply '
        f'<a class="dept" href="/en/department/{slug}">{_e(department)}</a></div>\n'
    )


def _reply(reply: Reply, semantic: bool) -> str:
    paragraphs = "".join(f"<p>{_e(line)}</p>" for line in reply.lines)
    when = _date(reply.replied_on, reply.date_format, semantic)
    return (
        '<div class="answer">\n'
        f"{_reply_head(reply.doctor, reply.department)}"
        f'<div class="answer-body">{paragraphs}</div>\n'
        f'<div class="reply-date">Reply Date: {when}</div>\n'
        "</div>\n"
    )


def _block(block: Block) -> str:
    if block.kind == "p":
        return f"<p>{_e(block.items[0])}</p>\n"
    if block.kind == "h":
        return f"<h3>{_e(block.items[0])}</h3>\n"
    if block.kind in ("ul", "ol"):
        items = "".join(f"<li>{_e(item)}</li>" for item in block.items)
        return f"<{block.kind}>{items}</{block.kind}>\n"
    header, *rows = block.rows
    head = "".join(f"<th>{_e(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="info-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>\n'
    )


def _similar_item(target: Article, as_link: bool) -> str:
    href = f"/en/article/{target.id}"
    title = _e(target.seo_title)
    heading = f'<a href="{href}">{title}</a>' if as_link else title
    first = target.replies[0]
    return (
        '<div class="similar-item">\n'
        f"<h3>{heading}</h3>\n"
        f'<p class="q-snippet">{_e(snippet(target.body))}</p>\n'
        f"{_reply_head(first.doctor, first.department)}"
        f'<p class="r-snippet">{_e(snippet(first.lines))}</p>\n'
        f'<a class="read-more" href="{href}">[Read More] {title}</a>\n'
        "</div>\n"
    )


def _jsonld(article: Article) -> str:
    def answer(reply: Reply) -> dict[str, object]:
        return {
            "@type": "Answer",
            "text": "\n".join(reply.lines),
            "dateCreated": reply.replied_on.isoformat(),
            "author": {"@type": "Person", "name": reply.doctor},
        }

    question: dict[str, object] = {
        "@type": "Question",
        "name": article.title,
        "text": "\n".join(article.body),
        "dateCreated": article.asked_on.isoformat(),
        "answerCount": len(article.replies),
    }
    if article.asker_name:
        question["author"] = {"@type": "Person", "name": article.asker_name}
    if article.replies:
        question["acceptedAnswer"] = answer(article.replies[0])
        if len(article.replies) > 1:
            question["suggestedAnswer"] = [answer(r) for r in article.replies[1:]]
    data = {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": question}
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<script type="application/ld+json">{text}</script>\n'


def article_page(article: Article, resolve: Callable[[int], Article], charset: str) -> str:
    """The full HTML of an article; ``resolve`` gives the Similar Q&A targets' content."""
    path = f"/en/article/{article.id}"
    department = article.department
    heading = article.page_title if article.full_heading else article.seo_title
    parts = [
        _head(article.page_title, charset, path, _jsonld(article) if article.jsonld else ""),
        _header(path),
        '<main class="qa-page">\n',
        f'<div class="breadcrumb"><a href="/">Home</a> &gt; '
        f'<a href="/en/department/{department.slug}">{_e(department.name)}</a></div>\n',
        f'<article class="qa">\n<h1 class="seo-title">{_e(heading)}</h1>\n',
        '<div class="share"><span>Share to:</span>'
        f'<a class="share-fb" href="https://www.facebook.com/sharer/sharer.php?u={path}" '
        'aria-label="Facebook"></a>'
        f'<a class="share-line" href="https://social-plugins.line.me/lineit/share?url={path}" '
        'aria-label="LINE"></a></div>\n',
        f'<div class="question">\n<h2 class="q-title">{_e(article.title)}</h2>\n',
        '<div class="q-body">' + "".join(f"<p>{_e(line)}</p>" for line in article.body),
        "</div>\n",
        _asker_line(article),
        '</div>\n<div class="answers">\n',
    ]
    parts.extend(_reply(reply, article.jsonld) for reply in article.replies)
    if not article.replies and article.notice:
        parts.append(f'<div class="no-answer">{_e(article.notice)}</div>\n')
    parts.append("</div>\n")
    if article.explanation:
        parts.append('<section class="more-info">\n<h2>More Info</h2>\n')
        parts.extend(_block(block) for block in article.explanation)
        parts.append("</section>\n")
    if article.similar:
        parts.append('<section class="similar">\n<h2>Similar Q&amp;A</h2>\n')
        parts.extend(
            _similar_item(resolve(t), as_link=(article.id + n) % 2 == 0)
            for n, t in enumerate(article.similar)
        )
        parts.append("</section>\n")
    if article.faq_topics:
        parts.append('<section class="related-faq">\n<h2>Related FAQ</h2>\n')
        for topic in article.faq_topics:
            parts.append(
                f'<div class="faq-topic"><a href="/en/faq/{slugify(topic)}">{_e(topic)}</a></div>'
                f'<div class="faq-dept">({_e(department.name)})</div>\n'
            )
        parts.append("</section>\n")
    parts.append("</article>\n</main>\n")
    parts.append(_footer())
    return "".join(parts)


def link_list_page(title: str, heading: str, intro: str, links: Sequence[tuple[str, str]]) -> str:
    """A page that is not an article: FAQ topics, listings, the home page."""
    items = "".join(f'<li><a href="{_a(href)}">{_e(text)}</a></li>\n' for href, text in links)
    return (
        _head(title, "utf-8", None)
        + _header("/en/")
        + f'<main class="list-page">\n<h1>{_e(heading)}</h1>\n<p>{_e(intro)}</p>\n'
        + f'<ul class="links">\n{items}</ul>\n</main>\n'
        + _footer()
    )


def message_page(title: str, heading: str, message: str) -> str:
    """Not found, sign-in and search pages: a heading and one sentence."""
    return (
        _head(title, "utf-8", None)
        + _header("/en/")
        + f'<main class="message">\n<h1>{_e(heading)}</h1>\n<p>{_e(message)}</p>\n</main>\n'
        + _footer()
    )
