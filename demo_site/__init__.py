"""An offline, deterministic doctorqna-like site for crawl tests, demos and benchmarks.

There is no internet in CI, so the crawler is tested end to end against this site on
127.0.0.1. It knows its own ground truth: ``DemoSite.record(id)`` is exactly the record the
parser must extract from the page it serves, and fault plans and epoch change sets say
exactly what a crawl must end up holding.
"""

from demo_site.config import FAULT_TYPES, DemoSiteConfig
from demo_site.content import EpochChanges
from demo_site.ehospital import EHospitalSite
from demo_site.faults import Fault
from demo_site.server import DemoServer, LogSnapshot, RequestLog, serve_demo_site
from demo_site.site import DemoSite, Page

__all__ = [
    "FAULT_TYPES",
    "DemoServer",
    "DemoSite",
    "DemoSiteConfig",
    "EHospitalSite",
    "EpochChanges",
    "Fault",
    "LogSnapshot",
    "Page",
    "RequestLog",
    "serve_demo_site",
]
