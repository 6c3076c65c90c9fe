"""What the spider hands to the pipeline: one capture and, if the page parsed, its record."""

from __future__ import annotations

from dataclasses import dataclass

from parsers.record import QARecord
from storage.capture import Capture


@dataclass(frozen=True, slots=True)
class PageItem:
    record: QARecord | None
    capture: Capture
