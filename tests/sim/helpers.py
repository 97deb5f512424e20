"""Hand-written models for engine tests (known answers)."""

from __future__ import annotations

from procopt.model.types import (
    Activity,
    Arrivals,
    BatchRule,
    Branch,
    Calendar,
    CaseAttributes,
    Decision,
    Distribution,
    DuePolicy,
    Pool,
    Routing,
    SimulationModel,
)

OFFICE = Calendar("office", dict.fromkeys(("Mon", "Tue", "Wed", "Thu", "Fri"), (("08:00", "17:00"),)))


def fixed(seconds: float) -> Distribution:
    return Distribution("fixed", {"value_s": seconds})


def chain(names: list[str], nexts: dict[str, dict[str, float]] | None = None) -> Routing:
    """Routing START -> names[0] -> names[1] -> ... -> END (or ``nexts`` overrides)."""
    decisions = [Decision("START", (Branch({names[0]: 1.0}),))]
    for a, b in zip(names, [*names[1:], "END"], strict=True):
        decisions.append(Decision(a, (Branch((nexts or {}).get(a, {b: 1.0})),)))
    return Routing(tuple(decisions))


def two_step_model(
    *,
    gap_s: float = 600.0,
    d1: float = 900.0,
    d2: float = 300.0,
    capacity: int | None = 1,
    calendar: Calendar | None = None,
    batch: BatchRule | None = None,
) -> SimulationModel:
    """Orders every ``gap_s``; 'Enter' (pool clerks, fixed d1) then 'Check' (pool checkers, fixed d2)."""
    cal = calendar or Calendar.always()
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=fixed(gap_s)),
        activities={
            "Enter": Activity("Enter", "clerks", fixed(d1)),
            "Check": Activity("Check", "checkers", fixed(d2), batch=batch),
        },
        pools={
            "clerks": Pool("clerks", capacity, cal.name, ("ann",)),
            "checkers": Pool("checkers", capacity, cal.name, ("bob",)),
        },
        calendars={cal.name: cal},
        routing=chain(["Enter", "Check"]),
        attributes=CaseAttributes(("order_value",), ((100.0,), (9000.0,)), (86_400.0, 3 * 86_400.0)),
        due=DuePolicy("offset"),
        delivery_activity="Check",
    )


def batch_mix_model(*, size: int = 8, printers: int = 1, gap_s: float = 1800.0) -> SimulationModel:
    """A known mix of batching: 'Receive' (two clerks, no batch) -> 'Print' (released when ``size`` wait,
    by ``printers`` people) -> 'Sign' (a director, released daily at 16:00 Mon-Fri). Always open, so the
    only waits are the two batches and queueing."""

    def uniform(low: float, high: float) -> Distribution:
        return Distribution("uniform", {"low_s": low, "high_s": high})

    team = tuple(f"printer {i + 1}" for i in range(printers))
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": gap_s})),
        activities={
            "Receive": Activity("Receive", "desk", uniform(300.0, 900.0)),
            "Print": Activity("Print", "printers", uniform(60.0, 120.0), batch=BatchRule((), (), size=size)),
            "Sign": Activity(
                "Sign",
                "director",
                uniform(30.0, 90.0),
                batch=BatchRule(("16:00",), ("Mon", "Tue", "Wed", "Thu", "Fri")),
            ),
        },
        pools={
            "desk": Pool("desk", 2, "24/7", ("ann", "bob")),
            "printers": Pool("printers", printers, "24/7", team),
            "director": Pool("director", 1, "24/7", ("dora",)),
        },
        calendars={"24/7": Calendar.always()},
        routing=chain(["Receive", "Print", "Sign"]),
    )
