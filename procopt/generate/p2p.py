"""The true purchase-to-pay process behind ``sample_logs/p2p_requisitions.csv``.

Stage: generate. A requester raises a purchase requisition; the head of their department approves
(rejects ~6 %, a necessary approval); the procurement manager approves everything, but only in two
one-hour approval windows a day (the redundant approval); the CFO must approve requisitions above
50,000 and rejects about a third of them (a threshold approval); buyers create and send the purchase
order; the supplier delivers after a category-dependent number of working days (the delivery); the
invoice arrives, two accounts-payable clerks match it to PO and goods receipt (the injected bottleneck,
~88 % busy; 10 % price differences go back to the buyer) and treasury pays in the Tuesday and Thursday
14:00 payment runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from procopt.generate.arrivals import ArrivalProfile, case_rng, draw_arrivals
from procopt.generate.calendar import DAY_S, Timeline, add_working_days, hhmm, is_working_day
from procopt.generate.engine import BatchRelease, Pool, Proc, Recorder, lognormal
from procopt.generate.names import SUPPLIERS
from procopt.generate.world import (
    APPROVAL_WINDOWS,
    OFFICE,
    WAREHOUSE,
    CaseRules,
    PoolSpec,
    ResolvedSwitch,
    build_pools,
    case_rules,
)

CREATE_PR = "Create Purchase Requisition"
APPROVE_DH = "Approve Requisition (Department Head)"
APPROVE_PM = "Approve Requisition (Procurement Manager)"
APPROVE_CFO = "Approve Requisition (CFO)"
CREATE_PO = "Create Purchase Order"
SEND_PO = "Send PO to Supplier"
RECEIVE_GOODS = "Receive Goods"
RECEIVE_INVOICE = "Receive Invoice"
MATCH = "Match Invoice"
RESOLVE = "Resolve Price Difference"
PAY = "Pay Invoice"
ACTIVITIES = (
    CREATE_PR,
    APPROVE_DH,
    APPROVE_PM,
    APPROVE_CFO,
    CREATE_PO,
    SEND_PO,
    RECEIVE_GOODS,
    RECEIVE_INVOICE,
    MATCH,
    RESOLVE,
    PAY,
)
SLOT = {a: i for i, a in enumerate(ACTIVITIES)}
DELAY_SLOT = len(ACTIVITIES)  # delays: 0 head's reaction, 1 CFO's reaction, 2 supplier, 3 invoice post

REQUESTER_DEPARTMENTS = ("Engineering", "Maintenance", "IT", "Marketing", "Operations")
PER_DEPARTMENT = 4

POOLS = (
    PoolSpec("Requesters", "Requesting departments", PER_DEPARTMENT * len(REQUESTER_DEPARTMENTS), OFFICE, (CREATE_PR,)),
    PoolSpec("Department Heads", "Requesting departments", len(REQUESTER_DEPARTMENTS), OFFICE, (APPROVE_DH,)),
    PoolSpec("Procurement Manager", "Procurement", 1, APPROVAL_WINDOWS, (APPROVE_PM,)),
    PoolSpec("CFO", "Finance", 1, OFFICE, (APPROVE_CFO,)),
    PoolSpec("Buyers", "Procurement", 3, OFFICE, (CREATE_PO, SEND_PO, RESOLVE)),
    PoolSpec("Goods Receipt Clerks", "Warehouse", 2, WAREHOUSE, (RECEIVE_GOODS,)),
    PoolSpec("Invoice Desk", "Accounts Payable", 1, OFFICE, (RECEIVE_INVOICE,)),
    PoolSpec("AP Clerks", "Accounts Payable", 2, OFFICE, (MATCH,)),
    PoolSpec("Treasury Clerks", "Treasury", 1, OFFICE, (PAY,)),
)

DURATION = {
    CREATE_PR: (15 * 60, 0.5),
    APPROVE_DH: (5 * 60, 0.5),
    APPROVE_PM: (6 * 60, 0.5),
    APPROVE_CFO: (15 * 60, 0.5),
    CREATE_PO: (30 * 60, 0.5),
    SEND_PO: (5 * 60, 0.4),
    RECEIVE_GOODS: (20 * 60, 0.5),
    RECEIVE_INVOICE: (6 * 60, 0.4),
    MATCH: (75 * 60, 1.2),
    RESOLVE: (45 * 60, 0.6),
    PAY: (60, 0.3),
}
HEAD_REACTION = (3 * 3600, 1.0)  # working time until the head opens the approval
CFO_REACTION = (6 * 3600, 0.8)
INVOICE_AFTER_GOODS_DAYS = (1.0, 0.8)  # calendar days from goods receipt to the invoice in the mail

CATEGORY_SHARE = {"Raw Material": 0.30, "MRO": 0.25, "IT Equipment": 0.15, "Services": 0.10, "Office Supplies": 0.20}
CATEGORIES = tuple(CATEGORY_SHARE)
_CATEGORY_CUM = np.cumsum(list(CATEGORY_SHARE.values()))[:-1]
AMOUNT_MEDIAN = {
    "Raw Material": 12_000.0,
    "MRO": 3_000.0,
    "IT Equipment": 8_000.0,
    "Services": 15_000.0,
    "Office Supplies": 800.0,
}
SUPPLIER_DAYS = {"Raw Material": 5.0, "MRO": 3.0, "IT Equipment": 7.0, "Services": 2.0, "Office Supplies": 2.0}
NEED_BY_WORKING_DAYS = {"Raw Material": 7, "MRO": 5, "IT Equipment": 9, "Services": 4, "Office Supplies": 4}
CATEGORY_SUPPLIERS = {
    "Raw Material": (1, 6, 10),
    "MRO": (0, 2, 5),
    "IT Equipment": (3, 8),
    "Services": (9, 11),
    "Office Supplies": (4, 7),
}

HEAD_REJECT = 0.06
THRESHOLD = 50_000.0
CFO_REJECT = 0.33
MATCH_FAIL = 0.10
MATCH_FAIL_AGAIN = 0.03
PAYMENT_RUNS = ("Tue 14:00", "Thu 14:00")

ATTRIBUTES = ("amount", "supplier", "category")

TRUTH = {
    "bottleneck_activity": MATCH,
    "bottleneck_pool": "AP Clerks",
    "redundant_approval": APPROVE_PM,
    "necessary_approvals": (APPROVE_DH, APPROVE_CFO),
    "threshold_approval": APPROVE_CFO,
    "threshold_value": THRESHOLD,
    # the procurement manager works through the approval inbox when a window opens (09:00, 14:00)
    "batch_activities": {APPROVE_PM: tuple(a for a, _ in APPROVAL_WINDOWS.hours), PAY: PAYMENT_RUNS},
    "delivery_activity": RECEIVE_GOODS,
    "rework_activities": (RESOLVE,),
    "notes": {
        "en": (
            "A rejected requisition ends after the rejecting approval (no purchase order).",
            "The wait before Receive Goods is the supplier's delivery time: external, not a resource queue.",
            "The Procurement Manager approves only 09:00-10:00 and 14:00-15:00 (approval windows).",
        ),
        "zh": (
            "被驳回的采购申请在驳回的审批之后结束（不创建采购订单）。",
            "收货前的等待是供应商的交货时间：外部等待，不是资源排队。",
            "采购经理只在 09:00-10:00 和 14:00-15:00 审批（审批时段）。",
        ),
    },
}

PROFILE = ArrivalProfile(
    per_day=12.0,
    weekday_factor=(1.15, 1.05, 1.0, 1.0, 0.8),
    hour_share={8: 0.08, 9: 0.14, 10: 0.15, 11: 0.13, 12: 0.04, 13: 0.11, 14: 0.14, 15: 0.13, 16: 0.08},
)


@dataclass(frozen=True, slots=True)
class Requisition:
    """Case attributes of one purchase requisition."""

    case: str
    amount: float
    supplier: str
    category: str
    department: int
    requester: int
    due_s: float


def payment_runs(days: int, holidays: frozenset[int]) -> list[float]:
    """Payment runs on Tuesdays and Thursdays at 14:00 (working days only)."""
    return [d * DAY_S + hhmm("14:00") for d in range(days) if d % 7 in (1, 3) and is_working_day(d, holidays)]


def draw_requisition(rng: np.random.Generator, case: str, arrival_s: float, holidays: frozenset[int]) -> Requisition:
    """Attributes of one requisition from its own stream (always drawn in the same order)."""
    category = CATEGORIES[int(np.searchsorted(_CATEGORY_CUM, rng.random(), side="right"))]
    amount = AMOUNT_MEDIAN[category] * float(np.exp(1.1 * rng.standard_normal()))
    options = CATEGORY_SUPPLIERS[category]
    supplier = SUPPLIERS[options[int(rng.integers(len(options)))]][0]
    department = int(rng.integers(len(REQUESTER_DEPARTMENTS)))
    requester = int(rng.integers(PER_DEPARTMENT))
    due_day = add_working_days(int(arrival_s // DAY_S), NEED_BY_WORKING_DAYS[category], holidays)
    return Requisition(case, round(amount, 2), supplier, category, department, requester, due_day * DAY_S + DAY_S - 1)


class P2PProcess:
    """The P2P true process in one SimPy environment."""

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
        horizon = days + 120
        later = [(sw.at_s, sw.extra) for sw in switches if any(sw.extra.values())]
        self.pools = build_pools(self.env, POOLS, extra, horizon, holidays, later)
        self.payments = BatchRelease(self.env, self.pools["Treasury Clerks"], payment_runs(horizon, holidays))
        self.requisitions: dict[str, Requisition] = {}
        self.rules: dict[str, CaseRules] = {}
        self.personal: dict[tuple[str, int], Pool] = {}
        changes = [(sw.at_s, sw.arrival_scale) for sw in switches if sw.arrival_scale != 1.0]
        self.arrivals = draw_arrivals(seed, "p2p", days, holidays, PROFILE, arrival_scale, changes)
        self.env.process(self._source())

    def case_attributes(self) -> dict[str, dict[str, object]]:
        """Attributes written on every row of a case, in file column order, plus ``due_s``."""
        return {
            c: {"amount": r.amount, "supplier": r.supplier, "category": r.category, "due_s": r.due_s}
            for c, r in self.requisitions.items()
        }

    def run(self) -> None:
        """Simulate until the end of the last day (the moment the log is extracted)."""
        self.env.run(until=self.days * DAY_S)

    def _work(self, pool: str, case: str, activity: str, z: float) -> Proc:
        """Queue for a person of ``pool`` and do ``activity`` (duration from the normal draw ``z``)."""
        return self.pools[pool].work(self.rec, case, activity, self._dur(activity, z, case=case))

    def _dur(self, activity: str, z: float, *, case: str) -> float:
        mean, cv = DURATION[activity]
        return lognormal(z, mean, cv) * self.rules[case].scale.get(activity, 1.0)

    def _delay(self, timeline: Timeline, z: float, spec: tuple[float, float]) -> Proc:
        ready = timeline.add_work(self.env.now, lognormal(z, *spec))
        yield self.env.timeout(ready - self.env.now)

    def _personal(self, case: str, activity: str, pool_key: str, person: int, department: str, z: float) -> Proc:
        """Work that only one named person can do (the requester, the head of the department): their own queue."""
        key = (pool_key, person)
        if key not in self.personal:
            pool = self.pools[pool_key]
            self.personal[key] = Pool(self.env, pool_key, department, (pool.names[person],), pool.timeline)
        return self.personal[key].work(self.rec, case, activity, self._dur(activity, z, case=case))

    def _source(self) -> Proc:
        for i, (t, candidate) in enumerate(self.arrivals):
            yield self.env.timeout(t - self.env.now)
            rng = case_rng(self.seed, "p2p", candidate)
            req = draw_requisition(rng, f"PR-{200001 + i}", t, self.holidays)
            z = rng.standard_normal((DELAY_SLOT + 1, 4))
            u = rng.random((DELAY_SLOT + 1, 4))
            self.requisitions[req.case] = req
            attributes = {"amount": req.amount, "supplier": req.supplier, "category": req.category}
            self.rules[req.case] = case_rules(self.base, self.switches, t, attributes)
            self.env.process(self._requisition(req, z, u))

    def _requisition(self, r: Requisition, z: np.ndarray, u: np.ndarray) -> Proc:
        p, rec, cid, env = self.pools, self.rec, r.case, self.env
        removed = self.rules[cid].removed
        dept = REQUESTER_DEPARTMENTS[r.department]
        if CREATE_PR not in removed:
            person = r.department * PER_DEPARTMENT + r.requester
            yield from self._personal(cid, CREATE_PR, "Requesters", person, dept, z[SLOT[CREATE_PR], 0])
        if APPROVE_DH not in removed:
            yield from self._delay(p["Department Heads"].timeline, z[DELAY_SLOT, 0], HEAD_REACTION)
            yield from self._personal(cid, APPROVE_DH, "Department Heads", r.department, dept, z[SLOT[APPROVE_DH], 0])
            rejected = bool(u[SLOT[APPROVE_DH], 0] < HEAD_REJECT)
            rec.decide(cid, APPROVE_DH, rejected)
            if rejected:
                rec.finished[cid] = env.now
                return
        if APPROVE_PM not in removed:
            yield from self._work("Procurement Manager", cid, APPROVE_PM, z[SLOT[APPROVE_PM], 0])
            rec.decide(cid, APPROVE_PM, False)
        if r.amount > THRESHOLD and APPROVE_CFO not in removed:
            yield from self._delay(p["CFO"].timeline, z[DELAY_SLOT, 1], CFO_REACTION)
            yield from self._work("CFO", cid, APPROVE_CFO, z[SLOT[APPROVE_CFO], 0])
            rejected = bool(u[SLOT[APPROVE_CFO], 0] < CFO_REJECT)
            rec.decide(cid, APPROVE_CFO, rejected)
            if rejected:
                rec.finished[cid] = env.now
                return
        for act in (CREATE_PO, SEND_PO):
            if act not in removed:
                yield from self._work("Buyers", cid, act, z[SLOT[act], 0])
        days_mean = SUPPLIER_DAYS[r.category]
        supplier_s = lognormal(z[DELAY_SLOT, 2], days_mean * 8 * 3600, 0.4)
        yield from self._delay_work(p["Goods Receipt Clerks"].timeline, supplier_s)
        goods_arrived = env.now
        if RECEIVE_GOODS not in removed:
            yield from self._work("Goods Receipt Clerks", cid, RECEIVE_GOODS, z[SLOT[RECEIVE_GOODS], 0])
        days, cv = INVOICE_AFTER_GOODS_DAYS
        invoice_at = goods_arrived + lognormal(z[DELAY_SLOT, 3], days * DAY_S, cv)
        if invoice_at > env.now:
            yield env.timeout(invoice_at - env.now)
        if RECEIVE_INVOICE not in removed:
            yield from self._work("Invoice Desk", cid, RECEIVE_INVOICE, z[SLOT[RECEIVE_INVOICE], 0])
        if MATCH not in removed:
            for attempt in range(3):
                yield from self._work("AP Clerks", cid, MATCH, z[SLOT[MATCH], attempt])
                chance = MATCH_FAIL if attempt == 0 else MATCH_FAIL_AGAIN
                if RESOLVE in removed or attempt == 2 or u[SLOT[MATCH], attempt] >= chance:
                    break
                yield from self._work("Buyers", cid, RESOLVE, z[SLOT[RESOLVE], attempt])
        if PAY not in removed:
            yield from self.payments.process(rec, cid, PAY, self._dur(PAY, z[SLOT[PAY], 0], case=cid))
        rec.finished[cid] = env.now

    def _delay_work(self, timeline: Timeline, work_s: float) -> Proc:
        ready = timeline.add_work(self.env.now, work_s)
        yield self.env.timeout(ready - self.env.now)


PROCESS = P2PProcess
