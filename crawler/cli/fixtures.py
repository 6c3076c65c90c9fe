"""``healthqa fixtures check|update`` and ``healthqa fixture add``.

The fixtures are the parsers' oracle, so these commands make the two safe moves easy: see
exactly how the parser's output differs from every expectation, and accept a change only
after its diff has been shown. ``fixture add`` saves a live page, or an archived capture
(``--capture``: the exact bytes and headers the crawler saw, from its WARC record, as
``scrapy savefixture`` does for web-poet page objects), as a new case, with the current
parser's output as a draft expectation for a person to review: from a crawl report's
warning to a failing fixture without re-fetching anything.

Exit codes: 0 all good; 1 a case failed, a fetch failed or a case folder is malformed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import click
import httpx
from sqlalchemy.exc import SQLAlchemyError

from crawler.cli.research_options import archive_options
from crawler.identity import USER_AGENT
from parsers import site_for
from parsers.fixtures import (
    CaseResult,
    FixtureCase,
    FixtureError,
    discover,
    parse_to_text,
    run_case,
    write_case,
    write_expected,
)
from storage import Archive
from storage.engine import DEFAULT_DB_NAME
from storage.research.capture_lookup import CaptureNotFound, find_capture
from storage.warc import WarcReadError, read_response

#: Where generic (schema.org QAPage) cases live when the URL's host has no site parser.
GENERIC_GROUP = "qapage"
#: Response headers that can change how a page decodes or tell when it was published.
KEPT_HEADERS: tuple[str, ...] = ("Content-Type", "Last-Modified", "ETag")
FETCH_TIMEOUT = httpx.Timeout(connect=10.0, read=30.0, write=10.0, pool=10.0)

root_option = click.option(
    "--root",
    default="fixtures",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder holding <site>/<case>/ fixture folders.",
)


def _select(root: Path, names: tuple[str, ...]) -> list[FixtureCase]:
    try:
        return discover(root, names)
    except FixtureError as error:
        raise click.ClickException(str(error)) from error


def _warnings_note(result: CaseResult) -> str:
    """``"  warnings: a, b"`` when the parser's record carries warnings (they are part of the
    expectation too, but a reviewer should see them without reading the JSON)."""
    try:
        warnings = json.loads(result.actual_text).get("warnings") or []
    except ValueError:
        return ""
    return f"  warnings: {', '.join(warnings)}" if warnings else ""


def _show_failure(result: CaseResult) -> None:
    click.secho(f"FAIL {result.case.name}{_warnings_note(result)}", fg="red", bold=True)
    click.echo(result.diff, nl=False)
    if result.detail:
        click.echo(result.detail.rstrip("\n"))


@click.group("fixtures")
def fixtures_group() -> None:
    """Check saved pages against their expected records, or accept new parser output."""


@fixtures_group.command("check")
@click.argument("cases", nargs=-1)
@root_option
def check(cases: tuple[str, ...], root: Path) -> None:
    """Parse every case (or only CASES) and show a diff for each mismatch; exit 1 on any."""
    results = [run_case(case) for case in _select(root, cases)]
    for result in results:
        if result.ok:
            click.echo(f"ok   {result.case.name}{_warnings_note(result)}")
        else:
            _show_failure(result)
    failed = sum(not r.ok for r in results)
    warned = sum(bool(_warnings_note(r)) for r in results)
    click.echo(f"{len(results) - failed} passed, {failed} failed, {warned} with parser warnings")
    if failed:
        raise SystemExit(1)


@fixtures_group.command("update")
@click.argument("cases", nargs=-1)
@root_option
@click.option("--yes", is_flag=True, help="Rewrite without asking (the diffs are still shown).")
def update(cases: tuple[str, ...], root: Path, yes: bool) -> None:
    """Accept the parser's current output as the expectation of every changed case.

    Each diff is printed first; nothing is written until you confirm (or pass --yes).
    """
    changed = [r for r in (run_case(case) for case in _select(root, cases)) if not r.ok]
    if not changed:
        click.echo("Every selected case already matches the parser; nothing to update.")
        return
    for result in changed:
        _show_failure(result)
    names = ", ".join(r.case.name for r in changed)
    if not yes:
        click.confirm(f"Rewrite the expectation of {len(changed)} case(s): {names}?", abort=True)
    for result in changed:
        click.echo(f"wrote {write_expected(result.case.dir, result.actual_text)}")


@click.group("fixture")
def fixture_group() -> None:
    """Add one fixture case."""


@dataclass(frozen=True, slots=True)
class FetchedPage:
    url: str
    body: bytes
    headers: dict[str, str]


def fetch_page(url: str) -> FetchedPage:
    """GET ``url`` as the project identifies itself, following redirects; 2xx or ClickException."""
    try:
        with httpx.Client(
            headers={"User-Agent": USER_AGENT}, timeout=FETCH_TIMEOUT, follow_redirects=True
        ) as client:
            response = client.get(url)
    except httpx.HTTPError as error:
        raise click.ClickException(f"could not fetch {url}: {error}; nothing saved") from error
    if not response.is_success:
        raise click.ClickException(
            f"{response.url} answered {response.status_code} {response.reason_phrase}; "
            "nothing saved (a fixture must hold a page as served successfully)"
        )
    kept = {name: response.headers[name] for name in KEPT_HEADERS if name in response.headers}
    return FetchedPage(url=str(response.url), body=response.content, headers=kept)


def default_case_name(url: str) -> str:
    """A folder name from the URL's last two path segments (``/en/article/1`` -> ``article_1``)."""
    segments = [s for s in urlsplit(url).path.split("/") if s][-2:]
    name = re.sub(r"[^A-Za-z0-9_-]+", "_", "_".join(segments)).strip("_")
    return name or "page"


