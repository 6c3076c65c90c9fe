"""Research exports: stream rows into JSONL / CSV / Parquet with a manifest, de-identified.

This package knows nothing about how rows are queried; it takes an iterator of flat dicts
described by an ``ExportSchema``. See ``write_export`` for the single entry point.
"""

from storage.export.atomic import OutputExistsError
from storage.export.deidentify import (
    Deidentifier,
    DeidentifyPlan,
    default_key_path,
    load_or_create_key,
)
from storage.export.manifest import ManifestCollector
from storage.export.outpath import ExportWriteError, OutputPathError
from storage.export.schema import Column, ExportSchema, RowError, SchemaError
from storage.export.write import ExportResult, manifest_path_for, write_export
from storage.export.writers import FORMATS

__all__ = [
    "FORMATS",
    "Column",
    "Deidentifier",
    "DeidentifyPlan",
    "ExportResult",
    "ExportSchema",
    "ExportWriteError",
    "ManifestCollector",
    "OutputExistsError",
    "OutputPathError",
    "RowError",
    "SchemaError",
    "default_key_path",
    "load_or_create_key",
    "manifest_path_for",
    "write_export",
]
