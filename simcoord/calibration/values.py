"""What a lead brings: its deal value, tier and grade mix, and the probability tables (per grade,
channel or value band) that the screen, the qualification and the stages decide with.

Everything is read from the lab's rows (an imported log's or a simulated run's): a lead's
attributes are the first its rows give (the ``created`` row carries them in both).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from simcoord.calibration.distributions import estimate_distribution
from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.vocabulary import GRADES, TIERS

#: A difference between groups counts only at this significance (chi-square test of independence).
SIGNIFICANCE = 0.01
#: Value bands for a probability by deal value: the quartiles of the values.
VALUE_QUANTILES = (0.25, 0.5, 0.75)
LEAD_ATTRIBUTES = ("value", "channel", "grade", "tier")


def lead_attributes(events: pd.DataFrame) -> pd.DataFrame:
    """One row per lead (index ``id``): the first value, channel, grade and tier its rows give
    (NaN where the log has none); ``created`` rows first, as they carry them."""
    leads = events[events["kind"] == "lead"]
    ordered = pd.concat([leads[leads["activity"] == "created"], leads[leads["activity"] != "created"]])
    columns = [name for name in LEAD_ATTRIBUTES if name in ordered]
    table = ordered.groupby("id", sort=True, observed=True)[columns].first() if columns else pd.DataFrame()
    for name in LEAD_ATTRIBUTES:
        if name not in table:
            table[name] = np.nan
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    return table


def known(column: pd.Series) -> bool:
    """Whether a lead attribute is in the log at all (some lead carries it)."""
    return bool(column.notna().any())


# ----------------------------------------------------------------- the lead mix
def fit_lead_mix(leads: pd.DataFrame) -> list[Estimate]:
    """``lead_mix``: the deal value's distribution, the tier and grade shares where the log carries
    them (assumed otherwise, with why), and one industry (the log names none)."""
    estimates = _tier_estimates(leads)
    multipliers = estimates[1].value if known(leads["tier"]) else dict.fromkeys(TIERS, 1.0)
    base = leads["value"] / leads["tier"].map(multipliers).astype(float).fillna(1.0)
    default = {"dist": "lognormal", "mean": 18000.0, "sd": 12000.0}
    estimates.append(estimate_distribution("lead_mix.deal_value", base, "deal value (currency) of the cases", default,
                                           exact_values=True)
                     if known(leads["value"]) else
                     assumed("lead_mix.deal_value", default, "the log has no deal values: the lab's default, which "
                             "sets revenue only (no probability table depends on value)"))
    estimates.append(_grade_shares(leads))
    estimates.append(assumed("lead_mix.industries", {"all": {"share": 1.0, "score_validity_days": 90.0}},
                             "the log names no industries; one industry (its score validity matters only "
                             "with nurture)"))
    return estimates


def _tier_estimates(leads: pd.DataFrame) -> list[Estimate]:
    """Tier shares and each tier's value multiplier (its mean value over the overall mean)."""
    tiers = leads["tier"].dropna()
    if tiers.empty:
        why = "the log has no tier: every lead is 'small' with value multiplier 1"
        return [assumed("lead_mix.tier_shares", {"small": 1.0}, why),
                assumed("lead_mix.tier_value_multiplier", dict.fromkeys(TIERS, 1.0), why)]
    shares = tiers.value_counts(normalize=True).reindex(list(TIERS), fill_value=0.0)
    values = leads.dropna(subset=["tier", "value"])
    overall = values["value"].mean() if len(values) else np.nan
    means = values.groupby("tier")["value"].mean() / overall if overall > 0 else pd.Series(dtype=float)
    multipliers = {tier: float(means.get(tier, 1.0)) if np.isfinite(means.get(tier, 1.0)) else 1.0 for tier in TIERS}
    return [fitted("lead_mix.tier_shares", _shares(shares), f"share of each tier among {len(tiers)} leads",
                   len(tiers)),
            fitted("lead_mix.tier_value_multiplier", multipliers, f"mean deal value of each tier over the "
                   f"mean of all {len(values)} leads with a value", len(values))]


def _grade_shares(leads: pd.DataFrame) -> Estimate:
    grades = leads["grade"].dropna()
    if grades.empty:
        return assumed("lead_mix.grade_shares", {"L1": 0.34, "L2": 0.28, "L3": 0.2, "L4": 0.11, "L5": 0.07},
                       "the log has no lead grades; every probability table is the same for all grades, so "
                       "the mix changes no outcome")
    shares = grades.value_counts(normalize=True).reindex(list(GRADES), fill_value=0.0)
    return fitted("lead_mix.grade_shares", _shares(shares), f"share of each grade among {len(grades)} leads",
                  len(grades))


