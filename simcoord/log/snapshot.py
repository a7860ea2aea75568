"""The open pipeline at a moment: which cases are open at a cut-off, and where each one is.

A :class:`Snapshot` lists the leads created before its cut-off ``at`` that had not ended (won,
dormant, discarded) by then, one :class:`OpenCase` each, in plain words a simulation can start
from (``simcoord.simulate(..., start_from=snapshot)``). Two ways to get one:

- :func:`snapshot_at`: replay an event log in the lab's schema (a simulated log, or a company's
  log read with ``simcoord.read_log``) up to the cut-off;
- :func:`read_open_leads`: a CRM export of open leads, one row per lead, read through a small
  spec (:class:`OpenLeadsSpec`) that names its columns and translates its stage words.

Where a case is (``OpenCase.state``): ``nurture`` (with marketing), ``sales`` (handed over,
waiting for its first touch, or its first touch under way), ``public pool``, or the name of the
funnel stage it is in. Hours are clock hours before the cut-off.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field, field_validator

from simcoord.log.clock import wall_hours
from simcoord.log.read import ImportedLog
from simcoord.scenario.limits import FieldProblem
from simcoord.scenario.loading import resolve_file, validate_model
from simcoord.scenario.schema import Grade, Spec, Tier, check_time_zone
from simcoord.vocabulary import CLOSING, GRADES, LEAD_ACTIVITIES, LEAD_STATE, TERMINAL, TIERS

NURTURE, SALES, POOL = "nurture", "sales", "public pool"
#: Where an open case can be besides a funnel stage (the non-terminal states of ``LEAD_STATES``).
OPEN_STATES = (NURTURE, SALES, POOL)
#: Lead activities that start a new stay in a state (nurture touches and routing do not).
_ENTRIES = ("created", "recycled", "mql", "claimed_from_pool", "reassigned_from_pool", "released_to_pool")


@dataclass(frozen=True)
class OpenCase:
    """One case open at the cut-off, where it is then. Hours are clock hours before the cut-off."""

    case_id: str
    state: str  # nurture, sales, public pool, or the funnel stage it is in
    stage: str | None  # the funnel stage it is in or was last in since its latest hand-over (None: not qualified)
    age_hours: float  # since it was created
    waiting_since_hours: float = 0.0  # since it entered its state (its stage visit, its hand-over or pool claim)
    touches: int = 0  # touches of its current stage visit started so far (0 outside a stage)
    stage_visits: dict[str, int] = field(default_factory=dict)  # stage -> visits so far (the current one included)
    owner: str | None = None  # the rep who holds it
    grade: str | None = None  # L1..L5
    value: float | None = None  # deal value (currency)
    channel: str | None = None
    tier: str | None = None
    handed_over_hours: float | None = None  # since its latest hand-over to sales (None: not in sales)
    first_touch_hours: float | None = None  # hand-over to first touch, if touched since (None: not yet)
    last_event_hours: float | None = None  # since its latest event (None: unknown)
    recycles: int = 0  # times it went back to nurture


@dataclass(frozen=True)
class Snapshot:
    """The cases open at ``at`` (an aware timestamp in ``time_zone``) and where they came from."""

    at: pd.Timestamp
    time_zone: str
    cases: tuple[OpenCase, ...]
    source: str = ""

    def __len__(self) -> int:
        return len(self.cases)

    def to_frame(self) -> pd.DataFrame:
        """One row per open case (columns: the fields of :class:`OpenCase`), for people to look at."""
        columns = [name for name in OpenCase.__dataclass_fields__]
        return pd.DataFrame([asdict(case) for case in self.cases], columns=columns)

    def counts(self) -> pd.Series:
        """Open cases per state."""
        return pd.Series([case.state for case in self.cases], dtype=object).value_counts()


def as_instant(moment: Any, zone: str) -> pd.Timestamp:
    """``moment`` (a date, a datetime, ISO text or a timestamp) as an aware timestamp in ``zone``;
    a moment without a zone is read as ``zone``'s wall clock (a day: its midnight)."""
    if isinstance(moment, (int, float, np.number)):
        raise ValueError(f"cut-off {moment!r} is a number: give a date or a time (e.g. '2012-01-01')")
    try:
        stamp = pd.Timestamp(moment)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"cut-off {moment!r} is no date or time: {exc}") from None
    if pd.isna(stamp):
        raise ValueError(f"cut-off {moment!r} is no date or time")
    if stamp.tzinfo is None:
        return stamp.tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    return stamp.tz_convert(zone)


