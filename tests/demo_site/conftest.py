"""Shared demo sites: built once per session because rendering is the slow part."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from demo_site import DemoServer, DemoSite, DemoSiteConfig, serve_demo_site

PAGES = 300


@pytest.fixture(scope="session")
def site() -> DemoSite:
    """A clean 300-page site (no faults, epoch 1); tests must not change its epoch."""
    return DemoSite(DemoSiteConfig(pages=PAGES, seed=7))


@pytest.fixture
def server() -> Iterator[DemoServer]:
    """A fresh clean server on a free port, with its own request log."""
    with serve_demo_site(DemoSiteConfig(pages=120, seed=7)) as running:
        yield running
