"""Funnel KPIs: how many leads, hand-overs and deals, and how they convert."""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.context import KpiContext, ratio
from simcoord.kpis.kpi import KPI
from simcoord.vocabulary import QUALITY_GRADES, TERMINAL

GROUP = "funnel"

FUNNEL: dict[str, KPI] = {
    "leads_created": KPI("leads born in marketing (all channels, repurchase and referral included)", "leads", None,
                         GROUP),
    "mql": KPI("hand-overs of marketing-qualified leads to sales", "leads", None, GROUP),
    "sql": KPI("leads qualified by sales at first touch", "leads", True, GROUP),
    "won": KPI("deals won", "deals", True, GROUP),
    "lost": KPI("deals lost in a sales stage", "deals", False, GROUP),
    "open_at_end": KPI("leads neither won, dormant nor discarded at the horizon (cases open at the start included)",
                       "leads", None, GROUP),
    "mql_quality_pct": KPI("share of MQLs of grade L3 or better (meets sales follow-up standard; target 70 %)",
                           "fraction", True, GROUP),
    "conversion_mql_to_sql": KPI("first touches that qualify the lead", "fraction", True, GROUP),
    "conversion_sql_to_won": KPI("SQLs that end won", "fraction", True, GROUP),
    "conversion_lead_to_won": KPI("won deals per lead created", "fraction", True, GROUP),
}


def funnel_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`FUNNEL` KPIs' values."""
    n, grades = ctx.count, ctx.episodes["grade"]
    return {
        "leads_created": n("created"),
        "mql": n("mql"),
        "sql": n("sql"),
        "won": n("won"),
        "lost": n("lost"),
        "open_at_end": _open_at_end(ctx.leads),
        "mql_quality_pct": float(grades.isin(QUALITY_GRADES).mean()) if len(grades) else float("nan"),
        "conversion_mql_to_sql": ratio(n("sql"), n("sql") + n("invalid")),
        "conversion_sql_to_won": ratio(n("won"), n("sql")),
        "conversion_lead_to_won": ratio(n("won"), n("created")),
    }


def _open_at_end(leads: pd.DataFrame) -> int:
    """Leads created (or open at the start: ``resumed``) in the window that reached no terminal
    state (won, dormant, discarded)."""
    last_activity = leads[leads["activity"].isin(TERMINAL)].groupby("id")["activity"].last()
    created_ids = leads.loc[leads["activity"].isin(["created", "resumed"]), "id"]
    return int(len(created_ids) - len(last_activity.reindex(created_ids).dropna()))
