"""Executors beyond this machine (``procopt.sim.executor`` holds the seam and the local one)."""