@fixture_group.command("add")
@click.argument("url", required=False)
@click.option(
    "--capture",
    "capture",
    metavar="ID|URL",
    help="Make the case from an archived capture (the exact bytes and headers the crawler "
    "saw, read from its WARC record) instead of fetching: a capture id as the crawl report "
    "names it, or a page URL (its latest capture).",
)
@click.option("--name", help="Case folder name (default: from the URL, e.g. article_203456).")
@click.option("--site", help="Force this site parser (stored in meta.json); also the group folder.")
@root_option
@click.option("--force", is_flag=True, help="Overwrite an existing case of the same name.")
@archive_options
def add(
    url: str | None,
    capture: str | None,
    name: str | None,
    site: str | None,
    root: Path,
    force: bool,
    db_url: str | None,
    data_dir: str,
) -> None:
    """Save URL (fetched now) or an archived --capture as a new case, with a draft
    expectation from the current parser for you to review."""
    if (url is None) == (capture is None):
        raise click.UsageError("give either a URL to fetch or --capture ID|URL, not both")
    if capture is not None:
        page, meta, site = _archived_page(capture, site, db_url, data_dir)
    else:
        assert url is not None
        page = fetch_page(url)
        meta = {"url": page.url, "headers": page.headers}
        if site:
            meta["site"] = site
        meta["note"] = "Added by `healthqa fixture add`: say here what this case tests."
        meta["fetched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        if page.url != url:
            meta["requested_url"] = url
    group = site or site_for(page.url) or GENERIC_GROUP
    case_dir = root / group / (name or default_case_name(page.url))
    if case_dir.exists() and not force:
        raise click.ClickException(f"{case_dir} already exists; pass --force to overwrite it")
    try:
        saved_meta = write_case(case_dir, page.body, meta)
        actual, detail = parse_to_text(page.body, saved_meta)
        expected_path = write_expected(case_dir, actual)
    except FixtureError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"saved {case_dir} ({len(page.body)} bytes from {page.url})")
    if detail:
        click.echo(f"the parser raised: {detail.splitlines()[-1]}")
    warnings = json.loads(actual).get("warnings") or []
    if warnings:
        click.echo(f"the parser is unsure of this page: {', '.join(warnings)}")
    click.secho(
        f"Review {expected_path} against the page by hand before committing: it records what "
        "the parser does today, not what the page says.",
        fg="yellow",
    )


def _archived_page(
    capture: str, site: str | None, db_url: str | None, data_dir: str
) -> tuple[FetchedPage, dict[str, object], str | None]:
    """The page as archived: body and headers from the capture's WARC record, and the meta
    that says where it came from (``site`` is kept when the URL's host alone would not
    choose the parser that read it, as for the demo site on 127.0.0.1)."""
    if db_url is None and not (Path(data_dir) / DEFAULT_DB_NAME).is_file():
        raise click.ClickException(
            f"no archive in {data_dir} (archive.sqlite is missing): give --data-dir or --db"
        )
    try:
        archive = Archive.open(db_url, data_dir=data_dir)
    except (SQLAlchemyError, OSError) as error:
        raise click.ClickException(f"cannot open the archive: {error}") from error
    try:
        found = find_capture(archive, capture)
    except CaptureNotFound as error:
        raise click.ClickException(str(error)) from error
    finally:
        archive.close()
    try:
        response = read_response(data_dir, found.warc_file, found.warc_offset, found.warc_length)
    except WarcReadError as error:
        raise click.ClickException(f"capture {found.id}: {error}") from error
    headers = {k: v for k, v in response.headers.items() if k in KEPT_HEADERS}
    site = site or (found.site if site_for(found.url) != found.site else None)
    meta: dict[str, object] = {"url": found.url, "headers": headers}
    if site:
        meta["site"] = site
    meta["note"] = "Added by `healthqa fixture add --capture`: say here what this case tests."
    meta["fetched_at"] = found.fetched_at.isoformat(timespec="seconds")
    meta["capture_id"] = found.id
    meta["warc"] = f"{found.warc_file}@{found.warc_offset}"
    if found.warnings:
        meta["archived_warnings"] = list(found.warnings)
    page = FetchedPage(url=found.url, body=response.body, headers=headers)
    return page, meta, site


commands: list[click.Command] = [fixtures_group, fixture_group]
