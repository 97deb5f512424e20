"""The true order-to-cash process behind ``sample_logs/o2c_orders.csv``.

Stage: generate. An ERP a few weeks after go-live: Sales creates the order and sends the customer's
papers to Finance (a slow hand-off, ~3 working hours); two credit analysts check credit (the injected
bottleneck, ~90 % busy, queueing dominates); the sales manager approves (rejects ~35 % of orders above
20,000, which are revised and approved again: a necessary approval with a threshold); the finance
director approves everything, but only in a daily batch at 16:00 (the redundant approval); the warehouse
checks stock, production makes what is missing (two shifts), quality inspects (8 % rework), the morning
pickers prepare the goods and they leave on the 10:00 or 15:00 truck (the delivery); Billing invoices
once the proof of delivery arrives from Logistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from procopt.generate.arrivals import ArrivalProfile, case_rng, draw_arrivals
from procopt.generate.calendar import DAY_S, Timeline, add_working_days, hhmm, is_working_day
from procopt.generate.engine import BatchRelease, Proc, Recorder, gamma_wh, lognormal
from procopt.generate.names import CUSTOMERS
from procopt.generate.world import (
    EARLY_SHIFT,
    OFFICE,
    TWO_SHIFTS,
    CaseRules,
    PoolSpec,
    ResolvedSwitch,
    build_pools,
    case_rules,
)

CREATE = "Create Sales Order"
CREDIT = "Check Credit"
APPROVE_SM = "Approve Order (Sales Manager)"
REVISE = "Revise Order"
APPROVE_FD = "Approve Order (Finance Director)"
STOCK = "Check Stock"
PRODUCE = "Produce"
INSPECT = "Inspect Quality"
REWORK = "Rework"
PICK = "Pick Goods"
SHIP = "Ship Goods"
INVOICE = "Create Invoice"
ACTIVITIES = (CREATE, CREDIT, APPROVE_SM, REVISE, APPROVE_FD, STOCK, PRODUCE, INSPECT, REWORK, PICK, SHIP, INVOICE)
SLOT = {a: i for i, a in enumerate(ACTIVITIES)}
INFO_SLOT = len(ACTIVITIES)  # hand-off delays: Sales -> Finance (0), Logistics -> Finance (1)

POOLS = (
    PoolSpec("Sales Reps", "Sales", 4, OFFICE, (CREATE, REVISE)),
    PoolSpec("Credit Analysts", "Finance", 2, OFFICE, (CREDIT,)),
    PoolSpec("Sales Managers", "Sales", 2, OFFICE, (APPROVE_SM,)),
    PoolSpec("Finance Director", "Finance", 1, OFFICE, (APPROVE_FD,)),
    PoolSpec("Warehouse Clerks", "Warehouse", 1, TWO_SHIFTS, (STOCK,), shifts=2),
    PoolSpec("Pickers", "Warehouse", 2, EARLY_SHIFT, (PICK,)),
    PoolSpec("Production Workers", "Production", 8, TWO_SHIFTS, (PRODUCE, REWORK), shifts=2),
    PoolSpec("Quality Inspectors", "Quality", 2, TWO_SHIFTS, (INSPECT,), shifts=2),
    PoolSpec("Dispatchers", "Logistics", 2, OFFICE, (SHIP,)),
    PoolSpec("Billing Clerks", "Finance", 2, OFFICE, (INVOICE,)),
)

#: working-time durations: activity -> (mean seconds, coefficient of variation)
DURATION = {
    CREATE: (15 * 60, 0.5),
    CREDIT: (48 * 60, 1.3),
    APPROVE_SM: (8 * 60, 0.5),
    REVISE: (40 * 60, 0.6),
    APPROVE_FD: (20, 0.3),
    STOCK: (10 * 60, 0.5),
    INSPECT: (30 * 60, 0.4),
    REWORK: (2 * 3600, 0.5),
    PICK: (25 * 60, 0.5),
    SHIP: (90, 0.4),
    INVOICE: (12 * 60, 0.5),
}
PRODUCE_MEAN_S = {"A": 6 * 3600, "B": 12 * 3600, "C": 20 * 3600}
PRODUCE_CV = 0.4
PRODUCT_SHARE = {"A": 0.45, "B": 0.35, "C": 0.20}
OUT_OF_STOCK = {"A": 0.30, "B": 0.40, "C": 0.55}
VALUE_MEDIAN = {"A": 6_000.0, "B": 9_000.0, "C": 15_000.0}
PROMISE_WORKING_DAYS = {"A": 3, "B": 3, "C": 4}
REGIONS = ("North", "South", "East", "West")
PRODUCTS = tuple(PRODUCT_SHARE)
_PRODUCT_CUM = np.cumsum(list(PRODUCT_SHARE.values()))[:-1]
_CUSTOMER_WEIGHTS = 1.0 / np.arange(1, len(CUSTOMERS) + 1) ** 0.8  # a few big customers, a long tail
_CUSTOMER_CUM = (np.cumsum(_CUSTOMER_WEIGHTS) / _CUSTOMER_WEIGHTS.sum())[:-1]

THRESHOLD = 20_000.0
REJECT_FIRST = 0.35
REJECT_AGAIN = 0.15
INSPECT_FAIL = 0.08
HANDOFF_CREDIT = (3 * 3600, 0.8)  # Sales attaches the customer's papers before Finance can check
HANDOFF_INVOICE = (1 * 3600, 0.6)  # the proof of delivery reaches Billing
DIRECTOR_RELEASE = ("16:00",)
TRUCKS = ("10:00", "15:00")

ATTRIBUTES = ("order_value", "region", "product", "customer")

#: the answer key (English; translated for Chinese logs)
TRUTH = {
    "bottleneck_activity": CREDIT,
    "bottleneck_pool": "Credit Analysts",
    "redundant_approval": APPROVE_FD,
    "necessary_approvals": (APPROVE_SM,),
    "threshold_approval": APPROVE_SM,
    "threshold_value": THRESHOLD,
    "batch_activities": {APPROVE_FD: DIRECTOR_RELEASE, SHIP: TRUCKS},
    "delivery_activity": SHIP,
    "rework_activities": (REVISE, REWORK),
    "final_activities": (INVOICE,),
}

PROFILE = ArrivalProfile(
    per_day=17.0,
    weekday_factor=(1.2, 1.05, 1.0, 0.95, 0.8),
    hour_share={8: 0.08, 9: 0.13, 10: 0.15, 11: 0.13, 12: 0.05, 13: 0.10, 14: 0.14, 15: 0.13, 16: 0.09},
)


@dataclass(frozen=True, slots=True)
class Order:
    """Case attributes of one sales order (the due time in simulation seconds)."""

    case: str
    order_value: float
    region: str
    product: str
    customer: str
    due_s: float


def release_times(days: int, holidays: frozenset[int], clocks: tuple[str, ...]) -> list[float]:
    """Absolute release times at the given clock times on every working day."""
    return [d * DAY_S + hhmm(c) for d in range(days) if is_working_day(d, holidays) for c in clocks]


def draw_order(rng: np.random.Generator, case: str, arrival_s: float, holidays: frozenset[int]) -> Order:
    """Attributes of one order from its own stream (always drawn in the same order)."""
    product = PRODUCTS[int(np.searchsorted(_PRODUCT_CUM, rng.random(), side="right"))]
    value = VALUE_MEDIAN[product] * float(np.exp(0.8 * rng.standard_normal()))
    k = int(np.searchsorted(_CUSTOMER_CUM, rng.random(), side="right"))
    due_day = add_working_days(int(arrival_s // DAY_S), PROMISE_WORKING_DAYS[product], holidays)
    return Order(case, round(value, 2), REGIONS[k % 4], product, CUSTOMERS[k][0], due_day * DAY_S + DAY_S - 1)


def _attributes(order: Order) -> dict[str, object]:
    """The attributes a switch's segment can test (e.g. ``product == 'B'``)."""
    return {
        "order_value": order.order_value,
        "region": order.region,
        "product": order.product,
        "customer": order.customer,
    }


