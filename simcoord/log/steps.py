"""A mapping's steps and stages applied to a log's standard rows: the lab's rows.

Each step happens once per case, at the first event that matches its rule (or at every one, for
a rule with ``every``); each stage is entered at the first event of its activities. The lab's rows
are written as the model writes them: the ``created`` row carries the case's attributes, ``mql``
and ``first_touch`` its grade, ``sql`` the first stage, each later stage an ``advanced`` row naming
it beside the stage's own row, ``lost`` the stage the case was in, ``won`` the deal value. Work rows (``first_touch``, ``ticket_response``
and the stages' rows) carry ``work_hours`` (clock hours from the start to its complete) and
``queued_at`` (its schedule event) where the log pairs them.
"""

from __future__ import annotations

import pandas as pd

from simcoord.log.mapping import LAB_STEPS, WORK_STEPS, LogMapping, StageRule, StepRule, step_order
from simcoord.vocabulary import CANCELLED, GRADES, TIERS

#: The case attributes each step's row carries, as the model writes them.
STEP_ATTRIBUTES = {"created": ("value", "channel", "grade", "tier"), "mql": ("grade",), "first_touch": ("grade",),
                   "won": ("value", "channel")}
LIFECYCLE_ORDER = {"schedule": 0, "start": 1, "complete": 2, "other": 3}  # same instant: schedule first


def lab_rows(rows: pd.DataFrame, mapping: LogMapping) -> pd.DataFrame:
    """The lab's rows (``id, kind, instant, activity, department, staff``, attributes, ``case``)
    of the standard ``rows`` under ``mapping``; ``instant`` and ``queued_at`` are UTC instants."""
    cases = pd.Index(rows["case"].unique())  # rows are in file order: ids in the order cases first appear
    rows = _sorted(rows, cases)
    with_lifecycle = mapping.columns.lifecycle is not None or mapping.columns.start is not None
    spans = work_spans(rows) if with_lifecycle else _no_spans(rows)
    firsts: dict[str, pd.DataFrame] = {}
    for step in step_order(mapping.steps):
        firsts[step] = first_events(rows, mapping.steps[step], firsts, with_lifecycle)
    entries = [first_events(rows, stage, firsts, with_lifecycle) for stage in mapping.stages]
    check_order(firsts, entries, mapping, cases)
    attributes = case_attributes(rows, mapping)
    frames = [_step_rows(step, chosen, spans, attributes, mapping, entries) for step, chosen in firsts.items()]
    frames += _stage_rows(entries, spans, mapping)
    frames = [frame for frame in frames if len(frame)]
    if not frames:
        return pd.DataFrame()
    events = pd.concat(frames, ignore_index=True)
    events.insert(0, "id", events["case"].astype("int64"))
    events["case"] = cases[events["id"].to_numpy()].to_numpy()
    return events


def _sorted(rows: pd.DataFrame, cases: pd.Index) -> pd.DataFrame:
    """``rows`` in time order (at one instant: schedule, start, complete, then file order), each
    case as its number in ``cases`` and activities categorical, so grouping and joining are cheap."""
    rows = rows.assign(case=cases.get_indexer(rows["case"]), activity=rows["activity"].astype("category"),
                       order=rows["lifecycle"].map(LIFECYCLE_ORDER))
    return rows.sort_values(["instant", "order", "row"], kind="stable", ignore_index=True)


def first_events(rows: pd.DataFrame, rule: StepRule | StageRule, firsts: dict[str, pd.DataFrame],
                 with_lifecycle: bool) -> pd.DataFrame:
    """Each case's first row matching ``rule`` (``rows`` are in time order; every matching row if the
    rule says ``every``), within the bounds of its ``after``/``before`` steps as found in ``firsts``."""
    pick = rows["activity"].isin(rule.activities)
    if with_lifecycle and rule.transition != "any":
        pick &= rows["lifecycle"] == rule.transition
    chosen = rows[pick]
    after, before = getattr(rule, "after", None), getattr(rule, "before", None)
    if after is not None:
        chosen = chosen[chosen["instant"] >= _step_instants(firsts[after], chosen)]
    if before is not None:
        chosen = chosen[~(chosen["instant"] >= _step_instants(firsts[before], chosen))]
    return chosen if getattr(rule, "every", False) else chosen.drop_duplicates("case")


def _step_instants(step: pd.DataFrame, rows: pd.DataFrame) -> pd.Series:
    """For each of ``rows``, the instant of its case's (first) ``step`` (NaT where the case has none)."""
    instants = step.drop_duplicates("case").set_index("case")["instant"].reindex(rows["case"].to_numpy())
    return instants.set_axis(rows.index)


def work_spans(rows: pd.DataFrame) -> pd.DataFrame:
    """For each ``start`` row, when its work completed (``done``) and was scheduled (``queued``):
    the next complete and the previous schedule of the same activity in the same case (NaT if none)."""
    work = rows[rows["lifecycle"].isin(["schedule", "start", "complete"])]
    work = work.sort_values(["case", "activity", "instant", "order", "row"], kind="stable")
    group = work.groupby(["case", "activity"], sort=False)
    start = work["lifecycle"] == "start"
    done = group["instant"].shift(-1).where(start & (group["lifecycle"].shift(-1) == "complete"))
    queued = group["instant"].shift(1).where(start & (group["lifecycle"].shift(1) == "schedule"))
    return pd.DataFrame({"done": done, "queued": queued}).reindex(rows.index)


def _no_spans(rows: pd.DataFrame) -> pd.DataFrame:
    """The spans of a log without lifecycle: no work is paired."""
    missing = pd.Series(pd.NaT, index=rows.index, dtype=rows["instant"].dtype)
    return pd.DataFrame({"done": missing, "queued": missing})


