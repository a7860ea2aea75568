"""Parameter recovery: simulate a year of a known company (``truth.yaml``), export its log to CSV as
a process-mining tool would get it, read it back through a mapping, fit a scenario to it, and check
that the fit finds the truth's parameters within their sampling error; then that the fitted company
answers the shipped policies' questions as the truth does.

Each parameter's 95 % interval is the estimate's own (``Estimate.interval``) where the fit gives
one, else the estimate +/- 1.96 standard errors worked out from its ``n`` under the truth (a mean:
sd / sqrt(n); a profile factor: Poisson counts; a probability: binomial). With some 45 parameters a
95 % interval each would miss one by chance most of the time, so every interval is widened to a
family-wise 95 % (Bonferroni: each at 1 - 0.05 / m), and the test fails if any parameter lies
outside. ``test_the_check_refuses_a_truth_the_log_did_not_come_from`` shows that it can fail.

The truth's answers to the policy questions come from 200 replications kept in
``truth_differences.json`` (``make truth-differences``); the fitted side runs here, at a size CI can
afford, and is marked slow.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from simcoord import export_log, read_log, simulate
from simcoord.calibration.estimates import Estimate
from simcoord.calibration.fit import FitResult, fit
from simcoord.experiments.experiment import policies_on_base, run_experiment
from simcoord.log.read import ImportedLog
from simcoord.scenario.distributions import Distribution
from simcoord.scenario.levers import IdleLeverWarning
from simcoord.scenario.loading import load_scenario, scenario_from_dict
from simcoord.scenario.paths import set_path
from simcoord.scenario.schema import Scenario
from support import ROOT

HERE = Path(__file__).resolve().parent
TRUTH, MAPPING, DIFFERENCES = HERE / "truth.yaml", HERE / "truth_mapping.yaml", HERE / "truth_differences.json"
POLICIES = sorted((ROOT / "scenarios" / "policies").glob("*.yaml"))
TRUTH_DAYS, TRUTH_SEED = 365, 7
FAMILY_CONFIDENCE = 0.95
#: The fitted side of the policy questions: replications per policy and its root seed (not the
#: truth's answers' seed, so the two are independent).
FITTED_REPLICATIONS, FITTED_SEED = 10, 2026
#: Share of (policy, KPI) pairs whose fitted 95 % interval must cover the truth's mean difference.
#: Not 0.9: the fitted company is biased on a few pairs whatever the seed (it answers the
#: full programme with about -10 deals won where the truth loses about 5, and the SLA policies'
#: first touch a little more strongly), so the count depends on the sample: 37-39 of 42 over root
#: seeds 2026-2028 before the speed work, 32-36 over 2026-2029 after it, with the fitted company's
#: own answers unchanged by that work (20 replications each). The bar catches a fit that goes
#: wrong on more than a few pairs; the biased pairs are a known limit of the fit.
LEAST_COVERED = 0.75


@dataclass(frozen=True)
class Check:
    """One parameter: the truth's value, the fit's estimate and the estimate's 95 % interval."""

    path: str
    truth: float
    estimate: float
    low: float
    high: float
    basis: str

    def widened(self, factor: float) -> "Check":
        """The interval ``factor`` times as wide on either side of the estimate."""
        return replace(self, low=self.estimate - factor * (self.estimate - self.low),
                       high=self.estimate + factor * (self.high - self.estimate))

    @property
    def recovered(self) -> bool:
        return self.low <= self.truth <= self.high

    def line(self) -> str:
        mark = "ok  " if self.recovered else "MISS"
        return (f"{mark} {self.path}: truth {self.truth:.4g}, fitted {self.estimate:.4g} "
                f"[{self.low:.4g}, {self.high:.4g}] ({self.basis})")


def around(path: str, truth: float, estimate: float, standard_error: float, basis: str) -> Check:
    """A check whose 95 % interval is the estimate +/- 1.96 standard errors."""
    half = stats.norm.ppf(0.975) * standard_error
    return Check(path, float(truth), float(estimate), estimate - half, estimate + half, basis)


def given(path: str, truth: float, estimate: Estimate) -> Check:
    """A check on the fit's own 95 % interval."""
    low, high = estimate.interval
    return Check(path, float(truth), float(estimate.value), low, high, f"the fit's interval, n={estimate.n}")


def family_wise(checks: list[Check]) -> list[Check]:
    """Every 95 % interval widened to the Bonferroni level that makes them hold together at
    :data:`FAMILY_CONFIDENCE`."""
    z_family = stats.norm.ppf(1 - (1 - FAMILY_CONFIDENCE) / (2 * len(checks)))
    return [check.widened(z_family / stats.norm.ppf(0.975)) for check in checks]


