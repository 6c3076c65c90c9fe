"""``healthqa fixtures check|update`` and ``healthqa fixture add``.

The fixtures are the parsers' oracle, so these commands make the two safe moves easy: see
exactly how the parser's output differs from every expectation, and accept a change only
after its diff has been shown. ``fixture add`` captures a live page as a new case, with the
current parser's output as a draft expectation for a person to review.

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
@click.argument("url")
@click.option("--name", help="Case folder name (default: from the URL, e.g. article_203456).")
@click.option("--site", help="Force this site parser (stored in meta.json); also the group folder.")
@root_option
@click.option("--force", is_flag=True, help="Overwrite an existing case of the same name.")
def add(url: str, name: str | None, site: str | None, root: Path, force: bool) -> None:
    """Fetch URL and save it as a new case with a draft expectation from the current parser."""
    group = site or site_for(url) or GENERIC_GROUP
    case_dir = root / group / (name or default_case_name(url))
    if case_dir.exists() and not force:
        raise click.ClickException(f"{case_dir} already exists; pass --force to overwrite it")
    page = fetch_page(url)
    meta: dict[str, object] = {"url": page.url, "headers": page.headers}
    if site:
        meta["site"] = site
    meta["note"] = "Added by `healthqa fixture add`: say here what this case tests."
    meta["fetched_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    if page.url != url:
        meta["requested_url"] = url
    try:
        saved_meta = write_case(case_dir, page.body, meta)
        actual, detail = parse_to_text(page.body, saved_meta)
        expected_path = write_expected(case_dir, actual)
    except FixtureError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"saved {case_dir} ({len(page.body)} bytes from {page.url})")
    if detail:
        click.echo(f"the parser raised: {detail.splitlines()[-1]}")
    click.secho(
        f"Review {expected_path} against the page by hand before committing: it records what "
        "the parser does today, not what the page says.",
        fg="yellow",
    )


commands: list[click.Command] = [fixtures_group, fixture_group]
