"""KPIs, computed from the event log only.

Every KPI is declared in :data:`KPIS` with its unit, whether higher is better and its group, so
comparisons can say "better" or "worse". ``compute_kpis`` returns a Series in that order.

Modules: ``summary`` reads the log slice by slice; ``context`` prepares what the groups share;
one module per group (``funnel``, ``speed``, ``leakage``, ``revenue``, ``service``, ``workload``,
``cost``, ``process``) holds its KPIs' entries beside the function that computes them; ``registry`` assembles
them; ``format`` prints them.
"""

from simcoord.kpis.format import format_kpis, format_value, kpi_table
from simcoord.kpis.kpi import GROUPS, KPI
from simcoord.kpis.registry import KPIS, compute_kpis, unknown_kpi

__all__ = ["GROUPS", "KPI", "KPIS", "compute_kpis", "format_kpis", "format_value", "kpi_table", "unknown_kpi"]