def _shares(shares: pd.Series) -> dict[str, float]:
    """Shares rounded to 6 places that still sum to 1 (the largest takes the rounding)."""
    rounded = shares.round(6)
    rounded[rounded.idxmax()] += 1.0 - rounded.sum()
    return {str(name): float(share) for name, share in rounded.items() if share > 0}


# ----------------------------------------------------------------- probability tables
def probability_tables(decided: pd.DataFrame, leads: pd.DataFrame, prefix: str, what: str,
                       fields: dict[str, str]) -> list[Estimate]:
    """Estimates of a yes/no decision's probability tables (``prefix`` + a field name) from
    ``decided`` (index: lead ids, column ``ok``: the outcome; a lead may appear more than once).

    ``fields`` maps ``grade``, ``channel``, ``value`` (and ``flat`` for a table without grades)
    to the scenario field names. Per grade where the log has grades (else the overall share for
    every grade); by value band or by channel as well where the shares differ significantly."""
    attributes = leads.reindex(decided.index)
    ok, n = decided["ok"].astype(bool).to_numpy(), len(decided)
    rate = float(ok.mean())
    basis = f"share of {n} {what}"
    estimates = [_grade_table(ok, attributes["grade"], prefix + fields["grade"], basis, rate, n)]
    if "channel" in fields and _differs(ok, attributes["channel"]):
        channels = pd.Series(ok).groupby(attributes["channel"].to_numpy()).mean()
        estimates.append(fitted(prefix + fields["channel"], {str(c): round(float(p), 6) for c, p in channels.items()},
                                f"{basis}, per channel (they differ, chi-square p < {SIGNIFICANCE})", n))
    bands = value_bands(ok, attributes["value"])
    if "value" in fields and bands is not None:
        estimates.append(fitted(prefix + fields["value"], bands, f"{basis}, per deal-value quartile (they differ, "
                                                                   f"chi-square p < {SIGNIFICANCE})", n))
    return estimates


def _grade_table(ok: np.ndarray, grades: pd.Series, path: str, basis: str, rate: float, n: int) -> Estimate:
    """One probability per grade: each grade's share where the log has grades that differ
    significantly, else the overall share for every grade."""
    if not known(grades) or not _differs(ok, grades):
        why = "the log has no grades" if not known(grades) else "no significant difference between grades"
        return fitted(path, dict.fromkeys(GRADES, round(rate, 6)), f"{basis} ({why}: the same for every grade)",
                      n, wilson_interval(int(ok.sum()), n))
    by_grade = pd.Series(ok).groupby(grades.to_numpy()).mean()
    table = {grade: round(float(by_grade.get(grade, rate)), 6) for grade in GRADES}
    return fitted(path, table, f"{basis}, per grade (a grade the log lacks: the overall {rate:.3f})", n)


def wilson_interval(successes: int, n: int) -> tuple[float, float] | None:
    """95 % Wilson interval of a share (None without observations)."""
    if n == 0:
        return None
    low, high = proportion_confint(successes, n, alpha=0.05, method="wilson")
    return float(low), float(high)


def _differs(ok: np.ndarray, groups: pd.Series) -> bool:
    """Whether the outcome's share differs between ``groups`` (two or more, chi-square test)."""
    labels = groups.to_numpy()
    present = pd.notna(labels)
    if present.sum() == 0 or pd.Series(labels[present]).nunique() < 2:
        return False
    table = pd.crosstab(labels[present], ok[present])
    if table.shape[1] < 2:
        return False
    return bool(stats.chi2_contingency(table.to_numpy())[1] < SIGNIFICANCE)


def value_bands(ok: np.ndarray, values: pd.Series) -> dict[str, list[float]] | None:
    """Probabilities per deal-value quartile (a ``ValueBands`` mapping) where they differ
    significantly, else None."""
    present = values.notna().to_numpy()
    if present.sum() < 40:
        return None
    amounts = values.to_numpy(dtype=float)[present]
    bounds = sorted(set(np.quantile(amounts, VALUE_QUANTILES).round(2)))
    band = np.searchsorted(bounds, amounts, side="left")  # a value equal to a bound: the lower band
    if not _differs(ok[present], pd.Series(band)):
        return None
    shares = pd.Series(ok[present]).groupby(band).mean().reindex(range(len(bounds) + 1))
    return {"upper_bounds": [float(b) for b in bounds],
            "probabilities": [round(float(p), 6) for p in shares.fillna(float(ok[present].mean()))]}
