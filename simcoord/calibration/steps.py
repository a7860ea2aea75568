"""The sales process from a log: the automatic screen, the first touch and each funnel stage.

Read from the lab's rows, so a company's imported log and a simulated run's log go through the
same code. What each estimate means is what the model does with it (``model.sales``,
``model.steps``):

- a stage **visit** starts at its entry row: ``sql`` (the first stage), ``advanced`` (the stage it
  names) or ``sent_back`` (a loop to the stage it names); a stage's work rows belong to the visit
  they follow. An imported log's first event of a stage that no entry row precedes starts a visit;
- **work** (``work_hours``) is the working time of the stage's work rows, start to complete (one
  row per touch: an imported log gets its later instances from ``instances``); the **customer's
  time** before the work (``customer_days``) runs from the last real milestone before the work
  started (the entry decision, or the end of the case's previous work) to that start: a log's
  schedule event says when a task was planned, not when the customer was ready;
- each visit ends **forward** (a later stage's entry, or won), **lost**, **cancelled** (a ``lost``
  row with reason ``cancelled``), **back** (an entry of the same or an earlier stage: a loop), or is
  still **open** at the cut-off (left out: it is not lost).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd

from simcoord.calibration.decay import qualification_chance
from simcoord.calibration.distributions import (CENSORED_SHARE, EMPIRICAL_POINTS, MIN_OBSERVATIONS,
                                                cause_empirical, censored_empirical, estimate_distribution,
                                                final_incidences)
from simcoord.calibration.estimates import Estimate, assumed, fitted
from simcoord.calibration.values import probability_tables
from simcoord.scenario.calendar import WorkCalendar
from simcoord.vocabulary import CANCELLED, GRADES, HOURS_PER_DAY, TERMINAL

ENTRY_ACTIVITIES = ("sql", "advanced", "sent_back")
#: Closed time shorter than this (hours) inside a wait is none (rounding of the log's timestamps).
OPENING_TOLERANCE = 1 / 60
#: Work started this many hours after an opening may have waited for it (and the morning's queue).
OPENING_HOURS = 4.0
#: Waits that spanned closed time, and others, needed to tell whether a step's work waits for the opening.
MIN_OPENING_SAMPLE = 50
SEARCH_STEPS = 40  # halvings of a time search: 2 weeks / 2^40 is far below a second
#: Touch counts of a stage are written as this many quantiles (an empirical distribution).
TOUCH_QUANTILES = 40
#: A verdict this soon after the touch (days; a minute) comes with it: no wait is fitted.
AT_ONCE_DAYS = 1 / (24 * 60)
#: An acceptance wait is fitted unless at least this share of the SQLs come with the touch: most
#: acceptances do, and the few that wait for the customer's papers take days.
AT_ONCE_SHARE = 0.9
STAGE_TABLES = {"grade": "conversion", "channel": "conversion_by_channel", "value": "conversion_by_value"}
QUALIFICATION_TABLES = {"grade": "qualification", "channel": "qualification_by_channel",
                        "value": "qualification_by_value"}
SCREEN_TABLES = {"grade": "by_grade", "channel": "by_channel", "value": "by_value"}


def in_working_hours(events: pd.DataFrame, calendar: WorkCalendar) -> pd.DataFrame:
    """``events`` whose ``work_hours`` (an imported log's clock hours from a task's start to its
    complete) are the working hours of ``calendar`` in that span, as the model counts work; the
    clock completion is kept as ``done_at``. A task begun just before closing and completed the
    next morning worked minutes, not a night."""
    work = events["work_hours"].notna()
    start = events.loc[work, "time"].to_numpy(dtype=float)
    done = start + events.loc[work, "work_hours"].to_numpy(dtype=float)
    events = events.assign(done_at=np.nan)
    events.loc[work, "done_at"] = done
    events.loc[work, "work_hours"] = calendar.work_hours_until_many(done) - calendar.work_hours_until_many(start)
    return events


def lead_rows(events: pd.DataFrame) -> pd.DataFrame:
    """The lead rows of ``events`` in time order (text columns as plain objects)."""
    rows = events[events["kind"] == "lead"].sort_values(["time", "id"], kind="stable")
    return rows.assign(activity=rows["activity"].astype(object),
                       stage=rows["stage"].astype(object) if "stage" in rows else np.nan)


def completed_at(rows: pd.DataFrame) -> pd.Series:
    """When each row's work was done (hours): an imported task's clock completion (``done_at``),
    else its start plus its work (a row without work: its time)."""
    done = rows["time"] + (rows["work_hours"].fillna(0.0) if "work_hours" in rows else 0.0)
    return rows["done_at"].fillna(done) if "done_at" in rows else done


def first_rows(rows: pd.DataFrame, activity: str) -> pd.DataFrame:
    """Each lead's first row of ``activity``, indexed by lead id."""
    return rows[rows["activity"] == activity].drop_duplicates("id").set_index("id")


