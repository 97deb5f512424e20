"""Stage 0 (extract): turn ERP tables into an event log (being written; see the ERP extraction issue)."""