def hours_since(start_date: dt.date, at: pd.Timestamp, zone: str) -> float:
    """Wall-clock hours of ``zone`` from ``start_date`` 00:00 to ``at`` (the lab's ``time`` of ``at``)."""
    return float(wall_hours(pd.Series([at]), zone, pd.Timestamp(start_date))[0])


# ----------------------------------------------------------------- from an event log
@dataclass
class _Track:
    """One case replayed row by row (times in the log's hours)."""

    created: float
    entered: float
    last: float
    state: str = NURTURE
    stage: str | None = None
    touches: int = 0
    visits: dict[str, int] = field(default_factory=dict)
    attributes: dict[str, Any] = field(default_factory=dict)  # owner, grade, value, channel, tier
    handed: float | None = None
    touched: float | None = None
    recycles: int = 0
    ended: bool = False

    def enter_stage(self, stage: str, now: float) -> None:
        self.state, self.stage, self.entered, self.touches = stage, stage, now, 0
        self.visits[stage] = self.visits.get(stage, 0) + 1

    def move(self, activity: str, now: float) -> None:
        """A row of :data:`LEAD_STATE`: the case changes state (or ends)."""
        self.state = LEAD_STATE[activity]
        self.ended = activity in TERMINAL
        if activity in _ENTRIES:
            self.entered, self.touches = now, 0
        if activity == "mql":
            self.handed, self.touched, self.stage = now, None, None
        elif activity in ("claimed_from_pool", "reassigned_from_pool"):
            self.touched = None  # the new rep contacts it again first
        elif activity == "recycled":
            self.stage, self.handed, self.touched = None, None, None
            self.recycles += 1

    def case(self, case_id: Any, cutoff: float) -> OpenCase:
        """The case as an :class:`OpenCase` at ``cutoff``."""
        touched = None if self.touched is None or self.handed is None else self.touched - self.handed
        return OpenCase(
            case_id=str(case_id), state=self.state, stage=self.stage, age_hours=cutoff - self.created,
            waiting_since_hours=cutoff - self.entered, touches=self.touches, stage_visits=dict(self.visits),
            handed_over_hours=None if self.handed is None else cutoff - self.handed, first_touch_hours=touched,
            last_event_hours=cutoff - self.last, recycles=self.recycles, **self.attributes)


_ROW_COLUMNS = ("id", "time", "activity", "department", "staff", "stage", "grade", "value", "channel", "tier", "touch",
                "state", "age_hours", "waiting_hours", "touches")


class _Replay:
    """Replays the lead rows of a log in time order, keeping one :class:`_Track` per case."""

    def __init__(self, stages: set[str]) -> None:
        self.stages = stages
        self.tracks: dict[Any, _Track] = {}

    def row(self, row: dict[str, Any]) -> None:
        activity, now = row["activity"], row["time"]
        if activity in ("created", "resumed"):
            self.tracks[row["id"]] = self._born(row)
            return
        track = self.tracks.get(row["id"])
        if track is None or track.ended:
            return
        track.last = now
        _remember(track.attributes, row)
        self._step(track, activity, row, now)

    def _born(self, row: dict[str, Any]) -> _Track:
        now, age = row["time"], _number(row.get("age_hours")) or 0.0
        track = _Track(created=now - age, entered=now - (_number(row.get("waiting_hours")) or 0.0), last=now)
        _remember(track.attributes, row)
        state, stage = row.get("state"), _text(row.get("stage"))
        if isinstance(state, str) and state in self.stages:
            track.enter_stage(state, track.entered)
            track.touches = int(_number(row.get("touches")) or 0)
        elif isinstance(state, str):
            track.state, track.stage = state, stage
        return track

    def _step(self, track: _Track, activity: str, row: dict[str, Any], now: float) -> None:
        stage = _text(row.get("stage"))
        if activity in LEAD_STATE:
            track.move(activity, now)
        elif activity in ("sql", "sent_back") and stage:
            track.enter_stage(stage, now)
        elif activity == "advanced" and stage and stage != CLOSING:
            track.enter_stage(stage, now)
        elif activity == "first_touch":
            track.touched = now
            if track.stage is not None:  # a re-contact of a qualified case: on to its stage
                track.enter_stage(track.stage, now)
        elif activity in ("lost", "invalid"):  # the lab recycles or discards at once; a log that does neither
            track.state, track.stage, track.handed, track.touched = NURTURE, None, None, None
        elif activity in self.stages:
            if track.state != activity:
                track.enter_stage(activity, now)
            touch = _number(row.get("touch"))
            track.touches = int(touch) if touch is not None else track.touches + 1