# ----------------------------------------------------------------------------- the truth, its log, the fit
def with_case_attributes(csv: Path, events: pd.DataFrame) -> None:
    """Put each lead's channel and deal value on its rows of the exported ``csv``, as a CRM's
    export carries a case's source and amount (the lab's flat export leaves them on the lead)."""
    log = pd.read_csv(csv)
    leads = events[events["activity"] == "created"].set_index("id")[["channel", "value"]]
    ids = log["case:concept:name"].str.removeprefix("lead-").astype(int)
    attributes = leads.reindex(ids.to_numpy())
    assert attributes["channel"].notna().all(), "a case of the export is no lead of the run"
    log["channel"], log["value"] = attributes["channel"].to_numpy(), attributes["value"].to_numpy()
    log.to_csv(csv, index=False)


@pytest.fixture(scope="module")
def truth() -> Scenario:
    return load_scenario(TRUTH)


@pytest.fixture(scope="module")
def truth_log(truth, tmp_path_factory) -> ImportedLog:
    """A year of the truth, exported to CSV and read back through the mapping (a few seconds)."""
    run = simulate(truth, seed=TRUTH_SEED, days=TRUTH_DAYS)
    csv = export_log(run.events, truth, tmp_path_factory.mktemp("truth"), "csv")
    with_case_attributes(csv, run.events)
    return read_log(csv, MAPPING)


@pytest.fixture(scope="module")
def fitted(truth_log) -> FitResult:
    return fit(truth_log)


# ----------------------------------------------------------------------------- what is checked
def by_path(result: FitResult) -> dict[str, Estimate]:
    return {estimate.path: estimate for estimate in result.estimates}


def spread(spec: Distribution) -> float:
    """The standard deviation of a scenario distribution (from 100,000 seeded draws)."""
    draw, rng = spec.sampler(), np.random.default_rng(0)
    return float(np.std([draw(rng) for _ in range(100_000)]))


def demand_checks(truth: Scenario, estimates: dict[str, Estimate]) -> list[Check]:
    """Each channel's rate (the fit's interval) and every weekday's and hour's factor (Poisson:
    a factor f of K periods, from n arrivals, has a standard error of sqrt(K f / n))."""
    checks = [given(f"demand.channels.{name}.leads_per_week", channel.leads_per_week,
                    estimates[f"demand.channels.{name}.leads_per_week"])
              for name, channel in truth.demand.channels.items()]
    for field, profile in (("weekly_profile", truth.demand.weekly_profile),
                           ("hourly_profile", truth.demand.hourly_profile)):
        estimate, factors = estimates[f"demand.{field}"], np.asarray(profile) / np.mean(profile)
        checks += [around(f"demand.{field}.{k}", factor, fitted_factor,
                          np.sqrt(len(factors) * factor / estimate.n), f"Poisson, n={estimate.n}")
                   for k, (factor, fitted_factor) in enumerate(zip(factors, estimate.value))]
    return checks


def mean_check(path: str, truth: Distribution, estimate: Estimate) -> Check:
    """The mean of a fitted distribution against the truth's (standard error: the truth's sd / sqrt(n))."""
    fitted_mean = Distribution.model_validate(estimate.value).expected
    return around(f"{path} (mean)", truth.expected, fitted_mean, spread(truth) / np.sqrt(estimate.n),
                  f"sd/sqrt(n), n={estimate.n}")


def work_checks(truth: Scenario, estimates: dict[str, Estimate]) -> list[Check]:
    """Each step's mean work time: the first touch and every stage."""
    checks = [mean_check("funnel.first_touch_hours", truth.funnel.first_touch_hours,
                         estimates["funnel.first_touch_hours"])]
    return checks + [mean_check(f"funnel.stages.{i}.work_hours", stage.work_hours,
                                estimates[f"funnel.stages.{i}.work_hours"])
                     for i, stage in enumerate(truth.funnel.stages)]


def one_probability(table: dict[str, float], path: str) -> float:
    """The one probability of a per-grade table that gives every grade the same."""
    assert len(set(table.values())) == 1, f"{path} differs by grade where the truth does not: {table}"
    return next(iter(table.values()))


def qualification_check(truth: Scenario, estimate: Estimate, log: ImportedLog) -> Check:
    """The first touch's qualification. The fit divides the qualified share r by the mean response
    decay d, so its standard error is the binomial one of r over d (the decay's own error aside)."""
    activities = log.events["activity"]
    qualified, decided = (activities == "sql").sum(), activities.isin(["sql", "invalid"]).sum()
    share, value = qualified / decided, one_probability(estimate.value, estimate.path)
    standard_error = np.sqrt(share * (1 - share) / decided) / (share / value)
    return around(estimate.path, one_probability(truth.funnel.qualification, "truth"), value, standard_error,
                  f"binomial of the qualified share / mean decay, n={decided}")


def conversion_checks(truth: Scenario, estimates: dict[str, Estimate], log: ImportedLog) -> list[Check]:
    """Each step's conversion: the first touch's qualification and every stage's (the fit's interval)."""
    checks = [qualification_check(truth, estimates["funnel.qualification"], log)]
    for i, stage in enumerate(truth.funnel.stages):
        estimate = estimates[f"funnel.stages.{i}.conversion"]
        value = one_probability(estimate.value, estimate.path)
        checks.append(given(estimate.path, one_probability(stage.conversion, "truth"),
                            replace(estimate, value=value)))
    return checks


