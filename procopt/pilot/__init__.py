"""Stage 7 (pilot): plan and follow up a pilot of a simulated option (being written; see the pilot issue)."""
