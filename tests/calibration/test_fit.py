"""``simcoord.fit``: a truth scenario's parameters come back from its own exported log, BPIC 2012
fits to a scenario that validates and runs, the YAML's header accounts for every value, and bad
input (a cut-off outside the log, too few cases, a stage without data) is a clear error with
nothing half-written."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import numpy as np
import pytest

from simcoord import ScenarioError, export_log, fit, load_scenario, read_log, simulate
from simcoord.calibration.distributions import MIN_OBSERVATIONS
from simcoord.calibration.fit import FitResult
from simcoord.log.mapping import LogMapping
from simcoord.scenario.loading import scenario_from_dict
from support import ROOT

BPIC = ROOT / "data" / "bpic2012"
START = dt.date(2024, 1, 1)  # a Monday
DAYS, UNTIL = 90, dt.date(2024, 3, 16)  # fit on the first 75 days
FLAT = {grade: 1.0 for grade in ("L1", "L2", "L3", "L4", "L5")}
TIMERS_OFF = {"hours": 24, "enforced": False}

#: A company unlike the baseline: no nurture, production or service; a screen; two stages; always open,
#: so a task's clock time (what an exported log shows) is its working time.
TRUTH = {
    "name": "truth",
    "calendar": {"start_date": START.isoformat(), "always_open": True},
    "organisation": {"marketing": {"staff": 0, "hourly_cost": 0}, "sales": {"staff": 5, "hourly_cost": 50},
                     "production": {"staff": 0, "hourly_cost": 0}, "service": {"staff": 0, "hourly_cost": 0},
                     "key_account_staff": 0},
    "demand": {"channels": {"web": {"leads_per_week": 250}}, "campaigns": [],
               "seasonal_profile": [1.0] * 12},
    "lead_mix": {"tier_shares": {"small": 1.0}, "deal_value": {"dist": "gamma", "mean": 9000, "sd": 4000},
                 "industries": {"all": {"share": 1.0, "score_validity_days": 30}}},
    "marketing": {"nurture": False, "recycle_lost": False},
    "funnel": {
        "screen": {"pass_probability": 0.75},
        "first_touch_hours": {"dist": "gamma", "mean": 0.6, "sd": 0.3},
        "qualification": {grade: 0.7 for grade in FLAT},
        "response_decay": {"floor": 1.0},
        "stages": [
            {"name": "proposal", "customer_days": {"dist": "exponential", "mean": 1.5},
             "work_hours": {"dist": "lognormal", "mean": 1.4, "sd": 0.6}, "conversion": {g: 0.55 for g in FLAT}},
            {"name": "contract", "customer_days": {"dist": "exponential", "mean": 3.0},
             "work_hours": {"dist": "gamma", "mean": 0.9, "sd": 0.4}, "conversion": {g: 0.8 for g in FLAT}}]},
    "production": {"enabled": False},
    "service": {"enabled": False},
    "policy": {"sla": {"first_touch": TIMERS_OFF, "hot_lead_first_touch": TIMERS_OFF, "auto_release": TIMERS_OFF,
                       "stage_dwell": TIMERS_OFF, "stage_dwell_stage": "proposal", "wake_up": {"enabled": False}},
               "routing": {"mode": "pooled", "key_account_routing": False}, "meetings": [],
               "disputes": {"key_account_probability": 0, "rush_order_probability": 0, "complaint_probability": 0}},
}


def export_mapping(stages: list[str], extra_stage: str | None = None) -> LogMapping:
    """The lab's CSV export read back: each lead a case, each step and stage its own activity's start."""
    steps = ("created", "mql", "first_touch", "sql", "invalid", "won", "lost", "discarded")
    named = [*stages, *([extra_stage] if extra_stage else [])]
    return LogMapping.model_validate({
        "name": "truth-export",
        "columns": {"case": "object_id", "activity": "concept:name", "timestamp": "time:timestamp",
                    "lifecycle": "lifecycle:transition", "resource": "org:resource"},
        "steps": {step: {"activities": [step], "transition": "start"} for step in steps},
        "stages": [{"name": name, "activities": [name], "transition": "start"} for name in named],
        "ignore": ["screened", "assigned", "advanced"]})


@pytest.fixture(scope="module")
def truth_log(tmp_path_factory):
    """A 90-day run of the truth company, exported to CSV and read back through its mapping."""
    truth = scenario_from_dict(TRUTH)
    run = simulate(truth, seed=5, days=DAYS)
    path = export_log(run.events, truth, tmp_path_factory.mktemp("truth"), "csv")
    return read_log(path, export_mapping(["proposal", "contract"]))


@pytest.fixture(scope="module")
def truth_fit(truth_log) -> FitResult:
    return fit(truth_log, until=UNTIL)


@pytest.fixture(scope="module")
def bpic_log():
    return read_log(BPIC / "bpic2012.csv.gz", BPIC / "mapping.yaml")


@pytest.fixture(scope="module")
def bpic_fit(bpic_log) -> FitResult:
    return fit(bpic_log, until="2012-01-01")


def by_path(result: FitResult) -> dict:
    return {estimate.path: estimate for estimate in result.estimates}


def within_mean(estimate, truth: float) -> bool:
    """The fitted mean lies within 4 standard errors of the sample mean of the truth."""
    return abs(estimate.value["mean"] - truth) <= 4 * np.std(estimate.data) / np.sqrt(estimate.n)


def within_share(estimate, truth: float) -> bool:
    value = estimate.value if isinstance(estimate.value, float) else estimate.value["L3"]
    return abs(value - truth) <= 4 * np.sqrt(truth * (1 - truth) / estimate.n)


# ----------------------------------------------------------------------------- parameter recovery
def test_a_known_company_comes_back_from_its_exported_log(truth_fit):
    found = by_path(truth_fit)
    assert within_mean(found["funnel.first_touch_hours"], 0.6)
    assert within_mean(found["funnel.stages.0.work_hours"], 1.4)
    assert within_mean(found["funnel.stages.1.work_hours"], 0.9)
    assert within_share(found["funnel.screen.pass_probability"], 0.75)
    assert within_share(found["funnel.stages.0.conversion"], 0.55)
    assert within_share(found["funnel.stages.1.conversion"], 0.8)
    assert within_share(found["funnel.qualification"], 0.7)
    rate = found["demand.channels.all.leads_per_week"]
    assert rate.interval[0] <= 250 <= rate.interval[1]
    assert found["organisation.sales.staff"].value == 5
    scenario = truth_fit.scenario
    assert not (scenario.marketing.nurture or scenario.production.enabled or scenario.service.enabled)


def test_the_fitted_scenario_starts_at_the_cut_off_and_runs(truth_fit):
    scenario = truth_fit.scenario
    assert scenario.calendar.start_date == UNTIL
    assert [stage.name for stage in scenario.funnel.stages] == ["proposal", "contract"]
    run = simulate(scenario, seed=1, days=14)
    assert run.kpis["won"] > 0 and run.kpis["leads_created"] > 300


def test_the_yaml_loads_back_to_the_same_scenario_and_its_header_accounts_for_it(truth_fit, tmp_path):
    path = truth_fit.write(tmp_path / "ourco.yaml")
    assert load_scenario(path) == truth_fit.scenario
    text = path.read_text()
    header = text[:text.index("\nname:")]
    assert all(line.startswith("#") for line in header.strip().splitlines())
    source = truth_fit.source
    assert f"from {source.file}, 2024-01-01 to 2024-03-16" in header and f"{source.cases:,} cases" in header
    assert "calendar.start_date is the cut-off (2024-03-16)" in header
    for estimate in truth_fit.estimates:
        assert f"#   {estimate.path}: " in header
    assert "# Assumed, because the log cannot tell" in header and "policy.meetings: [] - the log shows no meetings" \
        in header


def test_every_assumption_says_why(truth_fit):
    assumptions = truth_fit.assumptions
    assert {"policy.incentives", "policy.sla.first_touch", "organisation.sales.hourly_cost"} <= \
        {estimate.path for estimate in assumptions}
    assert all(estimate.basis and estimate.n == 0 for estimate in assumptions)


# ----------------------------------------------------------------------------- BPIC 2012
def test_bpic_2012_fits_to_a_bank_that_validates_and_runs(bpic_fit):
    scenario = bpic_fit.scenario
    assert bpic_fit.source.cases == 7455 and scenario.calendar.start_date == dt.date(2012, 1, 1)
    assert scenario.calendar.time_zone == "Europe/Amsterdam"
    assert not (scenario.marketing.nurture or scenario.production.enabled or scenario.service.enabled)
    assert [stage.name for stage in scenario.funnel.stages] == ["quote", "negotiation", "validation"]
    assert 0.5 < scenario.funnel.screen.pass_probability < 0.6  # about 44 % declined at once
    found = by_path(bpic_fit)
    staff = found["organisation.sales.staff"]  # the people seen also do work the mapping ignores
    assert staff.basis.startswith("effective head count: the ") and 1 < staff.value < 10
    touches = found["funnel.stages.1.touches"]  # the bank calls about an offer again and again
    assert touches.value["dist"] == "empirical" and np.mean(touches.value["values"]) > 2
    assert found["funnel.stages.0.work_hours"].assumed  # an offer is sent: the log shows no work time
    assert "too few to fit" in found["funnel.stages.0.work_hours"].basis
    run = simulate(scenario, seed=0, days=7)
    assert run.kpis["won"] > 0 and run.kpis["screen_decline_pct"] == pytest.approx(0.44, abs=0.06)


def test_bpic_yaml_loads_and_says_where_it_came_from(bpic_fit, tmp_path):
    path = bpic_fit.write(tmp_path / "bank.yaml")
    assert load_scenario(path) == bpic_fit.scenario
    assert "bpic2012.csv.gz, 2011-10-01 to 2012-01-01 (exclusive; 92 days), 7,455 cases" in path.read_text()


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("until", ["2030-01-01", "2011-10-01", "2011-09-01"])
def test_a_cut_off_outside_the_log_is_refused(bpic_log, until):
    with pytest.raises(ValueError, match=rf"cut-off {until} is outside the log, which runs from 2011-10-01 to "
                                         r"2012-03-14"):
        fit(bpic_log, until=until)


def test_a_cut_off_that_is_no_date_is_refused(bpic_log):
    with pytest.raises(ValueError, match=r"cut-off 'new year' is no date \(use YYYY-MM-DD\)"):
        fit(bpic_log, until="new year")


def test_too_few_cases_leave_a_parameter_assumed_and_say_so(truth_log):
    result = fit(truth_log, until=START + dt.timedelta(days=2))
    work = by_path(result)["funnel.stages.1.work_hours"]
    assert work.assumed and work.value["dist"] == "exponential"
    few = re.match(r"(\d+) observations of work time in stage contract \(hours\): too few to fit; assumed "
                   r"exponential, mean ", work.basis)
    assert few and 0 < int(few.group(1)) < MIN_OBSERVATIONS, work.basis
    deal = by_path(result)["lead_mix.deal_value"]
    assert deal.assumed and deal.basis.startswith("the log has no deal values")
    simulate(result.scenario, seed=0, days=3)


def test_a_mapping_that_leaves_a_stage_without_data_is_named(truth_log):
    mapping = export_mapping(["proposal", "contract"], extra_stage="signature")
    log = truth_log._replace(mapping=mapping)
    with pytest.raises(ValueError, match=r"no case in the training window reaches stage 'signature'"):
        fit(log, until=UNTIL)


def test_a_log_file_needs_its_mapping():
    with pytest.raises(ValueError, match="a log file needs its mapping"):
        fit(BPIC / "bpic2012.csv.gz")


def test_a_bad_mapping_file_is_a_scenario_error(tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("columns: {case: case_id}\n")
    with pytest.raises(ScenarioError):
        fit(BPIC / "bpic2012.csv.gz", mapping)


def test_a_failed_write_leaves_the_old_file_and_no_part(truth_fit, tmp_path, monkeypatch):
    path = tmp_path / "ourco.yaml"
    path.write_text("old\n")

    def full_disk(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError):
        truth_fit.write(path)
    assert path.read_text() == "old\n" and sorted(p.name for p in tmp_path.iterdir()) == ["ourco.yaml"]


def test_a_missing_folder_is_an_error_and_writes_nothing(truth_fit, tmp_path):
    with pytest.raises(OSError):
        truth_fit.write(tmp_path / "missing" / "ourco.yaml")
    assert not any(Path(tmp_path).rglob("*.yaml"))


def test_without_a_cut_off_the_whole_log_is_fitted_from_its_first_day(truth_log):
    result = fit(truth_log)
    assert result.scenario.calendar.start_date == START and result.source.until == START + dt.timedelta(days=DAYS)
    assert "calendar.start_date is the log's first day (2024-01-01): no cut-off was given" in result.to_yaml()
