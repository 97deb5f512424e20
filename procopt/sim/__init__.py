"""Stage 5 (sim): run a ``SimulationModel`` — one replication (``engine``) or an experiment (``experiment``)."""
