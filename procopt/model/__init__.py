"""Stage 3 (model): learn a simulation model from an event log (``calibrate``) and store it (``io``)."""
