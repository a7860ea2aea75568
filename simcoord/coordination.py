"""How the departments coordinate: the policy levers' effects on decisions.

The departments' processes ask this object every policy-dependent question (what
threshold marketing scores against, which lead a rep works first, when production
hears about the sales forecast). Keeping those rules here keeps the department
modules about the process and makes every lever traceable to one place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Generator

from simcoord.entities import Lead, Order

if TYPE_CHECKING:
    from simcoord.model import Model

HOURS_PER_DAY = 24.0


class Coordination:
    """Baseline coordination: information moves only at meetings, no incentives beyond
    each department's own results, no escalation machinery."""

    def __init__(self, model: "Model") -> None:
        self.model = model
        self.policy = model.scenario.policy

    # ------------------------------------------------------------ marketing
    def mql_threshold(self) -> float:
        return self.model.scenario.marketing.mql_threshold

    def scoring_noise_sd(self) -> float:
        return self.model.scenario.marketing.scoring_noise_sd

    def hand_over_delay(self, lead: Lead) -> Generator:
        """Time between marketing's MQL decision and sales seeing the lead."""
        return
        yield  # pragma: no cover - makes this a generator

    # ------------------------------------------------------------ sales
    def sales_priority(self, lead: Lead, waiting_since: float) -> float:
        """Queue order of a rep's work (lower first). Baseline: first come, first served."""
        return 0.0

    def settle_disputes(self, lead: Lead, stage: str) -> Generator:
        return
        yield  # pragma: no cover

    # ------------------------------------------------------------ production
    def contract_to_operations(self, order: Order) -> Generator:
        return
        yield  # pragma: no cover

    def batch_units(self) -> float:
        return self.model.scenario.production.batch_units

    # ------------------------------------------------------------ information
    def start(self) -> None:
        """Start the information-sharing processes of the policy."""

    def sync(self, kind: str) -> None:
        """A meeting synchronised ``kind`` of information just now."""
        if kind == "forecast":
            self.model.plant.receive_forecast(as_of=self.model.env.now)
