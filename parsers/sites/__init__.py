"""One package per site the archive has a parser for; ``parsers.sites.<name>`` holds all
that site's knowledge (hosts, URL shapes, labels, parser)."""
