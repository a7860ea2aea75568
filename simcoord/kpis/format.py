"""KPI values as a person reads them: formatted by unit, tabled, and grouped into a report."""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.kpi import GROUPS
from simcoord.kpis.registry import KPIS


def format_value(name: str, value: float) -> str:
    """A KPI value as a person reads it: fractions as %, money with separators."""
    if value != value:  # nan
        return "n/a"
    unit = KPIS[name].unit if name in KPIS else ""
    if unit == "fraction":
        return f"{value:.1%}"
    if unit == "currency":
        return f"{value:,.0f}"
    if unit in ("hours", "days"):
        return f"{value:,.1f}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def kpi_table(kpis: pd.Series) -> pd.DataFrame:
    """KPIs with formatted values, units, groups and descriptions, ready to print."""
    rows = [(name, format_value(name, value), KPIS[name].unit if name in KPIS else "",
             KPIS[name].group if name in KPIS else "other",
             KPIS[name].description if name in KPIS else "") for name, value in kpis.items()]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit", "group", "meaning"]).set_index("kpi")


def format_kpis(kpis: pd.Series) -> str:
    """A readable report: one section per KPI group, values formatted by unit."""
    table = kpi_table(kpis)
    width = max(len(name) for name in table.index) + 2
    lines = []
    for group in (*GROUPS, "other"):
        section = table[table["group"] == group]
        if section.empty:
            continue
        lines.append(f"\n{group.upper()}")
        lines += [f"  {name:<{width}}{row.value:>14}  {row.unit}" for name, row in section.iterrows()]
    return "\n".join(lines).lstrip("\n")
