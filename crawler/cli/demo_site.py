"""``healthqa demo-site``: serve (or write out) the offline demo site.

Runs in the foreground so a test or benchmark can start it as a subprocess, read the first
line of output for the URL, and stop it with SIGINT/SIGTERM.
"""

from __future__ import annotations

import signal
from pathlib import Path

import click

from demo_site import FAULT_TYPES, DemoSite, DemoSiteConfig, serve_demo_site
from demo_site.ehospital import EHospitalSite

#: The sites the demo serves: doctorqna's English articles, or 台灣e院's Big5 questions.
SITES = ("doctorqna", "ehospital")

#: More pages than this is a typo (a site of this size takes minutes to build in memory).
MAX_DEMO_PAGES = 100_000


def _faults(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in value.split(",") if k.strip())
    unknown = [k for k in kinds if k not in FAULT_TYPES]
    if unknown:
        raise click.BadParameter(f"unknown {unknown}; choose from {','.join(FAULT_TYPES)}")
    return kinds


def write_static_site(site: DemoSite, directory: Path, base_url: str) -> int:
    """Write every public page, robots.txt and sitemap under ``directory``; returns the count.

    Article pages are files without an extension (``en/article/200000``) so their URLs stay
    the same: serve them with a default type of ``text/html``.
    """
    count = 0
    for path, body in site.static_files(base_url):
        target = directory / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
        count += 1
    return count


@click.command("demo-site")
@click.option(
    "--site",
    "site_name",
    type=click.Choice(SITES),
    default="doctorqna",
    show_default=True,
    help="Which site to serve: doctorqna-like articles, or 台灣e院 (ehospital) questions.",
)
@click.option(
    "--pages",
    default=200,
    show_default=True,
    type=click.IntRange(1, MAX_DEMO_PAGES),
    help="Article pages in epoch 1.",
)
@click.option(
    "--port",
    default=8765,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port on 127.0.0.1 (0: any free).",
)
@click.option("--seed", default=1, show_default=True, help="Same seed, same bytes.")
@click.option("--first-id", default=200000, show_default=True, help="Lowest article id.")
@click.option("--fault-rate", default=0.0, show_default=True, help="Share of faulted pages.")
@click.option(
    "--faults",
    default=",".join(FAULT_TYPES),
    show_default=True,
    callback=_faults,
    help="Comma-separated fault types to draw from.",
)
@click.option("--epoch", default=1, show_default=True, help="Content epoch (1, 2, ...).")
@click.option(
    "--new-ids-per-epoch", default=20, show_default=True, help="Articles each epoch adds."
)
@click.option(
    "--oversize-bytes",
    default=20 * 1024 * 1024,
    show_default=True,
    help="Body size of an oversize fault.",
)
@click.option(
    "--static-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write the site as static files here and exit instead of serving.",
)
@click.option(
    "--base-url",
    help="Absolute URL used in robots.txt/sitemaps of --static-dir "
    "(default http://127.0.0.1:PORT).",
)
def demo_site(
    site_name: str,
    pages: int,
    port: int,
    seed: int,
    first_id: int,
    fault_rate: float,
    faults: tuple[str, ...],
    epoch: int,
    new_ids_per_epoch: int,
    oversize_bytes: int,
    static_dir: Path | None,
    base_url: str | None,
) -> None:
    """Serve a deterministic doctorqna-like (or 台灣e院-like) site on 127.0.0.1 until Ctrl-C."""
    try:
        config = DemoSiteConfig(
            pages=pages,
            seed=seed,
            first_id=first_id,
            epoch=epoch,
            new_ids_per_epoch=new_ids_per_epoch,
            fault_rate=fault_rate,
            faults=faults,
            oversize_bytes=oversize_bytes,
        )
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    if site_name == "ehospital":
        if static_dir is not None:
            raise click.UsageError("--static-dir writes the doctorqna site only")
        _serve_ehospital(EHospitalSite(config), port, fault_rate)
        return
    if static_dir is not None:
        base = (base_url or f"http://127.0.0.1:{port}").rstrip("/")
        site = DemoSite(config, base_url=base)
        count = write_static_site(site, static_dir, base)
        click.echo(f"wrote {count} files for {base} to {static_dir}")
        return
    try:
        server = serve_demo_site(config, port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc}") from exc
    # SIGTERM behaves like Ctrl-C so a parent process can stop the server cleanly.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    first, last = server.site.id_range()
    click.echo(f"serving {server.base_url}", nl=True)
    click.echo(
        f"{len(server.site.article_ids())} articles, ids {first}-{last}, epoch {epoch}, "
        f"faults {fault_rate:.0%}; robots {server.base_url}/robots.txt; Ctrl-C to stop",
    )
    server.serve_until_interrupted()


def _serve_ehospital(site: EHospitalSite, port: int, fault_rate: float) -> None:
    try:
        server = serve_demo_site(site, port=port)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port}: {exc}") from exc
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    first, last = site.id_range()
    click.echo(f"serving {server.base_url}", nl=True)
    click.echo(
        f"{len(site.question_ids())} 台灣e院 questions, q_no {first}-{last}, epoch {site.epoch}, "
        f"faults {fault_rate:.0%}; latest {server.base_url}/doctor/Index1.php; Ctrl-C to stop",
    )
    server.serve_until_interrupted()


commands: list[click.Command] = [demo_site]
