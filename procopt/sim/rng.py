"""Stage 5 (sim): seeds -> independent, named random streams.

``--seed`` becomes a ``numpy.random.SeedSequence``; each replication gets a child sequence and each purpose
(arrivals, attributes, routing, durations, delays) a stream of its own. A scenario that changes only the
Check Credit capacity therefore sees the very same orders, routes and work contents as the baseline —
common random numbers, which make scenario differences far less noisy. There is no global RNG anywhere.
"""

from __future__ import annotations

import random
import zlib

import numpy as np

PURPOSES: tuple[str, ...] = ("arrivals", "attributes", "routing", "durations", "delays")


def replication_seed(seed: int, replication: int) -> np.random.SeedSequence:
    """The seed sequence of replication ``replication`` (0-based) of an experiment seeded with ``seed``."""
    return np.random.SeedSequence(entropy=int(seed), spawn_key=(int(replication),))


def stream(seq: np.random.SeedSequence, purpose: str, *, key: str = "") -> random.Random:
    """A fast ``random.Random`` for one purpose (and optionally one activity ``key``) of a replication.

    Keys are hashed with CRC32 (stable across runs and Python versions, unlike ``hash``).
    """
    tag = zlib.crc32(f"{purpose}\x00{key}".encode())
    child = np.random.SeedSequence(entropy=seq.entropy, spawn_key=(*seq.spawn_key, tag))
    state = child.generate_state(4, dtype=np.uint32)
    return random.Random(int.from_bytes(state.tobytes(), "little"))
