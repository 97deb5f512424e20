"""Drawing, on the side of the stages: fonts and charts that only the report and the CLI use.

The analysis stages (mine, model, sim, fidelity) return numbers; turning numbers into pictures happens here so
that no stage depends on matplotlib or on the report.
"""
