"""The import tests' shared input: one real wget WARC per session."""

from __future__ import annotations

import pytest
from wget_site import WgetCapture, wget_warc_in


@pytest.fixture(scope="session")
def wget_warc(tmp_path_factory: pytest.TempPathFactory) -> WgetCapture:
    return wget_warc_in(tmp_path_factory.mktemp("wget"))