class O2CProcess:
    """The O2C true process in one SimPy environment."""

    def __init__(
        self,
        seed: int,
        days: int,
        holidays: frozenset[int],
        removed: frozenset[str],
        extra: dict[str, int],
        scale: dict[str, float],
        arrival_scale: float,
        switches: tuple[ResolvedSwitch, ...] = (),
    ) -> None:
        self.env = simpy.Environment()
        self.seed, self.days, self.holidays = seed, days, holidays
        self.base = CaseRules(removed, scale)
        self.switches = switches
        self.rec = Recorder()
        horizon = days + 90
        later = [(sw.at_s, sw.extra) for sw in switches if any(sw.extra.values())]
        self.pools = build_pools(self.env, POOLS, extra, horizon, holidays, later)
        self.director = BatchRelease(
            self.env, self.pools["Finance Director"], release_times(horizon, holidays, DIRECTOR_RELEASE)
        )
        self.trucks = BatchRelease(self.env, self.pools["Dispatchers"], release_times(horizon, holidays, TRUCKS))
        self.orders: dict[str, Order] = {}
        self.rules: dict[str, CaseRules] = {}
        changes = [(sw.at_s, sw.arrival_scale) for sw in switches if sw.arrival_scale != 1.0]
        self.arrivals = draw_arrivals(seed, "o2c", days, holidays, PROFILE, arrival_scale, changes)
        self.env.process(self._source())

    def case_attributes(self) -> dict[str, dict[str, object]]:
        """Attributes written on every row of a case, in file column order, plus ``due_s``."""
        return {
            c: {
                "order_value": o.order_value,
                "region": o.region,
                "product": o.product,
                "customer": o.customer,
                "due_s": o.due_s,
            }
            for c, o in self.orders.items()
        }

    def run(self) -> None:
        """Simulate until the end of the last day (the moment the log is extracted)."""
        self.env.run(until=self.days * DAY_S)

    def _work(self, pool: str, case: str, activity: str, z: float) -> Proc:
        """Queue for a person of ``pool`` and do ``activity`` (duration from the normal draw ``z``)."""
        return self.pools[pool].work(self.rec, case, activity, self._dur(activity, z, case=case))

    def _dur(self, activity: str, z: float, product: str = "", *, case: str) -> float:
        """Working time of one instance: lognormal, production gamma with a product-dependent mean."""
        factor = self.rules[case].scale.get(activity, 1.0)
        if activity == PRODUCE:
            return gamma_wh(z, PRODUCE_MEAN_S[product], PRODUCE_CV) * factor
        mean, cv = DURATION[activity]
        return lognormal(z, mean, cv) * factor

    def _handoff(self, timeline: Timeline, z: float, spec: tuple[float, float]) -> Proc:
        """Wait (in working time of the receiving side) until the information has arrived."""
        ready = timeline.add_work(self.env.now, lognormal(z, *spec))
        yield self.env.timeout(ready - self.env.now)

    def _source(self) -> Proc:
        for i, (t, candidate) in enumerate(self.arrivals):
            yield self.env.timeout(t - self.env.now)
            rng = case_rng(self.seed, "o2c", candidate)
            order = draw_order(rng, f"SO-{100001 + i}", t, self.holidays)
            z = rng.standard_normal((INFO_SLOT + 1, 4))
            u = rng.random((INFO_SLOT + 1, 4))
            self.orders[order.case] = order
            self.rules[order.case] = case_rules(self.base, self.switches, t, _attributes(order))
            self.env.process(self._order(order, z, u))

    def _order(self, o: Order, z: np.ndarray, u: np.ndarray) -> Proc:
        p, rec, cid = self.pools, self.rec, o.case
        removed = self.rules[cid].removed
        yield from self._work("Sales Reps", cid, CREATE, z[SLOT[CREATE], 0])
        if CREDIT not in removed:
            yield from self._handoff(p["Credit Analysts"].timeline, z[INFO_SLOT, 0], HANDOFF_CREDIT)
            yield from self._work("Credit Analysts", cid, CREDIT, z[SLOT[CREDIT], 0])
        if APPROVE_SM not in removed:
            for attempt in range(4):
                yield from self._work("Sales Managers", cid, APPROVE_SM, z[SLOT[APPROVE_SM], attempt])
                chance = REJECT_FIRST if attempt == 0 else REJECT_AGAIN
                rejected = o.order_value > THRESHOLD and attempt < 3 and u[SLOT[APPROVE_SM], attempt] < chance
                rec.decide(cid, APPROVE_SM, bool(rejected))
                if not rejected:
                    break
                if REVISE not in removed:
                    yield from self._work("Sales Reps", cid, REVISE, z[SLOT[REVISE], attempt])
        if APPROVE_FD not in removed:
            yield from self.director.process(
                rec, cid, APPROVE_FD, self._dur(APPROVE_FD, z[SLOT[APPROVE_FD], 0], case=cid)
            )
            rec.decide(cid, APPROVE_FD, False)
        if STOCK not in removed:
            yield from self._work("Warehouse Clerks", cid, STOCK, z[SLOT[STOCK], 0])
        if u[SLOT[PRODUCE], 0] < OUT_OF_STOCK[o.product] and PRODUCE not in removed:
            work = self._dur(PRODUCE, z[SLOT[PRODUCE], 0], o.product, case=cid)
            yield from p["Production Workers"].work(rec, cid, PRODUCE, work)
        if INSPECT not in removed:
            for attempt in range(3):
                yield from self._work("Quality Inspectors", cid, INSPECT, z[SLOT[INSPECT], attempt])
                if REWORK in removed or attempt == 2 or u[SLOT[INSPECT], attempt] >= INSPECT_FAIL:
                    break
                yield from self._work("Production Workers", cid, REWORK, z[SLOT[REWORK], attempt])
        if PICK not in removed:
            yield from self._work("Pickers", cid, PICK, z[SLOT[PICK], 0])
        if SHIP not in removed:
            yield from self.trucks.process(rec, cid, SHIP, self._dur(SHIP, z[SLOT[SHIP], 0], case=cid))
        if INVOICE not in removed:
            yield from self._handoff(p["Billing Clerks"].timeline, z[INFO_SLOT, 1], HANDOFF_INVOICE)
            yield from self._work("Billing Clerks", cid, INVOICE, z[SLOT[INVOICE], 0])
        rec.finished[cid] = self.env.now


PROCESS = O2CProcess
