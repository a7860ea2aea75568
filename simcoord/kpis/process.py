"""Process KPIs: the shape of the sales process beyond a straight line (the automatic screen,
repeated touches, send-backs, customer cancellations), and the same counts stage by stage.

A company without these options gets zero counts (and NaN where a share has nothing to divide).
"""

from __future__ import annotations

import pandas as pd

from simcoord.kpis.context import KpiContext, ratio
from simcoord.kpis.kpi import KPI
from simcoord.vocabulary import CANCELLED

GROUP = "process"

PROCESS: dict[str, KPI] = {
    "screened": KPI("leads decided by the automatic screen (no staff time)", "leads", None, GROUP),
    "screen_declined": KPI("leads the automatic screen declined (then discarded)", "leads", None, GROUP),
    "screen_decline_pct": KPI("share of screened leads declined", "fraction", None, GROUP),
    "stage_touches": KPI("rep touches of the funnel stages (each stage's work, repeats included)", "touches", None,
                         GROUP),
    "touches_per_sql": KPI("stage touches per SQL", "touches", None, GROUP),
    "sent_back": KPI("loops: cases a stage's next steps sent to a stage again", "cases", False, GROUP),
    "cancelled": KPI("deals the customer cancelled after waiting too long in a stage (lost, reason cancelled)",
                     "deals", False, GROUP),
    "cancelled_pct": KPI("share of closed deals (won or lost) the customer cancelled", "fraction", False, GROUP),
}


def process_kpis(ctx: KpiContext) -> dict[str, float]:
    """The :data:`PROCESS` KPIs' values."""
    n = ctx.count
    touches = sum(n(stage) for stage in ctx.stage_names)
    screened, declined = n("screened"), float(ctx.totals.get("screen_declined", 0.0))
    cancelled = float(ctx.totals.get("cancelled", 0.0))
    return {
        "screened": screened,
        "screen_declined": declined,
        "screen_decline_pct": ratio(declined, screened),
        "stage_touches": touches,
        "touches_per_sql": ratio(touches, n("sql")),
        "sent_back": n("sent_back"),
        "cancelled": cancelled,
        "cancelled_pct": ratio(cancelled, n("won") + n("lost")),
    }


def process_by_stage(events: pd.DataFrame, stages: list[str]) -> pd.DataFrame:
    """Per funnel stage (rows, in funnel order) of a whole event log: ``visits`` (a stage's first
    touches), ``touches`` (its work rows), ``sent_back_to`` and ``sent_back_from`` (loops into
    and out of it), ``lost`` (lost there, cancellations included) and ``cancelled`` (by the customer)."""
    leads = events[events["kind"] == "lead"]
    activity = leads["activity"].astype(str)
    work = leads[activity.isin(stages)]
    first = work["touch"].isna() | (work["touch"] == 1) if "touch" in work else pd.Series(True, index=work.index)
    lost = leads[activity == "lost"]
    cancelled = lost[lost["reason"] == CANCELLED] if "reason" in lost else lost.iloc[:0]
    sent = leads[activity == "sent_back"]
    counts = {
        "visits": work.loc[first, "activity"].astype(str).value_counts(),
        "touches": work["activity"].astype(str).value_counts(),
        "sent_back_to": _by_stage(sent, "stage"),
        "sent_back_from": _by_stage(sent, "from_stage"),
        "lost": _by_stage(lost, "stage"),
        "cancelled": _by_stage(cancelled, "stage"),
    }
    table = pd.DataFrame({name: series.reindex(stages) for name, series in counts.items()})
    return table.fillna(0).astype(int).rename_axis("stage")


def _by_stage(rows: pd.DataFrame, column: str) -> pd.Series:
    """How many ``rows`` name each stage in ``column`` (empty when the column is absent)."""
    return rows[column].astype(str).value_counts() if column in rows and len(rows) else pd.Series(dtype=int)
