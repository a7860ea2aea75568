"""Per-stage queue KPIs (``simcoord.kpis.queues``) on hand-made work rows and on the baseline,
and which queues the package takes for textbook queues (``simcoord.kpis.textbook``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from support import MMC, baseline_with

from simcoord.kpis.queues import QUEUE_COLUMNS, queue_kpis
from simcoord.kpis.textbook import ENTRY_QUEUE, FED_BY_EARLIER_STAGES, entry_queue_theory, stage_theory
from simcoord.log.store import empty_frame
from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.loading import deep_merge, load_scenario, resolve_file, scenario_from_dict
from simcoord.vocabulary import HOURS_PER_DAY

NAN = float("nan")


def work_row(activity: str, department: str, queued_at: float, start: float, hours: float, **attrs) -> dict:
    return {"id": 1, "kind": "lead", "time": start, "activity": activity, "department": department, "staff": "x",
            "work_hours": hours, "queued_at": queued_at, **attrs}


#: Three first touches that waited 0, 2 and 4 hours, one quote, a meeting (work without a queue),
#: an auto-release and a stage-dwell release of the quote.
ROWS = [
    work_row("first_touch", "sales", 0.0, 0.0, 2.0),
    work_row("first_touch", "sales", 1.0, 3.0, 1.0),
    work_row("first_touch", "sales", 2.0, 6.0, 1.0),
    {"id": 2, "kind": "lead", "time": 5.0, "activity": "released_to_pool", "department": "sales",
     "reason": "auto_release", "stage": None},
    {"id": 3, "kind": "lead", "time": 7.0, "activity": "released_to_pool", "department": "sales",
     "reason": "stage_dwell", "stage": "quote"},
    work_row("quote", "sales", 10.0, 10.0, 1.0, stage="quote"),
    {"id": 4, "kind": "meeting", "time": 12.0, "activity": "meeting", "department": "sales", "work_hours": 1.0},
]


@pytest.fixture(scope="module")
def mmc():
    return load_scenario(MMC)  # 24/7, three sales reps


def one_day(mmc, warmup_days: float = 0.0) -> pd.DataFrame:
    events = pd.DataFrame(ROWS)
    return queue_kpis(events, mmc, 1.0, WorkCalendar(mmc.calendar, horizon_days=2), warmup_days)


def test_waits_queue_length_and_releases_from_hand_made_rows(mmc) -> None:
    table = one_day(mmc)
    assert list(table.index) == ["first_touch", "quote"] and list(table.columns) == list(QUEUE_COLUMNS)
    touch = table.loc["first_touch"]
    assert touch["arrivals"] == 3 and touch["arrival_rate_per_hour"] == pytest.approx(3 / 24)
    assert touch["mean_wait_hours"] == pytest.approx(2.0) and touch["waited_pct"] == pytest.approx(2 / 3)
    assert touch["p90_wait_hours"] == pytest.approx(3.6)  # linear interpolation between 2 and 4
    assert touch["mean_waiting_tasks"] == pytest.approx(6 / 24) == touch["lambda_w_tasks"]
    assert touch["mean_service_hours"] == pytest.approx(4 / 3)
    assert touch["releases"] == 1 and touch["released_pct"] == pytest.approx(1 / 4)
    assert table.loc["quote", "releases"] == 1 and table.loc["quote", "mean_wait_hours"] == 0
    # 6 hours of work and the meeting's hour, by three reps over 24 hours
    assert table["utilisation"].tolist() == pytest.approx([6 / 72, 6 / 72])
    assert table["department"].tolist() == ["sales", "sales"] and table["staff"].tolist() == [3, 3]


def test_only_work_queued_after_the_warm_up_counts(mmc) -> None:
    touch = one_day(mmc, warmup_days=1.5 / HOURS_PER_DAY).loc["first_touch"]
    assert touch["arrivals"] == 1 and touch["mean_wait_hours"] == pytest.approx(4.0)
    # the waits of the second (1.5 of its 2 hours) and the third task overlap the window
    assert touch["mean_waiting_tasks"] == pytest.approx((1.5 + 4.0) / 22.5)
    assert touch["lambda_w_tasks"] == pytest.approx(4.0 / 22.5)


def test_an_empty_log_has_no_queues(mmc) -> None:
    table = queue_kpis(empty_frame(), mmc, 1.0, WorkCalendar(mmc.calendar, horizon_days=2))
    assert table.empty and list(table.columns) == list(QUEUE_COLUMNS)


def test_a_stage_whose_leads_were_all_released_is_still_a_row(mmc) -> None:
    events = pd.DataFrame([row for row in ROWS if row["activity"] == "released_to_pool"])
    table = queue_kpis(events, mmc, 1.0, WorkCalendar(mmc.calendar, horizon_days=2))
    assert list(table.index) == ["first_touch", "quote"]
    assert table["arrivals"].tolist() == [0, 0] and table["released_pct"].tolist() == [1.0, 1.0]
    assert table["department"].tolist() == ["sales", "sales"] and table["mean_waiting_tasks"].tolist() == [0, 0]


def test_baseline_queues_agree_with_the_kpis_and_littles_law(baseline_90_days) -> None:
    run = baseline_90_days
    calendar = WorkCalendar(run.scenario.calendar, horizon_days=int(run.days) + 1)
    table = queue_kpis(run.events, run.scenario, run.days, calendar)
    assert list(table.index) == ["qualification", "first_touch", "need_confirmation", "quote", "negotiation",
                                 "onboarding", "ticket_response"]
    for department, utilisation in table.groupby("department")["utilisation"].first().items():
        assert utilisation == pytest.approx(run.kpis[f"utilisation_{department}"], rel=1e-12)
    # the company starts empty and only started work has rows, so L = lambda W exactly
    assert table["mean_waiting_tasks"].to_numpy() == pytest.approx(table["lambda_w_tasks"].to_numpy(), rel=1e-9)
    touches = run.events[run.events["activity"] == "first_touch"]
    assert table.loc["first_touch", "arrivals"] == len(touches)
    waits = touches["time"] - touches["queued_at"]
    assert table.loc["first_touch", "p90_wait_hours"] == pytest.approx(np.quantile(waits, 0.9))


# ----------------------------------------------------------------- textbook queues
def mmc_with(**sla) -> object:
    return scenario_from_dict(deep_merge(resolve_file(MMC), {"policy": {"sla": sla}}), source=MMC)


EXPONENTIAL_PATIENCE = {"hours": 48, "enforced": True, "patience": {"dist": "exponential", "mean": 2.0}}


def test_the_validation_scenario_is_erlang_c_and_with_patience_erlang_a() -> None:
    assert entry_queue_theory(load_scenario(MMC))[0] == "Erlang C"
    name, theory = entry_queue_theory(mmc_with(auto_release=EXPONENTIAL_PATIENCE, pool_claim_probability=0))
    assert name == "Erlang A" and 0 < theory.released_pct < 1


@pytest.mark.parametrize(("sla", "reason"), [
    ({"auto_release": {"hours": 2, "enforced": True}, "pool_claim_probability": 0},
     "auto-release is not an exponential patience"),
    ({"auto_release": EXPONENTIAL_PATIENCE, "pool_claim_probability": 0.5}, "leads return to sales"),
    ({"auto_release": EXPONENTIAL_PATIENCE, "pool_claim_probability": 0, "wake_up": {"enabled": True}},
     "leads return to sales"),
])
def test_timers_that_are_no_textbook_patience_are_named(sla: dict, reason: str) -> None:
    name, theory = entry_queue_theory(mmc_with(**sla))
    assert theory is None and name == f"no: {reason}"


def test_the_baseline_says_why_it_is_no_textbook_queue() -> None:
    name, theory = entry_queue_theory(baseline_with())
    assert theory is None and name.startswith("no: office hours; ")
    table = stage_theory(baseline_with(), ["qualification", ENTRY_QUEUE, "quote"])
    assert table.loc["quote", "theory"] == FED_BY_EARLIER_STAGES and table["mean_wait_hours"].isna().all()


def test_an_overloaded_queue_without_patience_has_no_steady_state() -> None:
    overloaded = scenario_from_dict(deep_merge(resolve_file(MMC), {"funnel": {"first_touch_hours": {
        "dist": "exponential", "mean": 2.0}}}), source=MMC)
    name, theory = entry_queue_theory(overloaded)
    assert theory is None and "no steady state" in name


def test_stage_theory_fills_the_first_touch_only() -> None:
    table = stage_theory(load_scenario(MMC), [ENTRY_QUEUE, "quote"])
    assert table.loc[ENTRY_QUEUE, "theory"] == "Erlang C"
    assert table.loc[ENTRY_QUEUE, "utilisation"] == pytest.approx(0.8)
    assert np.isnan(table.loc["quote", "utilisation"])
