"""Workflows behind the CLI that combine the layers: re-parsing archived captures with the
current parsers and drawing the archive's statistics.

They live above ``storage`` (which only stores and queries) and beside the CLI (which only
parses options and renders), so a workflow can be called from a command, a test or a script.
"""
