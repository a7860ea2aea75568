"""Conservation: nothing is lost or duplicated, and nothing happens to a lead after its end.

Checked on 90 days of the baseline, the ``sla-enforced`` policy (which exercises the
public pool) and ``full-programme`` (meetings, pool reviews, platform, disputes), from the event log alone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import BASELINE, SCENARIOS

import simcoord
from simcoord.scenario.calendar import WorkCalendar

DAYS = 90
TERMINAL = ("won", "dormant", "discarded")
POOL_EXITS = ("claimed_from_pool", "reassigned_from_pool", "wake_up_attempt")


@pytest.fixture(scope="module", params=["baseline", "sla-enforced", "full-programme"])
def run(request, baseline_90_days) -> simcoord.SimulationResult:
    if request.param == "baseline":
        return baseline_90_days
    return simcoord.simulate(simcoord.load_scenario(SCENARIOS / "policies" / f"{request.param}.yaml"), seed=3, days=DAYS)


def lead_events(result) -> pd.DataFrame:
    events = result.events
    leads = events[events["kind"] == "lead"].copy()
    leads["activity"] = leads["activity"].astype(str)
    leads["order_in_log"] = np.arange(len(leads))
    return leads


def test_every_lead_ends_in_exactly_one_state(run):
    leads = lead_events(run)
    created = leads.loc[leads["activity"] == "created", "id"]
    assert created.is_unique
    terminal = leads[leads["activity"].isin(TERMINAL)]
    per_lead = terminal.groupby("id").size()
    assert per_lead.max() == 1, f"leads with two terminal events: {per_lead[per_lead > 1].index[:5].tolist()}"
    ended = set(terminal["id"])
    assert ended <= set(created)
    outcome_counts = terminal["activity"].value_counts()
    open_leads = len(set(created) - ended)
    assert sum(outcome_counts.get(a, 0) for a in TERMINAL) + open_leads == len(created)
    k = run.kpis
    assert k["won"] + k["dormant"] + k["discarded"] + k["open_at_end"] == k["leads_created"] == len(created)
    assert k["open_at_end"] == open_leads


def test_every_lead_event_belongs_to_a_created_lead_and_starts_with_creation(run):
    leads = lead_events(run)
    first = leads.groupby("id")["activity"].first()
    assert (first == "created").all(), first[first != "created"].head().to_dict()


def test_no_lead_event_follows_its_terminal_event(run):
    leads = lead_events(run)
    end = leads[leads["activity"].isin(TERMINAL)].set_index("id")["order_in_log"]
    after = leads[leads["order_in_log"] > leads["id"].map(end).fillna(np.inf)]
    assert after.empty, after[["id", "time", "activity"]].head().to_string()


def test_times_stay_inside_the_horizon_and_in_order(run):
    times = run.events["time"].to_numpy()
    assert times.min() >= 0 and times.max() <= DAYS * 24
    assert (np.diff(times) >= 0).all()


def test_every_mql_is_assigned_to_sales(run):
    """The event after a hand-over is its assignment; only MQLs still waiting for the
    hand-over batch at the horizon (at most a weekend plus a batch) have none."""
    leads = lead_events(run)
    nxt = leads.groupby("id")["activity"].shift(-1)
    mql = leads["activity"] == "mql"
    assert (nxt[mql].dropna() == "assigned").all()
    assert (leads.loc[mql & nxt.isna(), "time"] > DAYS * 24 - 72).all()


def test_orders_created_equal_shipped_plus_waiting(run):
    events = run.events
    orders = events[events["kind"] == "order"]
    activity = orders["activity"].astype(str)
    created = set(orders.loc[activity == "order_created", "id"])
    shipped = orders.loc[activity == "shipped", "id"]
    delivered = orders.loc[activity == "delivered", "id"]
    assert shipped.is_unique and delivered.is_unique
    assert set(shipped) <= created and set(delivered) <= set(shipped)
    waiting = created - set(shipped)
    assert len(created) == len(shipped) + len(waiting)
    assert run.kpis["orders"] == len(created) == run.kpis["won"]  # each won deal is one order
    won_leads = set(events.loc[events["activity"] == "won", "id"])
    assert set(orders.loc[activity == "order_created", "lead"].astype(int)) == won_leads
    assert run.kpis["customers"] <= len(delivered)


def test_every_pool_release_is_claimed_reviewed_woken_or_still_waiting(run):
    leads = lead_events(run)
    nxt = leads.groupby("id")["activity"].shift(-1)
    released = leads["activity"] == "released_to_pool"
    assert nxt[released].dropna().isin(POOL_EXITS).all(), nxt[released].value_counts().to_dict()
    assert run.kpis["released_to_pool"] >= run.kpis["claimed_from_pool"]


def test_no_one_does_two_things_at_once(run):
    """A rep's work intervals (start to start + work hours in working time) never overlap."""
    events = run.events
    calendar = WorkCalendar(run.scenario.calendar, horizon_days=DAYS + 1)
    staffed = events[events["staff"].notna() & events["work_hours"].notna()]
    staffed = staffed[staffed["department"].astype(str).isin(["sales", "marketing", "service"])]
    for staff, rows in staffed.groupby("staff"):
        starts = rows["time"].to_numpy()
        ends = np.array([start + hours if activity == "meeting" else calendar.add_work_hours(start, hours)
                         for start, hours, activity in zip(starts, rows["work_hours"], rows["activity"].astype(str))])
        overlaps = starts[1:] < ends[:-1] - 1e-9
        assert not overlaps.any(), f"{staff} starts at {starts[1:][overlaps][:3]} before finishing"


