"""What a demo site looks like: size, seed, epoch and which faults it injects.

One frozen dataclass so a test, the crawler benchmark and ``healthqa demo-site`` describe the
same site with the same values, and so a site can be rebuilt byte for byte from its config.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Every fault the site can inject, in the order ``--faults`` documents them.
FAULT_TYPES: tuple[str, ...] = (
    "500",
    "503",
    "429",
    "slow",
    "reset",
    "truncate",
    "redirect",
    "content_type",
    "big5",
    "oversize",
)


@dataclass(frozen=True, slots=True)
class DemoSiteConfig:
    """Parameters of a deterministic doctorqna-like site.

    ``pages`` is the number of article pages served in epoch 1 (ids start at ``first_id``;
    about 3% of ids in the range are gaps that answer 404). Each later epoch adds
    ``new_ids_per_epoch`` articles above the highest id. ``fault_rate`` is the share of article
    paths that get one fault, chosen among ``faults``; ``oversize_bytes`` is the body size of
    an oversize page, which should exceed the crawler's maximum response size.
    """

    pages: int = 200
    seed: int = 1
    first_id: int = 200000
    epoch: int = 1
    new_ids_per_epoch: int = 20
    fault_rate: float = 0.0
    faults: tuple[str, ...] = FAULT_TYPES
    oversize_bytes: int = 20 * 1024 * 1024
    cache_size: int = 4096

    def __post_init__(self) -> None:
        if self.pages < 1:
            raise ValueError(f"pages must be at least 1, got {self.pages}")
        if self.epoch < 1:
            raise ValueError(f"epoch must be at least 1, got {self.epoch}")
        if self.new_ids_per_epoch < 0:
            raise ValueError(f"new_ids_per_epoch must be >= 0, got {self.new_ids_per_epoch}")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be between 0 and 1, got {self.fault_rate}")
        unknown = [f for f in self.faults if f not in FAULT_TYPES]
        if unknown:
            raise ValueError(f"unknown fault types {unknown}; choose from {', '.join(FAULT_TYPES)}")
        if self.fault_rate > 0 and not self.faults:
            raise ValueError("fault_rate > 0 needs at least one fault type")
