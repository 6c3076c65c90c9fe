"""Which article paths misbehave, how, and on which attempts.

A fault is a pure function of ``(seed, path)``: tests can list every faulted path before a
crawl and compute exactly what the archive must end up holding. Transient faults hit only the
first attempt(s) of a path so a crawler that retries eventually gets the page; persistent ones
(wrong content type, Big5 encoding) hit every attempt but still deliver the page; an oversize
page is never servable within a sane response-size limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from demo_site.content import digest, unit

#: Faults that change how the page is delivered on every attempt, not whether it arrives.
PERSISTENT: frozenset[str] = frozenset({"content_type", "big5", "oversize"})
#: Seconds a transient 503/429 asks the client to wait.
RETRY_AFTER_SECONDS = 1


@dataclass(frozen=True, slots=True)
class Fault:
    """One path's misbehaviour.

    ``attempts`` is how many first attempts are hit (``None``: every attempt). ``hops`` is
    the length of a redirect chain, ``delay`` the seconds a slow response waits, and
    ``content_type`` the wrong type a ``content_type`` fault announces.
    """

    kind: str
    attempts: int | None
    hops: int = 0
    delay: float = 0.0
    content_type: str | None = None

    def applies(self, attempt: int) -> bool:
        return self.attempts is None or attempt <= self.attempts

    @property
    def on_the_wire(self) -> bool:
        """Whether the HTTP server applies it (False: ``DemoSite.page`` renders it in)."""
        return self.kind not in ("content_type", "big5")

    @property
    def servable(self) -> bool:
        """Whether a crawler with a sane maximum response size eventually gets the page."""
        return self.kind != "oversize"


def plan_fault(seed: int, path: str, rate: float, kinds: tuple[str, ...]) -> Fault | None:
    """The fault for ``path`` under ``rate`` and the enabled ``kinds``, or None."""
    if rate <= 0 or not kinds:
        return None
    d = digest(seed, "fault", path)
    if unit(d, 0) >= rate:
        return None
    kind = kinds[int.from_bytes(d[4:8], "big") % len(kinds)]
    if kind in PERSISTENT:
        wrong_type = ("application/octet-stream", "text/plain; charset=utf-8")[d[8] % 2]
        return Fault(kind, None, content_type=wrong_type if kind == "content_type" else None)
    if kind == "redirect":
        return Fault(kind, 1, hops=1 + d[9] % 3)
    if kind == "slow":
        return Fault(kind, 1, delay=1.0 + d[10] / 255)
    return Fault(kind, 1 + d[11] % 2)