def _remember(attributes: dict[str, Any], row: dict[str, Any]) -> None:
    """Keep the case's latest owner, grade, and its first value, channel and tier."""
    staff, grade = _text(row.get("staff")), _text(row.get("grade"))
    if row["activity"] in ("released_to_pool", "recycled", "mql"):
        attributes["owner"] = None  # the rep (if any) let it go
    elif staff and row.get("department") == "sales":
        attributes["owner"] = staff
    if grade:
        attributes["grade"] = grade
    for name in ("channel", "tier"):
        if name not in attributes and _text(row.get(name)):
            attributes[name] = _text(row.get(name))
    if "value" not in attributes and _number(row.get("value")) is not None:
        attributes["value"] = _number(row.get("value"))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def snapshot_at(log: ImportedLog | pd.DataFrame | Any, cutoff: Any, start_date: dt.date | str | None = None,
                time_zone: str | None = None, stages: list[str] | None = None) -> Snapshot:
    """The cases of ``log`` created before ``cutoff`` and not ended by then, where each one is.

    ``log`` is an :class:`~simcoord.log.read.ImportedLog` or a ``SimulationResult`` (their start
    date, zone and stages are their own), or a frame of the lab's rows (give ``start_date``, time 0's
    day, and ``time_zone``, default UTC). ``cutoff`` is a date (its midnight) or a time, read in
    the log's zone unless it has one. ``stages``: the funnel's stage names (default: the log's, or
    for a frame every lead activity the vocabulary does not list)."""
    events, start_date, time_zone, stages, source = _log_parts(log, start_date, time_zone, stages)
    zone = check_time_zone(time_zone or "UTC")
    at = as_instant(cutoff, zone)
    hours = hours_since(pd.Timestamp(start_date).date(), at, zone)
    leads = _lead_rows(events, hours)
    replay = _Replay(set(stages) if stages is not None else _stage_names(leads))
    for row in leads.to_dict("records"):
        replay.row(row)
    names = _case_names(events)
    cases = tuple(track.case(names.get(case_id, case_id), hours) for case_id, track in replay.tracks.items()
                  if not track.ended)
    return Snapshot(at, zone, cases, f"{source} at {at.isoformat()}")


def _log_parts(log: Any, start_date: Any, time_zone: str | None,
               stages: list[str] | None) -> tuple[pd.DataFrame, Any, str | None, list[str] | None, str]:
    """The events, start date, zone, stage names and a description of ``log``."""
    if isinstance(log, ImportedLog):
        return (log.events, log.start_date, log.mapping.time_zone,
                stages or [stage.name for stage in log.mapping.stages], log.source)
    if hasattr(log, "events") and hasattr(log, "scenario"):  # a simulation's result (a higher layer's type)
        calendar = log.scenario.calendar
        return (log.events, calendar.start_date, calendar.time_zone,
                stages or [stage.name for stage in log.scenario.funnel.stages], f"simulated {log.scenario.name}")
    if start_date is None:
        raise ValueError("snapshot_at: a frame of events needs its start_date (time 0 is that day's midnight)")
    return log, start_date, time_zone, stages, "event log"


def _lead_rows(events: pd.DataFrame, hours: float) -> pd.DataFrame:
    """The lead rows before ``hours``, in log order, with every column the replay reads."""
    missing = [column for column in ("id", "kind", "time", "activity") if column not in events]
    if missing:
        raise ValueError(f"snapshot_at: the events have no column {missing[0]!r} (the lab's schema is needed)")
    leads = events[(events["kind"] == "lead") & (events["time"] < hours)]
    leads = leads.reindex(columns=list(_ROW_COLUMNS))
    leads["activity"] = leads["activity"].astype(str)
    return leads.astype({"department": object, "staff": object, "stage": object, "grade": object, "channel": object, "tier": object,
                         "state": object})


def _case_names(events: pd.DataFrame) -> dict[Any, Any]:
    """Lead id -> the company's own case id (an imported log's ``case`` column), where there is one."""
    if "case" not in events:
        return {}
    named = events.loc[(events["kind"] == "lead") & events["case"].notna(), ["id", "case"]]
    return dict(zip(named["id"], named["case"]))


