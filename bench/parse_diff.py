"""Differential guard for parser speed work: the same pages through two versions of
``parsers/``, records (with their warnings) and flattened lines compared one by one.

A speed change must not change what the parser extracts, and the fixture tests only see
the fixtures. This script parses a wider corpus with the working tree's ``parsers`` and with
another revision's (``git archive``), each in its own interpreter, and reports every page
whose record, error or flattened lines differ:

* every fixture page, and every fixture page through the metamorphic rewrites of
  ``tests/parsers/test_parse_metamorphic.py`` (framework-split text, blog theme, hidden
  copies, ``<base href>``, re-encoding...);
* the unseen-markup variants of ``tests/parsers/test_parse_unseen_markups.py``;
* demo-site pages: every article of a site with every fault the site renders into the page
  (Big5, wrong content types), every article at later epochs (edits, deletions), the same
  pages grown to real-page size (``bench/parse.py``), cut short as a truncated transfer
  would leave them, and the site's other pages (home, listings, FAQ, not found, sign-in);
* a few hostile pages (deep nesting, thousands of attributes, a megabyte of text).

    .venv/bin/python bench/parse_diff.py [--against REV] [--demo-pages N] [--show N]

Exit status: 0 when every record is identical, 1 when one differs (lines that differ but
give the same records are reported, not failed: the record is the contract).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import pickle
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]

Page = tuple[str, bytes, str, dict[str, str] | None, str | None]  # name, body, url, headers, site


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _fixtures() -> list[Page]:
    pages = []
    for page in sorted(ROOT.glob("fixtures/**/page.html")):
        meta = json.loads((page.parent / "meta.json").read_text(encoding="utf-8"))
        name = f"fixture:{page.parent.relative_to(ROOT / 'fixtures').as_posix()}"
        pages.append((name, page.read_bytes(), meta["url"], meta.get("headers"), meta.get("site")))
    return pages


def _rewritten_fixtures() -> list[Page]:
    tests = _module(ROOT / "tests" / "parsers" / "test_parse_metamorphic.py")
    pages = []
    for case in tests.CASES:
        meta, html, encoding, _ = tests._case(case)
        for name, rewrite in sorted(tests._rewrites(case).items()):
            body = rewrite(html).encode(encoding, "xmlcharrefreplace")
            pages.append((f"rewrite:{case}:{name}", body, meta["url"], meta.get("headers"), None))
        legacy = tests._legacy_encoding(html)
        pages.append(
            (
                f"rewrite:{case}:{legacy}",
                tests._reencode(html, legacy),
                meta["url"],
                {"Content-Type": "text/html"},
                meta.get("site"),
            )
        )
    return [
        (name, body, url, headers, site or _site(url)) for name, body, url, headers, site in pages
    ]


def _site(url: str) -> str | None:
    return "doctorqna" if "doctorqna" in url else None


def _unseen_markups() -> list[Page]:
    tests = _module(ROOT / "tests" / "parsers" / "test_parse_unseen_markups.py")
    headers = {"Content-Type": "text/html; charset=utf-8"}
    return [
        (f"unseen:{name}", page.encode("utf-8"), tests.URL, headers, None)
        for name, page in sorted(tests.CASES.items())
    ]


def _demo(count: int) -> list[Page]:
    from demo_site import DemoSite, DemoSiteConfig
    from demo_site.config import FAULT_TYPES

    bench = _module(ROOT / "bench" / "parse.py")
    pages: list[Page] = []
    site = DemoSite(DemoSiteConfig(pages=count, fault_rate=0.5, faults=FAULT_TYPES))
    for epoch in (1, 2, 3):
        site.set_epoch(epoch)
        for article_id in site.article_ids():
            page = site.page(site.path_for(article_id))
            if page.body:
                name = f"demo:e{epoch}:{article_id}"
                pages.append((name, page.body, site.url_for(article_id), page.headers, "doctorqna"))
    site.set_epoch(1)
    for route in ("/", "/en/", "/search", "/en/private/x", "/en/nowhere", "/en/latest/1"):
        page = site.page(route)
        pages.append((f"demo:{route}", page.body, site.base_url + route, page.headers, "doctorqna"))
    first = [page for page in pages if page[0].startswith("demo:e1:")]
    grown = bench.real_size_pages([(body, url, h, s) for _, body, url, h, s in first])
    pages += [(f"grown:{name[7:]}", *page) for (name, *_), page in zip(first, grown, strict=True)]
    pages += [
        (f"truncated:{name[7:]}", body[: len(body) * 2 // 3], url, headers, site_name)
        for name, body, url, headers, site_name in first[:50]
    ]
    return pages


def _hostile() -> list[Page]:
    url = "https://doctorqna.com/en/article/1"
    head = b"<html><head><title>t</title></head><body>"
    return [
        ("hostile:deep-divs", head + b"<div>x" * 20_000 + b"</div>" * 20_000, url, None, None),
        ("hostile:deep-spans", head + b"<span>x" * 20_000, url, None, None),
        (
            "hostile:attributes",
            head + b"<div " + b" ".join(b"a%d=1" % i for i in range(20_000)) + b">x</div>",
            url,
            None,
            None,
        ),
        ("hostile:megabyte", head + b"<p>" + b"word " * 200_000 + b"</p>", url, None, None),
    ]


def corpus(demo_pages: int) -> list[Page]:
    return _fixtures() + _rewritten_fixtures() + _unseen_markups() + _demo(demo_pages) + _hostile()


def dump(tree: Path, pages_file: Path, out_file: Path) -> None:
    """Run in a child interpreter whose ``parsers`` is the one under ``tree``."""
    sys.path.insert(0, str(tree))
    from parsers import ParseError, parse
    from parsers.decode import markup_of
    from parsers.lines import load

    def _label_words(url: str, site: str | None) -> tuple[tuple[str, ...], ...]:
        """The site's label words as ``parse`` passes them to ``load`` (none before the
        site registry had them)."""
        try:
            from parsers import sites
        except ImportError:
            return ()
        plugin = (sites.by_name(site) if site else sites.for_url(url)) or sites.GENERIC
        words = getattr(plugin, "label_words", None)
        return () if words is None else (words,)

    pages: list[Page] = pickle.loads(pages_file.read_bytes())
    with out_file.open("w", encoding="utf-8") as out:
        for name, body, url, headers, site in pages:
            try:
                record = parse(body, url, headers, site=site).to_dict()
            except ParseError as error:
                record = {"error": type(error).__name__, "message": str(error)}
            try:
                doc = load(markup_of(body, headers), *_label_words(url, site))
                lines = {
                    "lines": [_plain(line) for line in doc.lines],
                    "regions": [_plain(region) for region in doc.regions],
                    "spans": sorted(set(doc.spans)),
                    "link_titles": doc.link_titles,
                }
            except ParseError as error:
                lines = {"error": type(error).__name__}
            out.write(json.dumps({"name": name, "record": record, "lines": lines}) + "\n")


def _plain(value: object) -> dict:
    return {slot: getattr(value, slot) for slot in type(value).__slots__}


def _run(tree: Path, pages_file: Path, out_file: Path) -> list[dict]:
    subprocess.run(
        [sys.executable, __file__, "--dump", str(tree), str(pages_file), str(out_file)],
        check=True,
        cwd=tree,
    )
    with out_file.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def _git(*arguments: str) -> bytes:
    return subprocess.run(
        ["git", "-C", str(ROOT), *arguments], check=True, capture_output=True
    ).stdout


def _first_difference(old: object, new: object, path: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{path}.{key}")
    if isinstance(old, list) and isinstance(new, list):
        for index, (a, b) in enumerate(zip(old, new, strict=False)):
            if a != b:
                return _first_difference(a, b, f"{path}[{index}]")
        if len(old) != len(new):
            return f"{path}: {len(old)} items -> {len(new)} items"
    return f"{path}: {old!r:.200} -> {new!r:.200}"


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument(
        "--against",
        help="git revision to compare with (default: where this branch left main, so only "
        "the branch's own changes show)",
    )
    options.add_argument("--demo-pages", type=int, default=300)
    options.add_argument("--show", type=int, default=10, help="differences shown per kind")
    options.add_argument(
        "--dump", nargs=3, metavar=("TREE", "PAGES", "OUT"), help=argparse.SUPPRESS
    )
    args = options.parse_args()
    if args.dump:
        dump(*(Path(part) for part in args.dump))
        return
    sys.path.insert(0, str(ROOT))
    against = args.against or _git("merge-base", "HEAD", "main").decode().strip()
    pages = corpus(args.demo_pages)
    with tempfile.TemporaryDirectory() as temp:
        work = Path(temp)
        old_tree = work / "old"
        old_tree.mkdir()
        archive = _git("archive", against, "parsers")
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(old_tree, filter="data")
        pages_file = work / "pages.pickle"
        pages_file.write_bytes(pickle.dumps(pages))
        old = _run(old_tree, pages_file, work / "old.jsonl")
        new = _run(ROOT, pages_file, work / "new.jsonl")
    records = [(a, b) for a, b in zip(old, new, strict=True) if a["record"] != b["record"]]
    lines = [(a, b) for a, b in zip(old, new, strict=True) if a["lines"] != b["lines"]]
    print(f"{len(pages)} pages compared with {against}")
    for kind, differ in (("records", records), ("lines", lines)):
        print(f"{len(differ)} pages whose {kind} differ")
        for a, b in differ[: args.show]:
            key = "record" if kind == "records" else "lines"
            print(f"  {a['name']}: {_first_difference(a[key], b[key])}")
    raise SystemExit(1 if records else 0)


if __name__ == "__main__":
    main()