# ----------------------------------------------------------------- the screen
def fit_screen(rows: pd.DataFrame, leads: pd.DataFrame, nurture: bool) -> list[Estimate]:
    """``funnel.screen``: the share of decided leads that pass on to sales (per value band, channel
    or grade where they differ). A lead passed if it reached the hand-over (``mql``) or a
    ``screened`` row says so; it was declined if it ended (``discarded``) before any hand-over."""
    decided = _screen_outcomes(rows, nurture)
    if decided is None or decided["ok"].all():
        why = "every decided lead reached the hand-over" if decided is not None else \
            "with nurture a lead's way to the hand-over is marketing's scoring, not a screen"
        return [fitted("funnel.screen", None, f"no automatic screen: {why}", 0 if decided is None else len(decided))]
    tables = probability_tables(decided, leads, "funnel.screen.", "leads decided at the hand-over (passed to "
                                "sales, or ended before it)", SCREEN_TABLES)
    rate = float(decided["ok"].mean())
    return [*tables, fitted("funnel.screen.pass_probability", round(rate, 6),
                            f"share of {len(decided)} leads passed to sales", len(decided))]


def _screen_outcomes(rows: pd.DataFrame, nurture: bool) -> pd.DataFrame | None:
    """Each decided lead's screen outcome (``ok``), or None where the log cannot tell one."""
    screened = first_rows(rows, "screened")
    if len(screened) and "outcome" in screened:
        return pd.DataFrame({"ok": screened["outcome"].astype(object) == "passed"})
    if nurture:
        return None
    created, mql, ended = (first_rows(rows, name)["time"] for name in ("created", "mql", "discarded"))
    mql = mql.reindex(created.index)
    ended = ended.reindex(created.index)
    passed = mql.notna()
    declined = ~passed & ended.notna()
    return pd.DataFrame({"ok": passed[passed | declined]})


# ----------------------------------------------------------------- the first touch
def fit_first_touch(rows: pd.DataFrame, leads: pd.DataFrame, decay: tuple[float, float] | None,
                    waits: pd.Series | None = None) -> list[Estimate]:
    """``funnel.first_touch_hours`` (the work of the first touch, hours) and the qualification
    tables: the share of first-touched leads that became SQLs rather than invalid, divided by the
    mean response-time decay (``decay``: half-life hours and floor) of their waits, or of the
    ``waits`` (hours) the fitted model keeps leads waiting where those differ, since the model
    multiplies the table by that decay."""
    touches = rows[rows["activity"] == "first_touch"]
    work = estimate_distribution("funnel.first_touch_hours", touches.get("work_hours"),
                                 "work time of the first touch (hours)", {"dist": "exponential", "mean": 0.5})
    decided = rows[rows["activity"].isin(["sql", "invalid"])].drop_duplicates("id").set_index("id")
    if decided.empty:
        return [work, assumed("funnel.qualification", dict.fromkeys(GRADES, 1.0),
                              "the log shows no qualification decision (sql or invalid): every lead qualifies")]
    outcome = pd.DataFrame({"ok": decided["activity"] == "sql"})
    tables = probability_tables(outcome, leads, "funnel.", "first-touched leads that qualified", QUALIFICATION_TABLES)
    whose = "the fitted model's waits" if waits is not None else "their waits"
    if waits is None:
        waits = (first_rows(rows, "first_touch")["time"] - first_rows(rows, "mql")["time"]).reindex(decided.index)
    factor = _mean_decay(waits.dropna(), decay)
    return [work, *(_divided(estimate, factor, whose) for estimate in tables)]


