"""Stage 1 — ingest: read ERP event logs, map their columns, normalise to activity instances, audit quality."""