def test_reps_open_items_match_the_leads_they_own_in_the_log():
    """Routing's load counter (``open_items``) equals, per rep, the leads whose last sales event
    is an assignment or escalation to that rep and which are not yet won, lost, invalid or pooled."""
    from simcoord.model.company import Model

    model = Model(simcoord.load_scenario(SCENARIOS / "policies" / "sla-enforced.yaml"), seed=4, days=60)
    result = model.run()
    leads = lead_events(result)
    moves = leads[leads["activity"].isin(["assigned", "sla_escalated", "won", "lost", "invalid", "released_to_pool"])]
    last = moves.groupby("id").last()
    owned = last.loc[last["activity"].isin(["assigned", "sla_escalated"]), "staff"].value_counts()
    counters = {w.id: w.open_items for name in ("sales", "key_accounts") for w in model.teams[name].members}
    assert sum(counters.values()) > 0
    assert counters == {rep: int(owned.get(rep, 0)) for rep in counters}


def test_tickets_customers_and_batches_are_conserved(run):
    events = run.events
    activity = events["activity"].astype(str)

    def ids(kind: str, name: str) -> pd.Series:
        return events.loc[(events["kind"] == kind) & (activity == name), "id"]

    opened, responded, resolved = ids("ticket", "ticket_opened"), ids("ticket", "ticket_response"), \
        ids("ticket", "ticket_resolved")
    assert opened.is_unique and responded.is_unique and resolved.is_unique
    assert set(resolved) <= set(responded) <= set(opened)
    onboarded, churned = ids("customer", "onboarded"), ids("customer", "churned")
    assert onboarded.is_unique and churned.is_unique and set(churned) <= set(onboarded)
    customer_rows = events[events["kind"] == "customer"]
    churn_time = customer_rows[customer_rows["activity"] == "churned"].set_index("id")["time"]
    later = customer_rows[customer_rows["time"] > customer_rows["id"].map(churn_time).fillna(np.inf)]
    assert later.empty  # nothing happens to a customer after churning
    runs, stocked = ids("batch", "production_run"), ids("batch", "stocked")
    assert set(stocked) <= set(runs) and stocked.is_unique
