"""Which screen decisions wait for people: the share of leads an automatic screen leaves to its
reviewers, and when the reviewers start their day.

A screen that decides everything itself decides a lead that arrives at night at once, as it does by
day. One that leaves some leads to people decides those only when the people are back: in the log
they are the leads that arrived while the company was closed and were decided more than a few
minutes later. By day the same leads are decided within the hour, so only the closed hours show
how many there are.

Input: the lead rows of the fitting window (lab schema, times in clock hours since its start).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.calibration.steps import first_rows
from simcoord.scenario.calendar import WorkCalendar
from simcoord.vocabulary import HOURS_PER_DAY

#: A decision this soon after the lead arrived is the screen's own (hours: 6 minutes).
AT_ONCE_HOURS = 0.1
#: Leads that arrived while the company was closed, needed to tell how many wait for people.
MIN_CLOSED_ARRIVALS = 30
#: Below this share the late decisions are stragglers, not a review: the screen decides alone.
MIN_REVIEW_SHARE = 0.05


def decision_times(rows: pd.DataFrame) -> pd.Series:
    """When the screen decided each lead (clock hours, by lead id): its ``screened`` row where the
    log has them, else its hand-over (``mql``) or, for a lead that never got one, its end."""
    screened = first_rows(rows, "screened")["time"]
    if len(screened):
        return screened
    handed_over, ended = first_rows(rows, "mql")["time"], first_rows(rows, "discarded")["time"]
    return pd.concat([handed_over, ended[~ended.index.isin(handed_over.index)]])


def fit_screen_review(rows: pd.DataFrame, calendar: WorkCalendar, day_start_hour: float) -> list[Estimate]:
    """``funnel.screen.review_share``: of the leads that arrived while ``calendar`` (the company's
    fitted week) was closed, the share not decided within :data:`AT_ONCE_HOURS`; and
    ``funnel.screen.review_calendar``: the whole hour their decisions cluster at (the median hour of
    the day of those decided once the company was open), where that is later than the company's
    ``day_start_hour``."""
    created = first_rows(rows, "created")["time"]
    decided = decision_times(rows).reindex(created.index).dropna()
    arrived = created.reindex(decided.index)
    closed = np.array([not calendar.is_open(t) for t in arrived])
    late = (decided - arrived).to_numpy() > AT_ONCE_HOURS
    n = int(closed.sum())
    if n < MIN_CLOSED_ARRIVALS:
        return [assumed("funnel.screen.review_share", 0.0, f"only {n} decided leads arrived outside working hours "
                        f"(at least {MIN_CLOSED_ARRIVALS} needed): the screen is taken to decide every lead at once")]
    share = float(late[closed].mean())
    found = (f"of {n} leads that arrived outside working hours, {share:.1%} were decided more than "
             f"{AT_ONCE_HOURS * 60:.0f} minutes later")
    if share < MIN_REVIEW_SHARE:
        return [fitted("funnel.screen.review_share", 0.0, f"{found}: the screen decides by itself, at any hour", n)]
    estimates = [fitted("funnel.screen.review_share", round(share, 4), f"{found}: left to people, who decide "
                                                                        "them when they are at work", n)]
    waited = decided[closed & late]
    by_day = np.array([calendar.is_open(t) for t in waited])
    hours = (waited[by_day] % HOURS_PER_DAY).to_numpy()
    if len(hours) >= MIN_CLOSED_ARRIVALS and (opening := float(np.floor(np.median(hours)))) > day_start_hour:
        estimates.append(fitted("funnel.screen.review_calendar", {"day_start_hour": opening},
                                f"the median hour of the day of the {len(hours)} decisions that waited for the "
                                f"company to open is {np.median(hours):.2f} h, later than its opening at "
                                f"{day_start_hour:g} h: the reviewers start at {opening:g} h", len(hours)))
    return estimates