def fit_invalid_wait(rows: pd.DataFrame, until_hours: float) -> Estimate:
    """``funnel.invalid_after_days``: clock days from the first touch to the verdict of the leads
    found invalid after one (a customer who never completes is turned down after a wait). The
    touched leads still without a verdict at ``until_hours`` (the training period's end) are waits
    known only to be longer: with them, the Kaplan-Meier estimate's quantiles
    (``distributions.censored_empirical``)."""
    path, what = "funnel.invalid_after_days", "clock days from the end of the first touch to the invalid verdict"
    touched = completed_at(first_rows(rows, "first_touch"))
    days = _days_after(touched, first_rows(rows, "invalid")["time"])
    if days.empty or days.median() < AT_ONCE_DAYS:
        return assumed(path, None, f"{len(days)} leads found invalid after a first touch, most of them within a "
                                   "minute of it: the verdict comes with the touch")
    waiting = _undecided_days(rows, touched, until_hours).to_numpy()
    if len(days) < MIN_OBSERVATIONS or len(waiting) < CENSORED_SHARE * (len(days) + len(waiting)):
        return estimate_distribution(path, days, what, {"dist": "exponential", "mean": float(days.mean())})
    return fitted(path, censored_empirical(days.to_numpy(), waiting), f"{what}: Kaplan-Meier ({len(days)} verdicts, "
                  f"{len(waiting)} leads still waiting at the cut-off), {EMPIRICAL_POINTS} quantiles",
                  len(days) + len(waiting), data=days.to_numpy())


def fit_qualified_wait(rows: pd.DataFrame, until_hours: float) -> Estimate:
    """``funnel.qualified_after_days``: clock days from the end of the first touch to the SQL of the
    leads accepted after one (a customer who completes the application later), unless nearly all
    come with the touch (:data:`AT_ONCE_SHARE`). The touched leads
    still without a verdict at ``until_hours`` may be accepted or found invalid: the Aalen-Johansen
    estimate, with the invalid verdicts competing (``distributions.cause_empirical``)."""
    path, what = "funnel.qualified_after_days", "clock days from the end of the first touch to the SQL"
    touched = completed_at(first_rows(rows, "first_touch"))
    days = _days_after(touched, first_rows(rows, "sql")["time"])
    if days.empty or (days < AT_ONCE_DAYS).mean() >= AT_ONCE_SHARE:
        return assumed(path, None, f"{len(days)} leads accepted after a first touch, at least {AT_ONCE_SHARE:.0%} of "
                                   "them within a minute of it: the SQL comes with the touch")
    invalid_days = _days_after(touched, first_rows(rows, "invalid")["time"])
    waiting = _undecided_days(rows, touched, until_hours)
    if len(days) < MIN_OBSERVATIONS or waiting.empty:
        return estimate_distribution(path, days, what, {"dist": "exponential", "mean": float(days.mean())})
    spec = cause_empirical(days.to_numpy(), invalid_days.to_numpy(), waiting.to_numpy())
    return fitted(path, spec, f"{what}: Aalen-Johansen ({len(days)} SQLs, {len(invalid_days)} invalid verdicts "
                  f"competing, {len(waiting)} leads still waiting at the cut-off), {EMPIRICAL_POINTS} quantiles",
                  len(days) + len(waiting), data=days.to_numpy())


def _days_after(touched: pd.Series, verdicts: pd.Series) -> pd.Series:
    """Clock days from the end of each lead's first touch (``touched``, by lead id) to its verdict
    (``verdicts``, hours by lead id), for the leads with both."""
    return ((verdicts - touched.reindex(verdicts.index)) / HOURS_PER_DAY).dropna().clip(lower=0.0)


def _undecided_days(rows: pd.DataFrame, touched: pd.Series, until_hours: float) -> pd.Series:
    """Clock days from the end of the first touch to ``until_hours`` of the touched leads with no
    verdict (SQL, invalid, or an end) by then: waits known only to last longer."""
    decided = rows.loc[rows["activity"].isin(["sql", "invalid", *TERMINAL]), "id"]
    return ((until_hours - touched[~touched.index.isin(decided)]) / HOURS_PER_DAY).clip(lower=0.0)


def _mean_decay(waits: pd.Series, decay: tuple[float, float] | None) -> float:
    """The mean response-time multiplier over ``waits`` (hours from hand-over to first touch)."""
    if decay is None:
        return 1.0
    half_life, floor = decay
    if waits.empty:
        return 1.0
    return float(np.mean(qualification_chance(waits.to_numpy(dtype=float), 1.0, floor, half_life)))


def _divided(estimate: Estimate, factor: float, whose: str) -> Estimate:
    """A probability table divided by the mean decay ``factor`` (capped at 1), saying so."""
    if factor >= 1.0:
        return estimate
    return _scaled(estimate, 1.0 / factor, f"divided by the mean response-time decay of {whose} ({factor:.3f})")


def _scaled(estimate: Estimate, factor: float, how: str, keep_interval: bool = False) -> Estimate:
    """A probability table times ``factor`` (capped at 1), its basis followed by ``how``; its 95 %
    interval scaled alike if ``keep_interval`` (else dropped)."""
    if estimate.value is None:
        return estimate
    if isinstance(estimate.value, dict) and "probabilities" in estimate.value:
        value = {**estimate.value,
                 "probabilities": [round(min(1.0, p * factor), 6) for p in estimate.value["probabilities"]]}
    else:
        value = {key: round(min(1.0, p * factor), 6) for key, p in estimate.value.items()}
    interval = None
    if keep_interval and estimate.interval is not None:
        interval = tuple(min(1.0, bound * factor) for bound in estimate.interval)
    return dataclasses.replace(estimate, value=value, interval=interval, basis=f"{estimate.basis}, {how}")


