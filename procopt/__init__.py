"""procopt: process mining and calibrated what-if simulation for ERP event logs.

Pipeline: log (ingest + audit) -> mine (diagnostics) -> model (calibrate) -> scenario -> sim -> report.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
