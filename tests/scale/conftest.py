"""Fixtures for the scale tests: a small queueing model with a known answer, saved as YAML for CLI runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from procopt.model.types import (
    Activity,
    Arrivals,
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


def make_queue_model(rho: float = 0.75) -> SimulationModel:
    """Orders (exponential gaps of 1 h) -> Check (2 people, utilisation ``rho``) -> Ship (unlimited)."""
    gap = 3600.0
    return SimulationModel(
        arrivals=Arrivals({}, interarrival=Distribution("exponential", {"mean_s": gap})),
        activities={
            "Check": Activity("Check", "credit", Distribution("exponential", {"mean_s": 2 * gap * rho})),
            "Ship": Activity("Ship", "dispatch", Distribution("fixed", {"value_s": 600.0})),
        },
        pools={"credit": Pool("credit", 2, "24/7", ("ann", "bob")), "dispatch": Pool("dispatch", None, "24/7")},
        calendars={"24/7": Calendar.always()},
        routing=Routing(
            (
                Decision("START", (Branch({"Check": 1.0}),)),
                Decision("Check", (Branch({"Ship": 1.0}),)),
                Decision("Ship", (Branch({"END": 1.0}),)),
            )
        ),
        attributes=CaseAttributes(("order_value",), ((100.0,), (900.0,))),
        due=DuePolicy("sla", sla_s=8 * 3600.0),
        delivery_activity="Ship",
    )


@pytest.fixture()
def queue_model() -> SimulationModel:
    return make_queue_model()


@pytest.fixture(scope="session")
def model_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The queue model as a YAML file, as ``procopt simulate`` reads it."""
    from procopt.model.io import save_model

    path = tmp_path_factory.mktemp("model") / "queue.yaml"
    save_model(make_queue_model(), path)
    return path


@pytest.fixture(scope="session")
def plus_one_yaml(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario adding one person to the Check pool."""
    path = tmp_path_factory.mktemp("scenario") / "plus_one.yaml"
    path.write_text("name: plus_one\nchanges:\n  - capacity: {activity: Check, add: 1}\n", encoding="utf-8")
    return path
