"""Build event logs straight from ERP tables (stage: extract, the first of the pipeline).

``extract(source, recipe)`` reads a folder or .zip of CSV/Parquet table exports, a SQLite file or a live
PostgreSQL database (read-only), runs a recipe (built-in ``sap-o2c``, ``sap-p2p``, ``sap-docflow``,
``northwind``, or a YAML file) in DuckDB, and returns an :class:`Extraction`: the contract event table,
the object-centric instances and the extraction audit. ``write_extraction`` writes it as CSV, Parquet,
XES or OCEL 2.0.
"""

from __future__ import annotations

from procopt.extract.result import Extraction
from procopt.extract.run import extract

__all__ = ["Extraction", "extract"]