def _stage_names(leads: pd.DataFrame) -> set[str]:
    """Lead activities the vocabulary does not list: the funnel's stages (the only other lead words)."""
    return set(leads["activity"].unique()) - set(LEAD_ACTIVITIES) - {CLOSING}


# ----------------------------------------------------------------- from a CRM export of open leads
class OpenLeadColumns(Spec):
    """Column names of an export of open leads (one row per lead); ``None``: the export lacks it."""

    case: str = Field(description="the lead's id")
    created: str = Field(description="when the lead was created")
    stage: str = Field(description="where the lead is, in the CRM's words (translated by ``states``)")
    stage_since: str | None = Field(None, description="when it entered that stage (default: created)")
    handed_over: str | None = Field(None, description="when it was handed to sales (default: stage_since)")
    touches: str | None = Field(None, description="touches of its current stage so far")
    owner: str | None = None
    value: str | None = Field(None, description="deal value (currency)")
    channel: str | None = None
    grade: str | None = None
    tier: str | None = None

    def named(self) -> dict[str, str]:
        """Field -> column, for the columns the export has."""
        return {name: column for name, column in self.model_dump().items() if column is not None}


class OpenLeadsSpec(Spec):
    """How to read a CRM export of open leads: its columns, its stage words, its clock."""

    name: str = "open leads"
    columns: OpenLeadColumns
    states: dict[str, str] = Field(min_length=1, description="the CRM's stage -> nurture, sales, public pool "
                                                             "or a funnel stage name of the scenario")
    time_zone: str = Field("UTC", description="the company's zone (the scenario's calendar.time_zone)")
    naive_timestamps: str | None = Field(None, description="zone of timestamps without an offset")
    grade_values: dict[str, Grade] = Field(default_factory=dict, description="the CRM's grades -> L1..L5")
    tier_values: dict[str, Tier] = Field(default_factory=dict, description="the CRM's tiers -> the lab's")

    @field_validator("time_zone", "naive_timestamps")
    @classmethod
    def _known_zone(cls, zone: str | None) -> str | None:
        return zone if zone is None else check_time_zone(zone)

    @field_validator("states")
    @classmethod
    def _open_states(cls, states: dict[str, str]) -> dict[str, str]:
        for word, state in states.items():
            if not state or state in TERMINAL:
                raise FieldProblem(word, f"{state!r} is no place for an open lead (nurture, sales, public pool, "
                                         "or a funnel stage)")
        return states


def load_open_leads_spec(spec: OpenLeadsSpec | dict[str, Any] | str | Path) -> OpenLeadsSpec:
    """``spec`` as an :class:`OpenLeadsSpec`: given, a mapping, or a YAML file (validated; a problem
    is one ``ScenarioError`` naming file and field)."""
    if isinstance(spec, OpenLeadsSpec):
        return spec
    if isinstance(spec, dict):
        return validate_model(OpenLeadsSpec, spec)
    return validate_model(OpenLeadsSpec, resolve_file(spec), source=spec)


def read_open_leads(path: str | Path, spec: OpenLeadsSpec | dict[str, Any] | str | Path, at: Any) -> Snapshot:
    """The open leads of a CRM export at ``path`` (``.csv``, ``.csv.gz`` or ``.parquet``, one row
    per lead) as a :class:`Snapshot` at ``at`` (when the export was taken: a date is its midnight,
    read in the spec's zone unless it has one). ``spec`` names the columns and translates the
    CRM's stage words (:class:`OpenLeadsSpec`).

    Raises ``ValueError`` naming the file, the row (counted from 1 after the header) and the column
    of the first bad value: a missing column, an empty id or a repeated one, a time that is no
    time or is after ``at``, an unknown stage, grade or tier, a value or touch count that is no number."""
    spec = load_open_leads_spec(spec)
    frame = _read_table(Path(path))
    missing = [column for column in spec.columns.named().values() if column not in frame]
    if missing:
        raise ValueError(f"{path}: no column {missing[0]!r} (columns: {', '.join(map(str, frame.columns))})")
    instant = as_instant(at, spec.time_zone)
    reader = _LeadRow(spec, instant, str(path))
    cases = tuple(reader.case(number, row) for number, row in enumerate(frame.to_dict("records"), start=1))
    repeated = pd.Series([case.case_id for case in cases]).duplicated()
    if repeated.any():
        number = int(repeated.to_numpy().argmax()) + 1
        raise ValueError(f"{path}: row {number}, column {spec.columns.case!r}: lead {cases[number - 1].case_id!r} "
                         "is listed twice")
    return Snapshot(instant, spec.time_zone, cases, str(path))