def case_attributes(rows: pd.DataFrame, mapping: LogMapping) -> pd.DataFrame:
    """Each case's attributes (value, channel, grade, tier): the first value its rows give,
    grades and tiers translated by the mapping into the lab's words."""
    names = [name for name in mapping.columns.attributes() if name in rows]
    attributes = rows.groupby("case", sort=False)[names].first() if names else pd.DataFrame()
    for name, known, translate in (("grade", GRADES, mapping.grade_values), ("tier", TIERS, mapping.tier_values)):
        if name in attributes:
            attributes[name] = _translated(attributes[name], known, translate, name, mapping)
    return attributes


def _translated(values: pd.Series, known: tuple[str, ...], translate: dict[str, str], name: str,
                mapping: LogMapping) -> pd.Series:
    """A case attribute in the lab's words: the mapping's translation, or already one of ``known``."""
    words = values.map(lambda value: translate.get(value, value) if isinstance(value, str) else value)
    strange = words.notna() & ~words.isin(known)
    if strange.any():
        raise ValueError(f"column {getattr(mapping.columns, name)!r} holds {name} {words[strange].iloc[0]!r}, which "
                         f"is none of {', '.join(known)}: translate it in the mapping's {name}_values")
    return words


def check_order(firsts: dict[str, pd.DataFrame], entries: list[pd.DataFrame], mapping: LogMapping,
                cases: pd.Index) -> None:
    """No step or stage of a case (numbered in ``cases``) comes before the case is created (events
    of a case out of order)."""
    if "created" not in firsts:
        return
    created = firsts["created"].drop_duplicates("case")
    named = [*((step, frame) for step, frame in firsts.items() if step != "created"),
             *((stage.name, frame) for stage, frame in zip(mapping.stages, entries))]
    for name, frame in named:
        early = frame[frame["instant"] < _step_instants(created, frame)]
        if len(early):
            row = early.iloc[0]
            born = created.set_index("case").loc[row["case"]]
            raise ValueError(f"events of case {cases[row['case']]!r} out of order: {row['activity']!r} ({name}, row "
                             f"{row['row']}, {row['instant']}) comes before its creation {born['activity']!r} "
                             f"(row {born['row']}, {born['instant']})")


def _base_rows(chosen: pd.DataFrame, kind: str, activity: str, department: str, mapping: LogMapping) -> pd.DataFrame:
    """The fixed columns of the lab's rows for the ``chosen`` rows (``staff`` is the resource; its
    department is the team the mapping puts it in, else the step's own)."""
    staff = chosen["resource"] if "resource" in chosen else pd.Series(None, index=chosen.index, dtype=object)
    team = staff.map(mapping.team_of()).astype(object)
    return pd.DataFrame({"kind": kind, "instant": chosen["instant"], "activity": activity,
                         "department": team.where(team.notna(), department), "staff": staff,
                         "case": chosen["case"]}, index=chosen.index)


def _with_work(frame: pd.DataFrame, spans: pd.DataFrame) -> pd.DataFrame:
    """``work_hours`` (clock hours from start to complete) and ``queued_at`` of work rows."""
    span = spans.loc[frame.index]
    return frame.assign(work_hours=(span["done"] - frame["instant"]) / pd.Timedelta(hours=1),
                        queued_at=span["queued"])


def _step_rows(step: str, chosen: pd.DataFrame, spans: pd.DataFrame, attributes: pd.DataFrame,
               mapping: LogMapping, entries: list[pd.DataFrame]) -> pd.DataFrame:
    """The lab's rows of one step, with the attributes the model writes on them."""
    kind, department = LAB_STEPS[step]
    frame = _base_rows(chosen, kind, step, department, mapping)
    if step in WORK_STEPS:
        frame = _with_work(frame, spans)
    for name in STEP_ATTRIBUTES.get(step, ()):
        if name in attributes:
            frame[name] = attributes[name].reindex(frame["case"].to_numpy()).to_numpy()
    if step == "sql" and mapping.stages:
        frame["stage"] = mapping.stages[0].name
    if step == "lost" and mapping.stages:
        frame["stage"] = _stage_at(frame, entries, mapping)
    if mapping.steps[step].cancelled:
        frame["reason"] = chosen["activity"].astype(object).isin(mapping.steps[step].cancelled).map(
            {True: CANCELLED, False: None})
    return frame


def _stage_at(frame: pd.DataFrame, entries: list[pd.DataFrame], mapping: LogMapping) -> pd.Series:
    """The stage each row's case was in at its instant: the last entered by then (the first stage,
    which an SQL enters, if none)."""
    entered = pd.concat([entry[["case", "instant"]].assign(stage=stage.name)
                         for stage, entry in zip(mapping.stages, entries)], ignore_index=True)
    asked = frame[["case", "instant"]].reset_index().sort_values("instant", kind="stable")
    found = pd.merge_asof(asked, entered.sort_values("instant", kind="stable"), on="instant", by="case")
    return found.set_index("index")["stage"].reindex(frame.index).fillna(mapping.stages[0].name)


def _stage_rows(entries: list[pd.DataFrame], spans: pd.DataFrame, mapping: LogMapping) -> list[pd.DataFrame]:
    """Each stage's own (work) rows, and an ``advanced`` row naming each stage after the first."""
    frames = []
    for position, (stage, chosen) in enumerate(zip(mapping.stages, entries)):
        own = _with_work(_base_rows(chosen, "lead", stage.name, "sales", mapping), spans)
        frames.append(own.assign(stage=stage.name))
        if position:
            frames.append(_base_rows(chosen, "lead", "advanced", "sales", mapping).assign(stage=stage.name))
    return frames
