"""The effect of response time on qualification: the response decay's half-life and floor, by
maximum likelihood (statsmodels).

The model qualifies a lead touched ``t`` clock hours after its hand-over with probability
``q x (floor + (1 - floor) x 0.5 ** (t / half_life))`` (``model.sales.qualifies``). Each lead of
the log with a first touch and an outcome (``sql`` or ``invalid``) is one Bernoulli observation of
that; the three parameters are fitted on unbounded scales (logit q, logit floor, log half-life),
so their 95 % intervals, from the standard errors there, stay inside their bounds.

Input: the lab-schema events (an imported log or a simulated run), already cut to the fitting
window; times in hours.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats
from scipy.special import expit, logit
from statsmodels.base.model import GenericLikelihoodModel
from statsmodels.tools.sm_exceptions import ConvergenceWarning, HessianInversionWarning

from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.scenario.schema import ResponseDecaySpec

HALF_LIFE, FLOOR = "funnel.response_decay.half_life_hours", "funnel.response_decay.floor"
MIN_LEADS = 200  # leads with a first touch and an outcome
MIN_EACH_OUTCOME = 20  # qualified and not: a rate needs both
SIGNIFICANCE = 0.05  # of the likelihood-ratio test against no effect
Z95 = stats.norm.ppf(0.975)
#: A half-life interval wider than this factor (high / low) is no estimate the model should run on.
MAX_HALF_LIFE_SPREAD = 100.0
#: Starting half-lives (hours) of the search: the likelihood is not concave in the half-life.
START_HALF_LIVES = (1.0, 8.0, 48.0, 240.0)


class ResponseDecayModel(GenericLikelihoodModel):
    """Bernoulli outcomes ``endog`` (1 = qualified) at hours to first touch ``exog[:, 0]``;
    parameters (logit q, logit floor, log half-life)."""

    def nloglikeobs(self, params: np.ndarray) -> np.ndarray:
        p = qualification_chance(self.exog[:, 0], *natural(params))
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return -(self.endog * np.log(p) + (1 - self.endog) * np.log1p(-p))


def natural(params: np.ndarray) -> tuple[float, float, float]:
    """(q, floor, half-life in hours) from the unbounded parameters."""
    return float(expit(params[0])), float(expit(params[1])), float(np.exp(params[2]))


def qualification_chance(hours: np.ndarray, q: float, floor: float, half_life: float) -> np.ndarray:
    """The model's qualification probability after ``hours`` to first touch: ``q`` times
    ``model.sales.response_multiplier`` (the model's scalar rule), for arrays of hours."""
    return q * (floor + (1 - floor) * 0.5 ** (np.maximum(hours, 0.0) / half_life))


def first_touch_outcomes(events: pd.DataFrame) -> pd.DataFrame:
    """Per lead: ``hours`` from its latest hand-over (``mql``) to its first ``first_touch``, and
    ``qualified`` (1 if the first outcome after that touch is ``sql``, 0 if ``invalid``); leads
    without a hand-over, a touch or an outcome yet are left out."""
    leads = events[events["kind"] == "lead"] if "kind" in events else events
    rows = leads.loc[leads["activity"].isin(["mql", "first_touch", "sql", "invalid"]), ["id", "time", "activity"]]
    rows = rows.astype({"activity": str}).sort_values(["id", "time"], kind="stable")
    touch = rows[rows["activity"] == "first_touch"].groupby("id")["time"].first().rename("touched")
    rows = rows.join(touch, on="id")
    handed = rows[(rows["activity"] == "mql") & (rows["time"] <= rows["touched"])].groupby("id")["time"].last()
    outcome = rows[rows["activity"].isin(["sql", "invalid"]) & (rows["time"] >= rows["touched"])]
    first_outcome = outcome.groupby("id")["activity"].first()
    table = pd.DataFrame({"hours": touch - handed, "qualified": (first_outcome == "sql").astype(float)})
    return table.dropna()


def fit_response_decay(events: pd.DataFrame) -> list[Estimate]:
    """Estimates of ``funnel.response_decay`` (``half_life_hours``, ``floor``) with 95 % intervals,
    or assumed values saying why the log cannot tell (too few leads or outcomes, no visible effect,
    an effect whose half-life the data cannot pin down)."""
    table = first_touch_outcomes(events)
    hours, qualified = table["hours"].to_numpy(), table["qualified"].to_numpy()
    too_few = unfit_reason(qualified)
    if too_few:
        return assumed_decay(too_few)
    result = best_fit(hours, qualified)
    q, floor, half_life = natural(result.params)
    lr_p = no_effect_p_value(result.llf, qualified)
    shape = (f"q = {q:.3f} at an immediate touch, floor {floor:.3f}, half-life {half_life:.3g} h; "
             f"likelihood-ratio test against no effect p = {lr_p:.2g}; {len(table)} leads, median "
             f"{np.median(hours):.3g} h to first touch")
    if lr_p >= SIGNIFICANCE:
        return assumed_decay(f"the log shows no effect of response time on qualification ({shape})",
                             ResponseDecaySpec().half_life_hours, 1.0)
    intervals = wald_intervals(result)
    if intervals is None or intervals[1][1] / intervals[1][0] > MAX_HALF_LIFE_SPREAD:
        return assumed_decay(f"an effect the log cannot pin down: the half-life's interval spans more than a "
                             f"factor {MAX_HALF_LIFE_SPREAD:g} ({shape})")
    basis = f"maximum likelihood, Bernoulli per lead, sql vs invalid after the first touch: {shape}"
    data = np.column_stack([hours, qualified])
    return [fitted(HALF_LIFE, round(half_life, 3), basis, len(table), intervals[1], data),
            fitted(FLOOR, round(floor, 4), basis, len(table), intervals[0], data)]


def unfit_reason(qualified: np.ndarray) -> str:
    """Why these outcomes are too few to fit (empty when they suffice)."""
    successes = int(qualified.sum())
    if len(qualified) < MIN_LEADS:
        return (f"only {len(qualified)} leads have a hand-over, a first touch and an outcome (sql or invalid); "
                f"the effect of response time needs {MIN_LEADS}")
    if min(successes, len(qualified) - successes) < MIN_EACH_OUTCOME:
        return (f"{successes} of {len(qualified)} touched leads qualified: too few of one outcome (need "
                f"{MIN_EACH_OUTCOME} of each) to see an effect of response time")
    return ""


def assumed_decay(why: str, half_life: float | None = None, floor: float | None = None) -> list[Estimate]:
    """Assumed half-life and floor (the lab's defaults unless given), both saying ``why``."""
    default = ResponseDecaySpec()
    return [assumed(HALF_LIFE, default.half_life_hours if half_life is None else half_life, why),
            assumed(FLOOR, default.floor if floor is None else floor, why)]


def best_fit(hours: np.ndarray, qualified: np.ndarray):
    """The maximum-likelihood fit, the best of several starting half-lives."""
    model = ResponseDecayModel(qualified, hours[:, None], extra_params_names=["logit_floor", "log_half_life"])
    start_q = logit(np.clip(qualified[hours <= np.median(hours)].mean(), 0.02, 0.98))
    fits = []
    with warnings.catch_warnings():
        # statsmodels counts the two extra parameters against its degrees of freedom: a cosmetic warning
        warnings.simplefilter("ignore", (ConvergenceWarning, HessianInversionWarning, RuntimeWarning, UserWarning))
        for half_life in START_HALF_LIVES:
            start = np.array([start_q, 0.0, np.log(half_life)])
            fits.append(model.fit(start_params=start, method="bfgs", maxiter=500, disp=False))
    return max(fits, key=lambda result: result.llf)


def no_effect_p_value(llf: float, qualified: np.ndarray) -> float:
    """p-value of the likelihood-ratio test of the decay against one constant rate (2 df)."""
    rate = np.clip(qualified.mean(), 1e-12, 1 - 1e-12)
    constant = float(np.sum(qualified * np.log(rate) + (1 - qualified) * np.log1p(-rate)))
    return float(stats.chi2.sf(max(2 * (llf - constant), 0.0), df=2))


def wald_intervals(result) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """95 % intervals of (floor, half-life) from the standard errors on the unbounded scales,
    mapped back; None when the information matrix gives no standard error."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        se = np.asarray(result.bse, dtype=float)
    if not np.all(np.isfinite(se[1:])):
        return None
    floor = expit(result.params[1] + np.array([-Z95, Z95]) * se[1])
    half_life = np.exp(result.params[2] + np.array([-Z95, Z95]) * se[2])
    return (round(float(floor[0]), 4), round(float(floor[1]), 4)), (round(float(half_life[0]), 3),
                                                                     round(float(half_life[1]), 3))
