"""KPI values as a person reads them: formatted by unit, named by label, tabled, and grouped
into a report."""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.kpi import GROUPS
from simcoord.kpis.registry import KPIS

#: How a KPI key's words read in a derived label; other words are kept as they are.
LABEL_WORDS = {"sla": "SLA", "mql": "MQL", "sql": "SQL", "p90": "90th percentile", "pct": "(%)"}
#: The word printed after money when the scenario names no currency.
NEUTRAL_CURRENCY = "money"


def display_name(name: str) -> str:
    """The KPI's label in the registry or, without one, a label derived from its key:
    ``sla_first_touch_pct`` reads "First touch within SLA", ``conversion_mql_to_sql``
    "Conversion MQL to SQL", ``cancelled_pct`` "Cancelled (%)"."""
    label = KPIS[name].label if name in KPIS else ""
    if label:
        return label
    words = name.split("_")
    if words[0] == "sla" and words[-1] == "pct":
        words = [*words[1:-1], "within", "sla"]
    text = " ".join(filter(None, (LABEL_WORDS.get(word, word) for word in words)))
    return text[:1].upper() + text[1:]


def display_unit(name: str, currency: str | None = None) -> str:
    """The unit printed after a KPI's value: nothing for a share (its value carries the %), the
    ``currency`` (else a neutral word) for money, the unit's own word otherwise, unless the
    display name already ends with it."""
    unit = KPIS[name].unit if name in KPIS else ""
    if unit == "fraction":
        return ""
    if unit == "currency":
        return currency or NEUTRAL_CURRENCY
    return "" if display_name(name).lower().endswith(unit.lower()) else unit  # "First touch median hours"


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
    """KPIs with formatted values, units, groups, descriptions and display labels, ready to print."""
    rows = [(name, format_value(name, value), KPIS[name].unit if name in KPIS else "",
             KPIS[name].group if name in KPIS else "other",
             KPIS[name].description if name in KPIS else "", display_name(name)) for name, value in kpis.items()]
    return pd.DataFrame(rows, columns=["kpi", "value", "unit", "group", "meaning", "label"]).set_index("kpi")


def format_kpis(kpis: pd.Series, currency: str | None = None, labels: bool = False) -> str:
    """A readable report: one section per KPI group, values formatted by unit. With ``labels``
    each row is named by its display label and money is followed by ``currency``; without,
    by the KPI's key and its unit as declared."""
    table = kpi_table(kpis)
    names = table["label"] if labels else table.index.to_series()
    units = [display_unit(name, currency) for name in table.index] if labels else table["unit"]
    table = table.assign(name=names.to_numpy(), shown_unit=list(units))
    width = max(len(name) for name in table["name"]) + 2
    lines = []
    for group in (*GROUPS, "other"):
        section = table[table["group"] == group]
        if section.empty:
            continue
        lines.append(f"\n{group.upper()}")
        lines += [f"  {row.name:<{width}}{row.value:>14}  {row.shown_unit}".rstrip()
                  for row in section.itertuples(index=False)]
    return "\n".join(lines).lstrip("\n")
