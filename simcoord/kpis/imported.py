"""KPIs of a log read from outside the lab (``simcoord.log.read``), by the same code as a run's.

The one rule for such logs, kept here: a KPI is reported only if :data:`FROM_THE_LOG` lists it and
the mapping provides everything it reads (the steps, and the case attributes written ``column:``).
Every other KPI is n/a (NaN): utilisation needs staffing, costs need rates and policies, SLA shares
need the company's targets, and counts of what the mapping cannot name (pool releases, meetings,
disputes...) would read 0 when the truth is "not recorded". A real log never gets a number from
the minimal scenario that lets the KPI code run.
"""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.registry import KPIS, compute_kpis
from simcoord.log.read import ImportedLog
from simcoord.scenario.calendar import WorkCalendar

#: KPI -> what the log must provide for it: mapped steps, and ``column:NAME`` for a case attribute.
FROM_THE_LOG: dict[str, tuple[str, ...]] = {
    "leads_created": ("created",),
    "mql": ("mql",),
    "sql": ("sql",),
    "won": ("won",),
    "lost": ("lost",),
    "open_at_end": ("created", "won", "discarded"),
    "mql_quality_pct": ("mql", "column:grade"),
    "conversion_mql_to_sql": ("sql", "invalid"),
    "conversion_sql_to_won": ("sql", "won"),
    "conversion_lead_to_won": ("created", "won"),
    "first_touch_median_hours": ("mql", "first_touch"),
    "first_touch_p90_hours": ("mql", "first_touch"),
    "recycled": ("recycled",),
    "dormant": ("dormant",),
    "discarded": ("discarded",),
    "revenue": ("won", "column:value"),
    "sales_cycle_days": ("mql", "won"),
    "orders": ("order_created",),
    "order_lead_time_days": ("order_created", "delivered"),
    "service_response_hours": ("ticket_opened", "ticket_response"),
}


def provided(log: ImportedLog) -> set[str]:
    """What ``log``'s mapping provides, in the words of :data:`FROM_THE_LOG`."""
    return {*log.mapping.steps, *(f"column:{name}" for name in log.mapping.columns.attributes())}


def supported(log: ImportedLog) -> list[str]:
    """The KPIs ``log`` supports, in the order of :data:`~simcoord.kpis.registry.KPIS`."""
    has = provided(log)
    return [name for name in KPIS if name in FROM_THE_LOG and set(FROM_THE_LOG[name]) <= has]


def imported_log_kpis(log: ImportedLog) -> pd.Series:
    """Every KPI of :data:`~simcoord.kpis.registry.KPIS` for ``log``, computed by
    :func:`~simcoord.kpis.registry.compute_kpis` over the log's whole span; the ones it cannot
    support are NaN (printed n/a)."""
    scenario = log.scenario()
    kpis = compute_kpis(log.events, scenario, log.days, WorkCalendar(scenario.calendar, int(log.days)))
    return kpis.where(kpis.index.isin(supported(log)))
