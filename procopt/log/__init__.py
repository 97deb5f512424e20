"""Stage 1 — ingest: read ERP event logs, map their columns, normalise to activity instances, audit quality.

Public API (imported lazily, so ``import procopt.log.columns`` stays light):

- :func:`read_log` / :class:`EventLog` (``procopt.log.read``)
- :func:`audit_log` / :class:`AuditReport` / :class:`Finding` (``procopt.log.audit``)
- :func:`guess_mapping` / :func:`resolve_mapping` / :func:`parse_map_option` (``procopt.log.mapping``)
"""

from __future__ import annotations

from typing import Any

_EXPORTS = {
    "read_log": "procopt.log.read",
    "EventLog": "procopt.log.read",
    "audit_log": "procopt.log.audit",
    "AuditReport": "procopt.log.audit",
    "Finding": "procopt.log.audit",
    "guess_mapping": "procopt.log.mapping",
    "resolve_mapping": "procopt.log.mapping",
    "parse_map_option": "procopt.log.mapping",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'procopt.log' has no attribute {name!r}")
