"""Case arrivals and the random streams of the true process.

Stage: generate. Orders come in during office hours, more on Mondays and late mornings. Arrivals are a
thinned Poisson process: candidate arrivals are drawn at a fixed high rate and each is kept with
probability ``scale * rate(t) / rate_max``. The candidates do not depend on ``scale``, so the cases of
the baseline are exactly a subset of the cases of a run with 15 % more volume (common random numbers).
Every case draws its attributes, routing and durations from its own stream, keyed by its candidate
number, so it behaves the same in every intervention.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from procopt.generate.calendar import DAY_S, HOUR_S, is_working_day

#: stream ids (the second and third words of every seed sequence)
KIND_CODE = {"o2c": 1, "p2p": 2}
ARRIVAL_STREAM = 0
CASE_STREAM = 1


@dataclass(frozen=True, slots=True)
class ArrivalProfile:
    """Mean cases per working day, weekday factors (Mon..Fri, mean 1) and the share of each office hour."""

    per_day: float
    weekday_factor: tuple[float, float, float, float, float]
    hour_share: Mapping[int, float]

    def rate_per_hour(self, weekday: int, hour: int) -> float:
        """Expected arrivals in one hour of a weekday."""
        return self.per_day * self.weekday_factor[weekday] * self.hour_share.get(hour, 0.0)


def draw_arrivals(
    seed: int,
    kind: str,
    days: int,
    holidays: frozenset[int],
    profile: ArrivalProfile,
    scale: float,
    changes: Sequence[tuple[float, float]] = (),
) -> list[tuple[float, int]]:
    """Arrival times (simulation seconds) and candidate numbers of all cases in ``days`` days.

    ``changes`` are ``(from_s, factor)`` pairs: from ``from_s`` on (a midnight) the rate is multiplied by
    ``factor`` as well. Up to a total factor of 2 the candidates stay the same, so a run with a change is
    the run without it until the change date.
    """
    rng = np.random.default_rng([seed, KIND_CODE[kind], ARRIVAL_STREAM])
    peak = max(profile.rate_per_hour(w, h) for w in range(5) for h in profile.hour_share)

    def scale_at(t: float) -> float:
        factor = scale
        for at, f in changes:
            if t >= at:
                factor *= f
        return factor

    highest = max([scale] + [scale_at(at) for at, _ in changes])
    rate_max = peak * max(2.0, highest)
    out: list[tuple[float, int]] = []
    candidate = 0
    hours = sorted(profile.hour_share)
    for day in range(days):
        if not is_working_day(day, holidays):
            continue
        for hour in hours:
            n = int(rng.poisson(rate_max))
            offsets = np.sort(rng.random(n)) * HOUR_S
            factor = scale_at(day * DAY_S + hour * HOUR_S)
            keep = rng.random(n) * rate_max < factor * profile.rate_per_hour(day % 7, hour)
            for offset, kept in zip(offsets, keep, strict=True):
                if kept:
                    out.append((day * DAY_S + hour * HOUR_S + float(offset), candidate))
                candidate += 1
    return out


def case_rng(seed: int, kind: str, candidate: int) -> np.random.Generator:
    """The private random stream of one case."""
    return np.random.default_rng([seed, KIND_CODE[kind], CASE_STREAM, candidate])
