"""How the project introduces itself to the sites it fetches from.

One place for the user agent so the crawler, ``healthqa fixture add`` and any other fetch
send the same, configurable identity with a way to contact the operator.
"""

from __future__ import annotations

import os

PROJECT_URL = "https://github.com/healthqa-archive/healthqa-archive"

#: Overridable per deployment so site owners reach whoever runs the crawl.
CONTACT_URL = os.environ.get("HEALTHQA_CONTACT_URL", PROJECT_URL)

USER_AGENT = os.environ.get(
    "HEALTHQA_USER_AGENT",
    f"healthqa-archive/0.1 (+{CONTACT_URL}; research archive crawler)",
)
