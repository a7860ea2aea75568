"""Demand from a log's lead arrivals: leads per week per channel, and the weekday, hour-of-day and
month profiles the model multiplies that rate by.

The model (``model.marketing``) draws a channel's leads at ``leads_per_week / 168`` per hour times
the weekday's, the month's and the hour's factor, each profile normalised to mean 1. So the
profiles here are relative arrival rates per weekday, hour and month scaled to mean 1, and a
channel's rate is its count divided by the profile-weighted exposure of the window: the number
the model needs to draw as many leads over the same days.

Input: the lab-schema events (an imported log or a simulated run), already cut to the fitting
window; times are wall-clock hours since ``start_date`` 00:00, the window is ``days`` long.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import acorr_ljungbox
from statsmodels.stats.rates import confint_poisson

from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.vocabulary import HOURS_PER_DAY

#: Channels the model's own service creates (repurchase and referral leads, see
#: ``Scenario.lead_channels``): their leads follow from service's parameters, not from demand.
FOLLOW_ON_CHANNELS = ("repurchase", "referral")
#: The channel name when the log carries no channel attribute.
SINGLE_CHANNEL = "all"
DAYS_PER_WEEK = 7
MIN_DAYS_FOR_WEEKDAYS = 14  # two of each weekday at least
MIN_LEADS_FOR_HOURS = 240  # about ten per hour of the day
MIN_DAYS_FOR_SEASON = 365  # every calendar month once; less confounds a month's level with trend
MIN_WEEKS_FOR_TREND = 8
MIN_WEEKS_FOR_VARIATION = 4  # fewer whole weeks cannot tell a week's variation from Poisson noise
MIN_WEEKS_FOR_PERSISTENCE = 8  # seven pairs of neighbouring weeks at least
MAX_LEVEL_UNCERTAINTY = 1.0  # the scenario's bound: a level known no better than that is not known
MAX_PERSISTENCE = 0.95  # the scenario's bound: a demand that never returns to its level is a trend
MIN_MISSING_ARRIVALS = 20  # a quiet end this improbable (Poisson: e^-20) means the log stopped taking cases


def fit_arrivals(events: pd.DataFrame, start_date: dt.date, days: float,
                 channel_name: str = SINGLE_CHANNEL) -> list[Estimate]:
    """Estimates of ``demand``: each channel's ``leads_per_week`` (95 % interval: exact Poisson,
    widened by the weekly counts' overdispersion and their persistence) and ``level_uncertainty``
    (that interval as a coefficient of variation), ``weekly_profile``, ``hourly_profile`` and
    ``seasonal_profile`` (each mean 1), ``weekly_variation`` (the weekly counts' overdispersion as
    the coefficient of variation of a gamma factor per week), ``weekly_persistence`` (how much a
    week's factor carries over to the next) and ``campaigns`` (assumed none).

    Leads are the ``created`` rows of kind lead; their ``channel`` attribute where the log has one,
    else every lead is of one channel, ``channel_name``. Raises ValueError without any lead."""
    leads = lead_arrivals(events, channel_name)
    if leads.empty:
        raise ValueError("the fitting window has no lead arrivals ('created' rows): demand cannot be fitted")
    days_in_window = arrival_days(leads, int(np.ceil(days)))
    leads = leads[leads["day"] < days_in_window]
    calendar = window_days(start_date, days_in_window)
    per_day = np.bincount(leads["day"], minlength=days_in_window)
    weekly, seasonal = weekly_profile(per_day, calendar), seasonal_profile(per_day, calendar)
    exposure_weeks = profile_exposure(calendar, weekly.value, seasonal.value) / DAYS_PER_WEEK
    cut = "" if days_in_window == int(np.ceil(days)) else (
        f" (arrivals stop after day {days_in_window} of {int(np.ceil(days))}: the log's last days have none "
        f"where {MIN_MISSING_ARRIVALS} or more were due, so its extract ends there)")
    daily_share = day_weights(calendar, weekly.value, seasonal.value)
    variation = weekly_variation(leads, daily_share)
    persistence = weekly_persistence(leads, daily_share, variation.value)
    rates = [estimate for name, group in leads.groupby("channel", sort=True)
             for estimate in channel_rate(name, group, exposure_weeks, days_in_window, cut, persistence.value)]
    return [*rates, weekly, hourly_profile(leads, days_in_window), seasonal, variation, persistence,
            assumed("demand.campaigns", [], "the log does not mark campaign leads: their arrivals are part of "
                                            "the channels' rates, and no one-off campaign is modelled")]


def lead_arrivals(events: pd.DataFrame, channel_name: str) -> pd.DataFrame:
    """The leads' arrivals: ``time`` (hours), ``day`` (whole days since the start) and ``channel``."""
    rows = events[(events["kind"] == "lead") & (events["activity"] == "created")]
    has_channel = "channel" in rows and rows["channel"].notna().any()
    channel = rows["channel"].astype(object).fillna(channel_name) if has_channel else channel_name
    leads = pd.DataFrame({"time": rows["time"].astype(float), "channel": channel})
    leads = leads[~leads["channel"].isin(FOLLOW_ON_CHANNELS) & (leads["time"] >= 0)]
    return leads.assign(day=(leads["time"] // HOURS_PER_DAY).astype(int))


def arrival_days(leads: pd.DataFrame, days: int) -> int:
    """The days of the window that arrivals were recorded in: ``days``, or fewer when the window
    ends with a stretch without arrivals in which at least ``MIN_MISSING_ARRIVALS`` were due at
    the window's mean rate (an extract that stops taking new cases before its last events)."""
    last_day = int(leads["day"].max()) + 1
    mean_per_day = len(leads) / max(last_day, 1)
    return last_day if (days - last_day) * mean_per_day >= MIN_MISSING_ARRIVALS else days


def window_days(start_date: dt.date, days: int) -> pd.DataFrame:
    """Each day of the window: its ``weekday`` (0 = Monday) and calendar ``month`` (1-12)."""
    dates = pd.date_range(start_date, periods=days, freq="D")
    return pd.DataFrame({"weekday": dates.day_of_week, "month": dates.month})


def relative_levels(per_day: np.ndarray, period: np.ndarray, periods: int) -> np.ndarray:
    """Mean arrivals per day of each period (weekday, month), normalised to mean 1 over the periods."""
    totals = np.bincount(period, weights=per_day, minlength=periods)
    exposure = np.bincount(period, minlength=periods)
    levels = totals / exposure
    return levels / levels.mean()


def weekly_profile(per_day: np.ndarray, calendar: pd.DataFrame) -> Estimate:
    """Mon..Sun factors: each weekday's mean arrivals per day relative to the others'."""
    path = "demand.weekly_profile"
    if len(per_day) < MIN_DAYS_FOR_WEEKDAYS:
        return assumed(path, [1.0] * DAYS_PER_WEEK, f"the window has {len(per_day)} days; a weekday profile "
                                                    f"needs {MIN_DAYS_FOR_WEEKDAYS} (two of each weekday): flat")
    weekday = calendar["weekday"].to_numpy()
    factors = relative_levels(per_day, weekday, DAYS_PER_WEEK)
    return fitted(path, rounded(factors), f"mean arrivals per weekday over {len(per_day)} days, relative "
                                          f"to the mean of the seven (mean 1)", int(per_day.sum()),
                  data=np.column_stack([weekday, per_day]))


def seasonal_profile(per_day: np.ndarray, calendar: pd.DataFrame) -> Estimate:
    """Jan..Dec factors, only from a window of a year or more; else flat, saying why."""
    path = "demand.seasonal_profile"
    if len(per_day) < MIN_DAYS_FOR_SEASON:
        months = calendar["month"].nunique()
        return assumed(path, [1.0] * 12, f"the window covers {len(per_day)} days ({months} calendar months); a "
                                         f"season needs a whole year at least, else a month's level cannot be "
                                         f"told from trend and noise: flat")
    month = calendar["month"].to_numpy() - 1
    factors = relative_levels(per_day, month, 12)
    return fitted(path, rounded(factors), f"mean arrivals per day of each calendar month over {len(per_day)} "
                                          f"days, relative to the mean of the twelve (mean 1)", int(per_day.sum()),
                  data=np.column_stack([month, per_day]))


def hourly_profile(leads: pd.DataFrame, days: int) -> Estimate:
    """Factors per hour of the local day 0..23 (mean 1): arrivals per hour of the day."""
    path = "demand.hourly_profile"
    if len(leads) < MIN_LEADS_FOR_HOURS or days < 1:
        return assumed(path, None, f"{len(leads)} arrivals are too few for an hour-of-day profile (need "
                                   f"{MIN_LEADS_FOR_HOURS}): flat")
    hour = (leads["time"] % HOURS_PER_DAY).astype(int).to_numpy()
    slot = np.minimum(leads["day"].to_numpy(), days - 1) * 24 + hour
    per_slot = np.bincount(slot, minlength=days * 24)[: days * 24]
    factors = per_slot.reshape(days, 24).mean(axis=0)
    factors = factors / factors.mean()
    return fitted(path, rounded(factors), f"arrivals per hour of the local day over {days} days, relative to "
                                          f"the mean hour (mean 1)", len(leads),
                  data=np.column_stack([np.tile(np.arange(24), days), per_slot]))


def profile_exposure(calendar: pd.DataFrame, weekly: list[float], seasonal: list[float]) -> float:
    """The window's length in days weighted by the weekday and month factors: the days the model's
    base rate runs for, so that ``count / exposure`` reproduces the count (each profile has mean 1)."""
    weekly_factor = np.asarray(weekly)[calendar["weekday"].to_numpy()]
    seasonal_factor = np.asarray(seasonal)[calendar["month"].to_numpy() - 1]
    return float(np.sum(weekly_factor * seasonal_factor))


def day_weights(calendar: pd.DataFrame, weekly: list[float], seasonal: list[float]) -> np.ndarray:
    """Each day's share of the window's expected arrivals under the weekday and month profiles."""
    weights = np.asarray(weekly)[calendar["weekday"].to_numpy()] * np.asarray(seasonal)[calendar["month"].to_numpy() - 1]
    return weights / weights.sum()


def weekly_residuals(leads: pd.DataFrame, daily_share: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per channel, its whole weeks' observed counts and the counts the weekday and month profiles
    expect of them (scaled to the whole weeks' total): the weeks' demand, net of the profiles."""
    weeks = len(daily_share) // DAYS_PER_WEEK
    week_share = daily_share[: weeks * DAYS_PER_WEEK].reshape(weeks, DAYS_PER_WEEK).sum(axis=1)
    pairs = []
    for _, group in leads.groupby("channel", sort=True):
        observed = np.bincount(group["day"] // DAYS_PER_WEEK, minlength=weeks)[:weeks]
        expected = week_share * len(group)
        pairs.append((observed, expected * observed.sum() / expected.sum()))  # the whole weeks' mean
    return pairs


def weekly_variation(leads: pd.DataFrame, daily_share: np.ndarray) -> Estimate:
    """``demand.weekly_variation``: the coefficient of variation cv of the model's per-week gamma
    factor, by the method of moments on each channel's whole-week counts (7-day blocks from the
    start). A week's expected count ``m`` is the channel's total times the week's share under the
    weekday and month profiles (so neither counts as variation); a negative binomial week has
    variance ``m + cv^2 m^2``, so cv^2 = sum((n - m)^2 W/(W-1) - n) / sum(m^2) over the channels'
    W weeks (0 where the counts vary no more than Poisson's)."""
    path, weeks = "demand.weekly_variation", len(daily_share) // DAYS_PER_WEEK
    if weeks < MIN_WEEKS_FOR_VARIATION:
        return assumed(path, 0.0, f"{weeks} whole weeks are too few to tell week-to-week variation from "
                                  f"Poisson noise (need {MIN_WEEKS_FOR_VARIATION}): Poisson arrivals")
    excess, scale, counts = 0.0, 0.0, []
    for observed, expected in weekly_residuals(leads, daily_share):
        excess += float(np.sum((observed - expected) ** 2) * weeks / (weeks - 1) - observed.sum())
        scale, counts = scale + float(np.sum(expected**2)), [*counts, observed]
    cv = float(np.sqrt(max(excess, 0.0) / scale)) if scale > 0 else 0.0
    ratio = 1 + excess / sum(float(c.sum()) for c in counts) if counts else 1.0
    return fitted(path, round(cv, 4), f"weekly counts over {weeks} whole weeks vary {max(ratio, 1.0):.2f} x as "
                                      f"much as Poisson's (weekday and month profiles removed): method of "
                                      f"moments, variance = mean + cv^2 mean^2", int(sum(c.sum() for c in counts)))
    # no data to chart: the weekly counts are charted with the channels' rates, on their own scale


def weekly_persistence(leads: pd.DataFrame, daily_share: np.ndarray, cv: float) -> Estimate:
    """``demand.weekly_persistence``: the lag-1 correlation of the weeks' demand factors, by the
    method of moments on the same whole-week counts as :func:`weekly_variation` (a week's count
    is Poisson around ``m f``, so the covariance of neighbouring weeks' counts is
    ``m m' cv^2 rho``), taken as the AR(1) coefficient of the factors' normal scores, clipped to
    ``[0, 0.95]`` (from deviations about the weeks' own mean, so biased low by about (1 + 4 rho)/W
    over W weeks); with the Ljung-Box test at lag 1 of each channel's Pearson residuals (their Q
    added up). Only fitted where the weekly counts vary clearly more than Poisson's (a dispersion
    test at 5 %): with chance overdispersion the ratio has next to nothing below it."""
    path, weeks = "demand.weekly_persistence", len(daily_share) // DAYS_PER_WEEK
    if weeks < MIN_WEEKS_FOR_PERSISTENCE:
        return assumed(path, 0.0, f"{weeks} whole weeks are too few to tell how a week's demand carries over "
                                  f"to the next (need {MIN_WEEKS_FOR_PERSISTENCE}): independent weeks")
    pairs = weekly_residuals(leads, daily_share)
    dispersion = sum(float(np.sum((observed - expected) ** 2 / expected)) for observed, expected in pairs)
    dispersion_p = float(stats.chi2.sf(dispersion, len(pairs) * (weeks - 1)))
    if cv <= 0 or dispersion_p >= 0.05:
        return assumed(path, 0.0, f"the weekly counts do not vary clearly more than Poisson's (dispersion test, "
                                  f"p = {dispersion_p:.2g}): no weekly factor to persist, independent weeks")
    covariance, scale, q_statistic, count = 0.0, 0.0, 0.0, 0
    for observed, expected in pairs:
        count += int(observed.sum())
        deviation = observed - expected
        covariance += float(np.sum(deviation[1:] * deviation[:-1]))
        scale += float(np.sum(expected[1:] * expected[:-1]))
        residuals = deviation / np.sqrt(expected + cv**2 * expected**2)
        q_statistic += float(acorr_ljungbox(residuals, lags=[1])["lb_stat"].iloc[0])
    rho = float(np.clip(covariance / (cv**2 * scale), 0.0, MAX_PERSISTENCE)) if scale > 0 else 0.0
    p_value = float(stats.chi2.sf(q_statistic, len(pairs)))
    return fitted(path, round(rho, 3), f"neighbouring weeks' counts over {weeks} whole weeks covary as factors "
                                       f"correlated {rho:.2f} do (method of moments, clipped to 0-"
                                       f"{MAX_PERSISTENCE}, biased low over few weeks); Ljung-Box test of lag 1, "
                                       f"p = {p_value:.2g}", count)


def persistence_factor(rho: float, weeks: int) -> float:
    """How much more a mean over ``weeks`` weeks varies when neighbouring weeks correlate ``rho``
    (AR(1)) than when they are independent: 1 + 2 sum_k (1 - k/W) rho^k."""
    lags = np.arange(1, max(weeks, 1))
    return float(1 + 2 * np.sum((1 - lags / max(weeks, 1)) * rho**lags))


def channel_rate(channel: str, leads: pd.DataFrame, exposure_weeks: float, days: int, cut: str = "",
                 persistence: float = 0.0) -> tuple[Estimate, Estimate]:
    """``leads_per_week`` of one channel, with its interval, trend note and weekly counts, and its
    ``level_uncertainty``: the rate's relative standard error. Both widen the Poisson error by the
    weekly counts' overdispersion and, where weeks persist (``persistence`` = rho), by the fewer
    independent weeks that makes of them: the excess over Poisson x :func:`persistence_factor`."""
    count, prefix = len(leads), f"demand.channels.{channel}"
    rate = count / exposure_weeks
    weekly_counts = np.bincount(leads["day"] // DAYS_PER_WEEK, minlength=days // DAYS_PER_WEEK)[: days // DAYS_PER_WEEK]
    low, high = confint_poisson(count, exposure_weeks, method="exact-c")
    # only the weeks' excess over Poisson persists: the Poisson part is new in every week
    dispersion = 1 + (overdispersion(weekly_counts) - 1) * persistence_factor(persistence, len(weekly_counts))
    low, high = rate - (rate - low) * np.sqrt(dispersion), rate + (high - rate) * np.sqrt(dispersion)
    widened = "overdispersion" + (f" and persistence (rho = {persistence:g})" if persistence > 0 else "")
    basis = (f"{count} leads over {days} days{cut} ({exposure_weeks:.1f} profile-weighted weeks); 95 % interval: "
             f"exact Poisson x {np.sqrt(dispersion):.2f} for the weekly counts' {widened}"
             f"{trend_note(weekly_counts)}")
    doubt = float(np.sqrt(dispersion / count))
    capped = f"; capped at {MAX_LEVEL_UNCERTAINTY:g}, the scenario's bound" if doubt > MAX_LEVEL_UNCERTAINTY else ""
    level = fitted(f"{prefix}.level_uncertainty", round(min(doubt, MAX_LEVEL_UNCERTAINTY), 4),
                   f"the rate's standard error over the rate: sqrt({dispersion:.2f} / {count} leads), the Poisson "
                   f"error widened by the weekly counts' {widened}{capped}", count)
    return fitted(f"{prefix}.leads_per_week", round(rate, 3), basis, count,
                  (round(max(float(low), 0.0), 3), round(float(high), 3)), weekly_counts), level


def overdispersion(weekly_counts: np.ndarray) -> float:
    """Variance over mean of the weekly counts, at least 1 (Poisson); 1 with fewer than four weeks."""
    if len(weekly_counts) < 4 or weekly_counts.mean() <= 0:
        return 1.0
    return max(float(weekly_counts.var(ddof=1) / weekly_counts.mean()), 1.0)


def trend_note(weekly_counts: np.ndarray) -> str:
    """A sentence on a trend in the weekly counts (quasi-Poisson regression on the week), or ''.

    The scenario has no trend: the rate is the window's mean, so a clear trend is worth saying."""
    if len(weekly_counts) < MIN_WEEKS_FOR_TREND or weekly_counts.sum() == 0:
        return ""
    weeks = sm.add_constant(np.arange(len(weekly_counts), dtype=float))
    result = sm.GLM(weekly_counts, weeks, family=sm.families.Poisson()).fit(scale="X2")
    change, p_value = float(np.expm1(result.params[1])), float(result.pvalues[1])
    if p_value >= 0.05:
        return f"; no clear trend over {len(weekly_counts)} weeks ({change:+.1%} a week, p = {p_value:.2f})"
    return (f"; TREND: {change:+.1%} a week over {len(weekly_counts)} weeks (p = {p_value:.3f}) - the scenario "
            f"has no trend, so this is the window's mean rate")


def rounded(values: np.ndarray) -> list[float]:
    """Profile factors as plain floats, to four decimals (what a scenario file shows)."""
    return [round(float(value), 4) for value in values]
