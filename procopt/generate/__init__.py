"""generate: sample ERP event logs from a known *true* process, with the answer key.

Stage 0 of procopt (test data). ``generate("o2c")`` runs an order-to-cash process with an injected
credit-check bottleneck, a redundant finance-director approval released daily at 16:00, a necessary
sales-manager approval that rejects only above 20,000, trucks at 10:00 and 15:00, rework loops and a slow
hand-off; ``generate("p2p")`` a purchase-to-pay process with multi-level approvals. Both return a
``GeneratedLog`` whose ``truth`` says what a correct analysis must find. ``Intervention`` reruns the true
process with a change (same seed) so the true effect of a what-if can be measured.
"""

from procopt.generate.generator import generate
from procopt.generate.types import GeneratedLog, GroundTruth, Intervention, PoolTruth, Switch, load_truth

__all__ = ["GeneratedLog", "GroundTruth", "Intervention", "PoolTruth", "Switch", "generate", "load_truth"]