def _read_table(path: Path) -> pd.DataFrame:
    """The export's cells as text (NaN where empty)."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path).astype(object)
        return pd.read_csv(path, dtype=str, skipinitialspace=True)
    except (ValueError, OSError, pd.errors.ParserError) as exc:
        raise ValueError(f"{path}: not a readable CSV or Parquet file: {exc}") from None


class _LeadRow:
    """Reads one row of an export of open leads into an :class:`OpenCase`."""

    def __init__(self, spec: OpenLeadsSpec, at: pd.Timestamp, source: str) -> None:
        self.spec, self.at, self.source = spec, at, source
        self.columns = spec.columns.named()

    def problem(self, number: int, field_name: str, text: str) -> ValueError:
        return ValueError(f"{self.source}: row {number}, column {self.columns[field_name]!r}: {text}")

    def case(self, number: int, row: dict[str, Any]) -> OpenCase:
        cells = {name: _cell(row[column]) for name, column in self.columns.items()}
        if cells["case"] is None:
            raise self.problem(number, "case", "the lead's id is empty")
        state = self.state(number, cells["stage"])
        created = self.hours_before(number, "created", cells["created"])
        since = self.hours_before(number, "stage_since", cells.get("stage_since"), default=created)
        handed = self.hours_before(number, "handed_over", cells.get("handed_over"), default=since)
        if since > created:
            raise self.problem(number, "stage_since", "the lead entered its stage before it was created")
        in_stage = state not in OPEN_STATES
        return OpenCase(
            case_id=cells["case"], state=state, stage=state if in_stage else None, age_hours=created,
            waiting_since_hours=since, touches=int(self.number(number, "touches", cells.get("touches")) or 0),
            stage_visits={state: 1} if in_stage else {}, owner=cells.get("owner"),
            grade=self.translated(number, "grade", cells.get("grade"), self.spec.grade_values),
            value=self.number(number, "value", cells.get("value")), channel=cells.get("channel"),
            tier=self.translated(number, "tier", cells.get("tier"), self.spec.tier_values),
            handed_over_hours=handed if state != NURTURE else None, last_event_hours=since)

    def state(self, number: int, word: str | None) -> str:
        if word not in self.spec.states:
            known = ", ".join(sorted(self.spec.states))
            raise self.problem(number, "stage", f"stage {word!r} is not in the spec's states ({known})")
        return self.spec.states[word]

    def hours_before(self, number: int, field_name: str, text: str | None, default: float | None = None) -> float:
        """Clock hours from the cell's time to the cut-off."""
        if text is None:
            if default is None:
                raise self.problem(number, field_name, "the time is empty")
            return default
        try:
            stamp = pd.Timestamp(text)
        except (TypeError, ValueError):
            raise self.problem(number, field_name, f"{text!r} is no ISO 8601 time") from None
        if stamp.tzinfo is None:
            if self.spec.naive_timestamps is None:
                raise self.problem(number, field_name, f"{text!r} has no zone and the spec gives no naive_timestamps")
            stamp = stamp.tz_localize(self.spec.naive_timestamps, ambiguous=True, nonexistent="shift_forward")
        hours = (self.at - stamp) / pd.Timedelta(hours=1)
        if hours < 0:
            raise self.problem(number, field_name, f"{text} is after the cut-off {self.at.isoformat()}")
        return float(hours)

    def number(self, number: int, field_name: str, text: str | None) -> float | None:
        if text is None:
            return None
        value = _number(text)
        if value is None or value < 0:
            raise self.problem(number, field_name, f"{text!r} is no number of at least 0")
        return value

    def translated(self, number: int, field_name: str, text: str | None, words: dict[str, str]) -> str | None:
        known = GRADES if field_name == "grade" else TIERS
        if text is None or text in known:
            return text
        if text not in words:
            raise self.problem(number, field_name, f"{text!r} is no {field_name} ({', '.join(known)}) and the "
                                                   f"spec's {field_name}_values do not translate it")
        return words[text]


def _cell(value: Any) -> str | None:
    """A cell as stripped text (None where empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    return text or None