def recovery_checks(truth: Scenario, result: FitResult, log: ImportedLog) -> list[Check]:
    """Every parameter the test holds the fit to, each with its 95 % interval."""
    estimates = by_path(result)
    staff = estimates["organisation.sales.staff"]
    decay = [given(f"funnel.response_decay.{name}", getattr(truth.funnel.response_decay, name),
                   estimates[f"funnel.response_decay.{name}"]) for name in ("half_life_hours", "floor")]
    return [*demand_checks(truth, estimates), given(staff.path, truth.organisation.sales.staff, staff),
            *work_checks(truth, estimates), *conversion_checks(truth, estimates, log), *decay,
            mean_check("lead_mix.deal_value", truth.lead_mix.deal_value, estimates["lead_mix.deal_value"])]


def report(checks: list[Check]) -> str:
    missed = sum(not check.recovered for check in checks)
    return (f"{len(checks)} parameters checked, {len(checks) - missed} recovered, {missed} missed "
            f"(family-wise {FAMILY_CONFIDENCE:.0%} intervals):\n" + "\n".join(check.line() for check in checks))


# ----------------------------------------------------------------------------- the tests
@pytest.fixture(scope="module")
def checks(truth, truth_log, fitted) -> list[Check]:
    """Every parameter's check at the family-wise level, printed with the first test that uses it."""
    return family_wise(recovery_checks(truth, fitted, truth_log))


def test_the_fit_recovers_the_truths_parameters_within_their_sampling_error(checks):
    print(report(checks))
    assert len(checks) >= 40  # rates, 7 + 24 profile factors, staff, 4 work times, 4 conversions, decay, value
    assert all(check.recovered for check in checks), report(checks)


def shifted_truth(truth: Scenario) -> Scenario:
    """The truth with five parameters moved by amounts a year of its log can tell apart."""
    data = truth.model_dump(mode="json")
    for path, value in {"demand.channels.web.leads_per_week": 80.0, "organisation.sales.staff": 6,
                        "funnel.response_decay.half_life_hours": 16.0, "lead_mix.deal_value.mean": 26_000.0,
                        "funnel.stages.0.conversion": {grade: 0.76 for grade in truth.funnel.stages[0].conversion}
                        }.items():
        data = set_path(data, path, value)
    return scenario_from_dict(data)


def test_the_check_refuses_a_truth_the_log_did_not_come_from(truth, truth_log, fitted):
    shifted = family_wise(recovery_checks(shifted_truth(truth), fitted, truth_log))
    missed = {check.path for check in shifted if not check.recovered}
    assert {"demand.channels.web.leads_per_week", "organisation.sales.staff",
            "funnel.response_decay.half_life_hours", "lead_mix.deal_value (mean)",
            "funnel.stages.0.conversion"} <= missed, report(shifted)


# ----------------------------------------------------------------------------- the policy questions
def coverage(table: pd.DataFrame, answers: dict) -> pd.DataFrame:
    """Per (policy, KPI): the fitted 95 % interval of the paired difference and whether it covers
    the truth's mean difference (a difference without spread, e.g. a fixed cost, to float rounding)."""
    rows = table[table["kpi"].isin(answers["kpis"])].copy()
    rows["truth"] = [answers["differences"][p][k]["mean"] for p, k in zip(rows["policy"], rows["kpi"])]
    slack = 1e-9 * np.maximum(1.0, rows["truth"].abs())
    rows["covered"] = (rows["diff_lo"] - slack <= rows["truth"]) & (rows["truth"] <= rows["diff_hi"] + slack)
    return rows[["policy", "kpi", "truth", "diff", "diff_lo", "diff_hi", "covered"]]


def on_the_truths_days(scenario: Scenario, truth: Scenario) -> Scenario:
    """The fitted company on the truth's calendar days (the fit starts its calendar at its cut-off)."""
    calendar = scenario.calendar.model_copy(update={"start_date": truth.calendar.start_date})
    return scenario.model_copy(update={"calendar": calendar})


@pytest.mark.slow
def test_the_fitted_company_answers_the_shipped_policies_as_the_truth_does(truth, fitted):
    answers = json.loads(DIFFERENCES.read_text())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IdleLeverWarning)  # meetings with production staff and the like
        scenarios = policies_on_base(on_the_truths_days(fitted.scenario, truth), POLICIES, base_name="fitted")
    experiment = run_experiment(scenarios, FITTED_REPLICATIONS, FITTED_SEED, answers["days"], progress=False)
    rows = coverage(experiment.compare(baseline="fitted"), answers)
    summary = (f"{int(rows['covered'].sum())} of {len(rows)} policy-KPI pairs covered by the fitted model's 95 % "
               f"interval ({FITTED_REPLICATIONS} replications; the truth's means from {answers['replications']})")
    print(summary + "\n" + rows.to_string(index=False))
    assert len(rows) == len(POLICIES) * len(answers["kpis"])
    assert rows["covered"].mean() >= LEAST_COVERED, summary + "\n" + rows[~rows["covered"]].to_string(index=False)