# ----------------------------------------------------------------- stage visits
def stage_visits(rows: pd.DataFrame, stages: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The stage visits (``id``, ``stage`` index, ``entered``, ``started``: the first work row's
    start, ``last``: its last work row's start, ``touches``, ``outcome``,
    ``target``: the stage a loop goes back to) and the stage work rows with their ``visit``."""
    index = {name: position for position, name in enumerate(stages)}
    work = rows[rows["activity"].isin(stages)].assign(stage_index=lambda r: r["activity"].map(index))
    entries = rows[rows["activity"].isin(ENTRY_ACTIVITIES) & rows["stage"].isin(stages)]
    entries = entries[["id", "time", "activity"]].assign(stage_index=entries["stage"].map(index))
    work, orphans = _attach(work, entries)
    if len(orphans):  # a stage's first event with no entry before it starts its own visit
        starts = orphans.drop_duplicates(["id", "stage_index"])[["id", "time", "stage_index"]]
        entries = pd.concat([entries, starts.assign(activity="entered")], ignore_index=True)
        work, _ = _attach(work.drop(columns="visit"), entries)
    visits = _visit_table(entries, work)
    return _with_outcomes(visits, rows), work


def _attach(work: pd.DataFrame, entries: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``work`` with the ``visit`` (entry number) each row follows, and the rows no visit of their
    own stage precedes."""
    entries = entries.sort_values("time", kind="stable").reset_index(drop=True)
    keyed = entries.assign(visit=entries.index, visit_stage=entries["stage_index"])[["id", "time", "visit",
                                                                                  "visit_stage"]]
    ordered = work.reset_index(names="row").sort_values("time", kind="stable")
    joined = pd.merge_asof(ordered, keyed, on="time", by="id", direction="backward").set_index("row")
    mine = joined["visit_stage"] == joined["stage_index"]
    attached = work.assign(visit=joined["visit"].where(mine).reindex(work.index))
    return attached[mine.reindex(work.index).to_numpy()], work[~mine.reindex(work.index).to_numpy()]


def _visit_table(entries: pd.DataFrame, work: pd.DataFrame) -> pd.DataFrame:
    """One row per visit: its entry, and its work rows' first start, last start and count."""
    entries = entries.sort_values("time", kind="stable").reset_index(drop=True)
    grouped = work.sort_values("time", kind="stable").groupby("visit")
    visits = entries.rename(columns={"time": "entered", "stage_index": "stage", "activity": "entry"})
    return visits.assign(started=grouped["time"].first(), last=grouped["time"].last(),
                         touches=grouped.size().reindex(visits.index, fill_value=0))


def _with_outcomes(visits: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Each visit's outcome: what ended it (won, lost, cancelled) before the next visit, else how
    the next visit follows (forward, or back in a loop), else open; ``left``: when it ended or the
    next visit began (NaN while open)."""
    visits = visits.sort_values(["id", "entered"], kind="stable")
    following = visits.groupby("id")[["entered", "stage", "entry"]].shift(-1)
    ends = rows[rows["activity"].isin(["won", "lost"])]
    reason = ends["reason"].astype(object) if "reason" in ends else pd.Series(np.nan, index=ends.index)
    ends = pd.DataFrame({"id": ends["id"], "ended": ends["time"],
                         "how": np.where(ends["activity"] == "won", "forward",
                                         np.where(reason == CANCELLED, "cancelled", "lost"))})
    found = pd.merge_asof(visits.reset_index(names="visit").sort_values("entered"), ends.sort_values("ended"),
                          left_on="entered", right_on="ended", by="id", direction="forward").set_index("visit")
    found = found.reindex(visits.index)
    ends_here = found["ended"].notna() & ~(found["ended"] > following["entered"])
    back = following["stage"].notna() & ((following["entry"] == "sent_back") | (following["stage"] <= visits["stage"]))
    outcome = np.where(ends_here, found["how"], np.where(back, "back", np.where(following["stage"].notna(),
                                                                                  "forward", "open")))
    ended = found["ended"].where(ends_here)
    return visits.assign(outcome=outcome, target=following["stage"].where(back & ~ends_here), ended=ended,
                         left=ended.fillna(following["entered"]))


# ----------------------------------------------------------------- the stages
def fit_stages(rows: pd.DataFrame, leads: pd.DataFrame, stages: list[str],
               calendar: WorkCalendar | None = None, until_hours: float | None = None) -> list[Estimate]:
    """Every ``funnel.stages.<i>`` field the log can tell, and ``funnel.max_stage_visits`` where
    cases loop; ``calendar``: the staff's working week over the log's days, where the customer's
    time of work begun at an opening is known only within the closed hours before it;
    ``until_hours``: the training period's end, where the visits still open are known only to last
    longer. Raises ValueError naming a stage no case reaches (the mapping leaves it without data)."""
    visits, work = stage_visits(rows, stages)
    empty = [name for position, name in enumerate(stages) if not (visits["stage"] == position).any()]
    if empty:
        raise ValueError(f"no case in the training window reaches stage {empty[0]!r}: the mapping leaves it "
                         "without data (map it to activities the log has, or leave it out)")
    customer = customer_hours(rows, visits, work, stages, calendar)
    estimates = []
    for position, name in enumerate(stages):
        mine, own_work = visits[visits["stage"] == position], work[work["stage_index"] == position]
        prefix = f"funnel.stages.{position}."
        (before, gaps), exact = censor_waited(customer.loc[mine.index.intersection(customer.index)],
                                              touch_gaps(own_work, calendar))
        estimates += [assumed(prefix + "name", name, "the mapping's stage name"),
                      estimate_distribution(prefix + "work_hours", own_work.get("work_hours"),
                                            f"work time in stage {name} (hours)", {"dist": "constant", "value": 0.0}),
                      wait_estimate(prefix + "customer_days", before, f"customer's time before the work of stage "
                                                                      f"{name} (days, to the work's start){exact}"),
                      *_touch_estimates(prefix, name, mine, gaps, exact),
                      *_decision_estimates(prefix, name, mine, leads, stages, until_hours),
                      *_patience(prefix, name, mine), *_lost_wait(prefix, name, mine, until_hours)]
    if (visits["outcome"] == "back").any():
        estimates.append(max_stage_visits(visits))
    return estimates


def max_stage_visits(visits: pd.DataFrame) -> Estimate:
    """``funnel.max_stage_visits``: the most visits of one stage a loop led to in one case (the
    model's guard stops loops, not advances, into a stage visited that often)."""
    visits = visits.sort_values(["id", "entered"], kind="stable")
    ordinal = visits.groupby(["id", "stage"]).cumcount() + 1
    looped = visits.groupby("id")["outcome"].shift(1) == "back"
    return fitted("funnel.max_stage_visits", int(ordinal[looped].max()),
                  "the most visits of one stage that a loop back led to in one case", int(looped.sum()))


def closed_before(since: np.ndarray, starts: np.ndarray, calendar: WorkCalendar | None) -> np.ndarray:
    """For each wait from ``since`` to a work's start (hours) that spans closed time of ``calendar``
    and ends within :data:`OPENING_HOURS` of an opening: when the closed period before that opening
    began (the customer may have been ready at any moment since, the work waiting for the opening
    and the morning's queue). NaN for other waits (a start later in the day follows a customer who
    was ready then), and without a calendar."""
    found = np.full(len(starts), np.nan)
    if calendar is None or calendar.always_open or not len(starts):
        return found
    done = calendar.work_hours_until_many
    crossed = (starts - since) - (done(starts) - done(since)) > OPENING_TOLERANCE
    since, starts = since[crossed], starts[crossed]
    opened = _earliest(since, starts, lambda t: done(starts) - done(t) >= starts - t - 1e-9)
    closed = _earliest(since, opened, lambda t: done(t) >= done(opened) - 1e-9)
    found[crossed] = np.where(starts - opened <= OPENING_HOURS, closed, np.nan)
    return found


def _earliest(low: np.ndarray, high: np.ndarray, holds) -> np.ndarray:
    """Per element, the earliest time in ``[low, high]`` from which ``holds`` (monotone: once true,
    true up to ``high``) is true, to :data:`SEARCH_STEPS` halvings."""
    low, high = low.copy(), high.copy()
    for _ in range(SEARCH_STEPS):
        middle = (low + high) / 2
        true = holds(middle)
        high, low = np.where(true, middle, high), np.where(true, low, middle)
    return high


def waits(since: np.ndarray, starts: np.ndarray, calendar: WorkCalendar | None) -> pd.DataFrame:
    """The customer's clock hours from ``since`` to each work ``starts``: ``hours``, and ``low``
    where the wait spans closed time (the customer may have been ready since the closed period
    began: the wait is known only to lie in ``[low, hours]``; NaN otherwise); ``overnight`` (the
    wait spans closed time) and ``after_opening`` (hours from the latest opening to the work's
    start), which tell how many such waits did wait for the opening (:func:`waited_for_opening`)."""
    hours = np.clip(starts - since, 0.0, None)
    low = np.clip(closed_before(since, starts, calendar) - since, 0.0, None)
    if calendar is None or calendar.always_open:
        overnight, after_opening = np.zeros(len(starts), dtype=bool), np.full(len(starts), np.inf)
    else:
        done = calendar.work_hours_until_many
        overnight = (starts - since) - (done(starts) - done(since)) > OPENING_TOLERANCE
        after_opening = starts - calendar.last_opening_many(starts)
    return pd.DataFrame({"hours": hours, "low": np.minimum(low, hours), "overnight": overnight,
                         "after_opening": after_opening})


def waited_for_opening(table: pd.DataFrame) -> float | None:
    """Of a step's waits that spanned closed time (:func:`waits` rows), the share that waited for the
    opening: how much more often their work started within :data:`OPENING_HOURS` of it than the work
    after the other waits did, ``(p_overnight - p_other) / (1 - p_other)``, clipped to 0-1. None with
    fewer than :data:`MIN_OPENING_SAMPLE` waits of either kind. Work that is scheduled through the day
    (a call centre's call-backs) shows about 0; an inbox worked first thing in the morning, about 1.
    Work after a wait within the day tends to start later in the day than work planned for a new day,
    so the share errs high: more waits keep their interval than need to, never fewer."""
    early = table["after_opening"] <= OPENING_HOURS
    overnight, other = early[table["overnight"]], early[~table["overnight"]]
    if min(len(overnight), len(other)) < MIN_OPENING_SAMPLE or other.mean() >= 1:
        return None
    return float(np.clip((overnight.mean() - other.mean()) / (1 - other.mean()), 0.0, 1.0))


def censor_waited(*tables: pd.DataFrame) -> tuple[list[pd.DataFrame], str]:
    """``tables`` (a step's :func:`waits`) with only the overnight waits that waited for the opening
    known within an interval: as many as :func:`waited_for_opening` finds over all of them, taken
    where the work started soonest after the opening (those that waited start there); the other
    overnight waits are exact, as the work was scheduled for that hour. Also what was found (for the
    estimates' basis; empty where every overnight wait keeps its interval)."""
    joined = pd.concat(tables)
    share = waited_for_opening(joined)
    overnight = joined.loc[joined["overnight"], "after_opening"]
    if share is None or share * len(overnight) >= joined["low"].notna().sum():
        return list(tables), ""
    count = int(round(share * len(overnight)))
    cutoff = np.sort(overnight.to_numpy())[count - 1] if count else -np.inf
    return ([table.assign(low=table["low"].where(table["overnight"] & (table["after_opening"] <= cutoff)))
             for table in tables],
            f"; of its {len(overnight)} waits over closed hours, {share:.0%} waited for the opening (their work "
            f"starts in its first {OPENING_HOURS:g} hours more often than other work): the {count} that started "
            "soonest after it are known within the closed hours, the others exact (work scheduled for later)")


def wait_estimate(path: str, table: pd.DataFrame, what: str) -> Estimate:
    """A distribution of customer's time in days from :func:`waits` rows: exact where the work did
    not begin at an opening, interval-censored where it did."""
    days = table[["hours", "low"]] / HOURS_PER_DAY
    exact = days["low"].isna()
    return estimate_distribution(path, days.loc[exact, "hours"], what, {"dist": "constant", "value": 0.0},
                                 intervals=days.loc[~exact, ["low", "hours"]].to_numpy())


def customer_hours(rows: pd.DataFrame, visits: pd.DataFrame, work: pd.DataFrame, stages: list[str],
                   calendar: WorkCalendar | None = None) -> pd.DataFrame:
    """Per visit with work (index): :func:`waits` from the case's last real milestone before the work
    started (an entry decision that is not just the stage's own first event, or the end of earlier
    work) to that start. A log's schedule event says when a task was planned, not when the customer
    was ready, so the whole gap is the customer's; the model adds its own wait for a free person."""
    worked = rows[rows["activity"].isin([*stages, "first_touch"])]
    done = completed_at(worked)
    entries = rows[rows["activity"].isin(ENTRY_ACTIVITIES)]
    echoes = entries.set_index(["id", "time"]).index.isin(work.set_index(["id", "time"]).index)
    milestones = pd.concat([pd.DataFrame({"id": worked["id"], "at": done}),
                            pd.DataFrame({"id": entries["id"][~echoes], "at": entries["time"][~echoes]})])
    asked = visits.dropna(subset=["started"])
    asked = pd.DataFrame({"id": asked["id"], "asked_at": asked["started"], "visit": asked.index})
    found = pd.merge_asof(asked.sort_values("asked_at"), milestones.sort_values("at").rename(columns={"at": "anchor"}),
                          left_on="asked_at", right_on="anchor", by="id", direction="backward",
                          allow_exact_matches=False)
    found = found.dropna(subset=["anchor"])
    table = waits(found["anchor"].to_numpy(dtype=float), found["asked_at"].to_numpy(dtype=float), calendar)
    return table.set_axis(found["visit"].to_numpy())


def _touch_estimates(prefix: str, name: str, visits: pd.DataFrame, gaps: pd.DataFrame,
                     exact: str = "") -> list[Estimate]:
    """``touches`` (an empirical distribution of touches per visit) and ``touch_gap_days`` (from
    ``gaps``, :func:`touch_gaps`; ``exact``: why its overnight gaps are exact, if they are) where the
    log shows visits with more than one touch; none (one touch, back to back) otherwise."""
    counts = visits.loc[visits["touches"] > 0, "touches"]
    if counts.empty or counts.max() <= 1:
        return [fitted(prefix + "touches", None, f"every visit of stage {name} in the log shows one touch",
                       len(counts))]
    quantiles = np.quantile(counts, (np.arange(TOUCH_QUANTILES) + 0.5) / TOUCH_QUANTILES, method="inverted_cdf")
    return [fitted(prefix + "touches", {"dist": "empirical", "values": [float(v) for v in quantiles]},
                   f"touches per visit of stage {name} ({TOUCH_QUANTILES} quantiles; mean {counts.mean():.2f})",
                   len(counts), data=counts.to_numpy(dtype=float)),
            wait_estimate(prefix + "touch_gap_days", gaps,
                          f"customer's time between touches of stage {name} (days){exact}")]


def touch_gaps(work: pd.DataFrame, calendar: WorkCalendar | None) -> pd.DataFrame:
    """:func:`waits` from the end of each touch (its clock completion where known) to the next touch
    of the same visit: queued (the model's own rows say when), else started."""
    ordered = work.sort_values(["visit", "time"], kind="stable")
    end = ordered["done_at"] if "done_at" in ordered else ordered["time"] + ordered["work_hours"]
    previous_end = end.fillna(ordered["time"]).groupby(ordered["visit"]).shift(1)
    queued = ordered["queued_at"] if "queued_at" in ordered else pd.Series(np.nan, index=ordered.index)
    start = queued.fillna(ordered["time"])
    later = previous_end.notna()
    return waits(previous_end[later].to_numpy(dtype=float), start[later].to_numpy(dtype=float), calendar)


def _decision_estimates(prefix: str, name: str, visits: pd.DataFrame, leads: pd.DataFrame,
                        stages: list[str], until_hours: float | None = None) -> list[Estimate]:
    """The conversion tables (forward against lost, loops set aside; with the visits still open at
    ``until_hours`` where they change it, :func:`open_visits_factor`) and ``next_steps`` (the share
    of decided visits that loop back to each stage)."""
    decided = visits[visits["outcome"].isin(["forward", "lost", "back"])]
    passes = decided[decided["outcome"] != "back"]
    if passes.empty:
        return [assumed(prefix + "conversion", dict.fromkeys(GRADES, 1.0), f"no visit of stage {name} was "
                        "decided (won, lost or moved on) in the training window: assumed every case passes")]
    outcome = pd.DataFrame({"ok": (passes["outcome"] == "forward").to_numpy()}, index=passes["id"].to_numpy())
    estimates = probability_tables(outcome, leads, prefix, f"decided visits of stage {name} that moved on",
                                   STAGE_TABLES)
    if (factor := open_visits_factor(visits, until_hours)) is not None:
        how = (f"times {factor:.3f}: the share that moved on, {abs(factor - 1):.1%} "
               f"{'lower' if factor < 1 else 'higher'} with the {int((visits['outcome'] == 'open').sum())} visits "
               "still open at the cut-off (Aalen-Johansen)")
        estimates = [_scaled(estimate, factor, how, keep_interval=True) for estimate in estimates]
    back = decided.loc[decided["outcome"] == "back", "target"].astype(int)
    if len(back):
        shares = back.value_counts() / len(decided)
        estimates.append(fitted(prefix + "next_steps", {stages[t]: round(float(s), 6) for t, s in shares.items()},
                                f"share of {len(decided)} decided visits of stage {name} sent back to each stage",
                                len(decided)))
    return estimates


def open_visits_factor(visits: pd.DataFrame, until_hours: float | None) -> float | None:
    """The share of one stage's ``visits`` that move on rather than lose, counting those still open
    at ``until_hours`` (the Aalen-Johansen cumulative incidences of moving on and of losing, from
    the visit's entry; loops and cancellations compete), over the share among the visits decided by
    then. Below 1 where losses take longer than moves on: more of the open visits will lose. None
    without open visits, or where the difference is below the rounding of a probability table."""
    still = visits.loc[visits["outcome"] == "open", "entered"]
    if until_hours is None or still.empty:
        return None
    stay = ((visits["left"] - visits["entered"]) / HOURS_PER_DAY).clip(lower=0.0)
    outcome = visits["outcome"]
    forward, lost = stay[outcome == "forward"].dropna(), stay[outcome == "lost"].dropna()
    if forward.empty or lost.empty:
        return None
    incidence = final_incidences([lost.to_numpy(), forward.to_numpy(),
                                  stay[outcome.isin(["back", "cancelled"])].dropna().to_numpy()],
                                 ((until_hours - still) / HOURS_PER_DAY).clip(lower=0.0).to_numpy())
    factor = (incidence[1] / (incidence[0] + incidence[1])) / (len(forward) / (len(forward) + len(lost)))
    return float(factor) if abs(factor - 1.0) >= 1e-4 else None


def _lost_wait(prefix: str, name: str, visits: pd.DataFrame, until_hours: float | None = None) -> list[Estimate]:
    """``lost_after_days``: clock days from the first touch of each visit of stage ``name`` that
    lost the deal to its lost verdict, where those visits last longer than the ones that went on
    (the customer who will not buy is called until the case is given up); none with too few of
    them. From the first touch, not the visit's start: the customer's time before it is the
    stage's ``customer_days`` already, and a deal the log shows lost was called first. With the
    visits still open at ``until_hours`` (the training period's end): the Aalen-Johansen estimate
    (``distributions.cause_empirical``), since the losing visits, being the long ones, are the
    ones most often still open there."""
    path = prefix + "lost_after_days"
    stay = (visits["left"] - visits["started"]) / HOURS_PER_DAY
    days = stay[visits["outcome"] == "lost"].dropna().clip(lower=0.0)
    went_on_days = stay[visits["outcome"].isin(["forward", "back"])].dropna()
    if len(days) < MIN_OBSERVATIONS or (len(went_on_days) and days.mean() <= went_on_days.mean()):
        return []
    what = (f"clock days from the first touch of a visit of stage {name} that lost the deal to its lost verdict "
            f"(mean {days.mean():.1f} over the visits lost by the cut-off, visits that went on: "
            f"{went_on_days.mean():.1f})")
    started = visits.loc[visits["outcome"] == "open", "started"].dropna()
    if until_hours is None or started.empty:
        return [estimate_distribution(path, days, what, {"dist": "constant", "value": 0.0})]
    still_open = ((until_hours - started) / HOURS_PER_DAY).clip(lower=0.0)
    ended_otherwise = stay[visits["outcome"].isin(["forward", "back", "cancelled"])].dropna().clip(lower=0.0)
    spec = cause_empirical(days.to_numpy(), ended_otherwise.to_numpy(), still_open.to_numpy())
    return [fitted(path, spec, f"{what}: Aalen-Johansen, with the {len(ended_otherwise)} visits that ended "
                   f"otherwise and the {len(still_open)} still open at the cut-off, {EMPIRICAL_POINTS} quantiles",
                   len(days) + len(still_open), data=days.to_numpy())]


def _patience(prefix: str, name: str, visits: pd.DataFrame) -> list[Estimate]:
    """``patience_days``: exponential, its mean the days visits were exposed to cancelling (entry to
    the last touch's start, or to the cancellation) over the cancellations (the censored-data MLE)."""
    cancelled = visits[visits["outcome"] == "cancelled"]
    if cancelled.empty:
        return []
    others = visits[visits["outcome"].isin(["forward", "lost", "back"])]
    exposure = (cancelled["ended"] - cancelled["entered"]).sum() + (others["last"] - others["entered"]).sum()
    mean = float(exposure) / HOURS_PER_DAY / len(cancelled)
    return [fitted(prefix + "patience_days", {"dist": "exponential", "mean": round(mean, 4)},
                   f"{len(cancelled)} cancellations in stage {name} over {exposure / HOURS_PER_DAY:.0f} days of "
                   "visits waiting (exponential, censored maximum likelihood)", len(cancelled))]
