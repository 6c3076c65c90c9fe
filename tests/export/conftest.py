"""The ``rows`` fixture for export tests (data lives in ``export_rows``)."""

from __future__ import annotations

from typing import Any

import pytest
from export_rows import make_row


@pytest.fixture
def rows() -> list[dict[str, Any]]:
    return [make_row(i) for i in range(25)]
