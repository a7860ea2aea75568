"""What a KPI is: its meaning, unit, direction and group (the section it is reported in)."""

from __future__ import annotations

from typing import NamedTuple

#: The KPI groups, in the order reports list them.
GROUPS = ("funnel", "speed and SLAs", "leakage", "revenue and delivery", "service", "workload", "cost", "process")


class KPI(NamedTuple):
    """One KPI's registry entry; its value comes from its group's function."""

    description: str
    unit: str  # "fraction" (in [0, 1]), "hours", "days", "currency", or a count's noun ("leads", "deals"...)
    higher_is_better: bool | None  # None: neither (a volume or a context figure)
    group: str = "other"
    label: str = ""  # the name a person reads ("First-touch SLA met"); empty: derived from the KPI's key
