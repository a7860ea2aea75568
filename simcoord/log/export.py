"""Export a run's event log for process-mining tools: a flat log with pm4py's column names
(CSV or Parquet) and an object-centric log in OCEL 2.0 (JSON or SQLite).

Everything is derived from the rows the log already has; the log itself is not changed.

- **Timestamps.** Model hours are wall-clock hours of the scenario's ``calendar.time_zone``
  (default UTC), counted from ``calendar.start_date`` at 00:00. Exports turn them into
  time-zone-aware timestamps. On a daylight-saving change the model's wall clock runs on as if
  nothing happened, so two rules make its hours real instants, both keeping the log's order:
  an hour the clocks skip in spring (02:00-03:00 in Amsterdam) is moved to the end of the gap
  (03:00), and an hour they repeat in autumn is read as its first occurrence (summer time).
- **Activity instances.** One per row of the log: queued, started and completed. A work row
  (``queued_at`` and ``work_hours``) was logged when the work started and is done ``work_hours``
  working hours later on the scenario's calendar; a production run takes ``work_hours / crew``
  working hours; a meeting ``work_hours`` clock hours; every other row is instantaneous
  (queued = started = completed).
- **Objects and cases.** Objects are named ``lead-12``, ``order-3``, ``customer-5``,
  ``ticket-9``. An order belongs to its lead (its ``lead`` attribute), a customer to the lead and
  order it was onboarded from (the ``onboarding`` row's ``lead`` and ``order``), a ticket to its
  customer. The flat log's case is the lead an object descends from, so a lead's whole life,
  order, customer and tickets included, is one case; rows of other kinds (batches, meetings,
  plans...) are cases of their own. The OCEL log keeps lead, order, customer and ticket rows.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from simcoord.log.clock import localise, wall_hours
from simcoord.log.store import PART_FILES, EventLog, ParquetEventLog
from simcoord.scenario.calendar import WorkCalendar, department_calendars
from simcoord.scenario.loading import load_scenario
from simcoord.scenario.schema import CalendarSpec, Scenario
from simcoord.vocabulary import HOURS_PER_DAY

#: Export formats and the one file each writes.
FORMATS = {"csv": "eventlog.csv", "parquet": "eventlog.parquet", "ocel-json": "ocel.json",
           "ocel-sqlite": "ocel.sqlite"}
#: The object types of the OCEL export (kinds of the log).
OBJECT_TYPES = ("lead", "order", "customer", "ticket")
#: Attributes of a row that name another object of that type.
REFERENCES = ("lead", "order", "customer")
#: Attributes each object type takes from its first row of this activity.
OBJECT_ATTRIBUTES = {"lead": ("created", ("channel", "tier", "industry", "value")),
                     "order": ("order_created", ("units", "value"))}
#: Attributes whose value changes over an object's life: a lead's grade (on its own rows), a
#: customer's satisfaction (on its rows and its tickets'). The first value is the initial one.
OBJECT_CHANGES = {"lead": ("grade",), "customer": ("satisfaction",)}
#: Event attributes of the OCEL export and their OCEL 2.0 types.
EVENT_ATTRIBUTES = {"resource": "string", "department": "string", "queued": "time", "started": "time",
                    "work_hours": "float"}
EPOCH = "1970-01-01T00:00:00Z"


# --------------------------------------------------------------------------- time
def to_timestamps(hours: Any, calendar: CalendarSpec) -> pd.DatetimeIndex:
    """Model hours (wall-clock hours since ``calendar.start_date`` 00:00) as aware timestamps in
    ``calendar.time_zone``, by ``clock``'s daylight-saving rules. Infinite or NaN hours give NaT."""
    hours = np.asarray(hours, dtype=float)
    finite = np.where(np.isfinite(hours), hours, np.nan)
    wall = pd.Series(pd.Timestamp(calendar.start_date) + pd.to_timedelta(finite, unit="h"))
    return pd.DatetimeIndex(localise(wall, calendar.time_zone))


def to_model_hours(timestamps: Any, calendar: CalendarSpec) -> np.ndarray:
    """Aware timestamps back to model hours (wall-clock hours in ``calendar.time_zone``)."""
    return wall_hours(timestamps, calendar.time_zone, pd.Timestamp(calendar.start_date))


# --------------------------------------------------------------------------- activity instances
def _column(events: pd.DataFrame, name: str) -> pd.Series:
    """A column of the log, or all-NaN where no row ever set that attribute."""
    return events[name] if name in events else pd.Series(np.nan, index=events.index)


def _numbers(events: pd.DataFrame, name: str) -> np.ndarray:
    return pd.to_numeric(_column(events, name), errors="coerce").to_numpy(dtype=float)


def completion_hours(events: pd.DataFrame, calendar: WorkCalendar,
                     own: dict[str, WorkCalendar] | None = None) -> np.ndarray:
    """When each row's activity is done (model hours): see the module's docstring. Work runs on
    its department's week in ``own`` (``scenario.calendar.department_calendars``), else ``calendar``."""
    start, work, crew = events["time"].to_numpy(dtype=float), _numbers(events, "work_hours"), _numbers(events, "crew")
    on_calendar = (_column(events, "queued_at").notna().to_numpy() | ~np.isnan(crew)) & ~np.isnan(work)
    done = np.where(np.isnan(work), start, start + np.nan_to_num(work))  # meetings: clock hours
    hours = np.where(np.isnan(crew), work, work / crew)
    departments = events["department"].astype(str).to_numpy()
    for row in np.flatnonzero(on_calendar):
        week = (own or {}).get(departments[row], calendar)
        # as the model's timeout does it: now + (end - now), so a row logged at that moment ties exactly
        done[row] = start[row] + (week.add_work_hours(start[row], hours[row]) - start[row])
    return done


def _object_names(kind: Any, ids: pd.Series) -> pd.Series:
    """``lead-12`` for kind ``lead`` and id 12; NaN where the id is missing."""
    numbers = pd.to_numeric(ids, errors="coerce")
    names = kind + "-" + numbers.fillna(-1).astype("int64").astype(str)
    return names.where(numbers.notna())


def _owners(events: pd.DataFrame, kind: str, activity: str | None, reference: str) -> pd.Series:
    """Object name -> the object its ``reference`` attribute names, from the first row of
    ``kind`` (and ``activity``) that has it."""
    rows = events[(events["kind"] == kind) & _column(events, reference).notna()]
    if activity is not None:
        rows = rows[rows["activity"] == activity]
    rows = rows.drop_duplicates("id")
    return pd.Series(_object_names(reference, _column(rows, reference)).to_numpy(),
                     index=_object_names(kind, rows["id"]).to_numpy(), dtype=object)


def case_ids(events: pd.DataFrame, objects: pd.Series) -> pd.Series:
    """The flat log's case of each row: the lead its object descends from, else the object."""
    order_lead = _owners(events, "order", "order_created", "lead")
    customer_lead = _owners(events, "customer", "onboarding", "lead")
    ticket_lead = _owners(events, "ticket", "ticket_opened", "customer").map(customer_lead)
    lead_of = pd.concat([order_lead, customer_lead, ticket_lead.dropna()])
    cases = objects.map(lead_of).astype(object)
    return cases.where(cases.notna(), objects)


def activity_instances(events: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per row of ``events`` (the full log, in time order): ``instance``, ``object_type``,
    ``object_id``, ``case``, ``activity``, ``department``, ``resource``, ``work_hours``, the model
    hours ``queued``/``started``/``completed``, their aware ``*_timestamp``, and the objects named
    by ``lead``/``order``/``customer`` attributes (``ref_*``)."""
    days = int(events["time"].max() // HOURS_PER_DAY) + 1 if len(events) else 1
    company = WorkCalendar(scenario.calendar, horizon_days=days)
    started = events["time"].to_numpy(dtype=float)
    objects = _object_names(events["kind"].astype(str), events["id"])
    queued = _numbers(events, "queued_at")
    frame = pd.DataFrame({
        "instance": np.arange(len(events)), "object_type": events["kind"].astype(str).to_numpy(),
        "object_id": objects.to_numpy(), "case": case_ids(events, objects).to_numpy(),
        "activity": events["activity"].astype(str).to_numpy(),
        "department": events["department"].astype(str).to_numpy(),
        "resource": _column(events, "staff").to_numpy(dtype=object), "work_hours": _numbers(events, "work_hours"),
        "queued": np.where(np.isnan(queued), started, queued), "started": started,
        "completed": completion_hours(events, company, department_calendars(scenario, company)),
    })
    for moment in ("queued", "started", "completed"):
        frame[f"{moment}_timestamp"] = to_timestamps(frame[moment], scenario.calendar)
    for reference in REFERENCES:
        frame[f"ref_{reference}"] = _object_names(reference, _column(events, reference)).to_numpy()
    frame["resource"] = frame["resource"].where(frame["resource"].notna(), None)
    return frame


# --------------------------------------------------------------------------- the flat log (pm4py's columns)
def flat_log(instances: pd.DataFrame) -> pd.DataFrame:
    """Two rows per activity instance, ``start`` then ``complete``, in time order (ties in the
    log's order), with pm4py's column names; ``start_timestamp`` and ``queued_timestamp`` repeat
    the instance's start and queueing on both rows, ``concept:instance`` pairs them."""
    common = pd.DataFrame({
        "case:concept:name": instances["case"], "concept:name": instances["activity"],
        "concept:instance": instances["instance"], "org:resource": instances["resource"],
        "org:group": instances["department"], "object_type": instances["object_type"],
        "object_id": instances["object_id"], "queued_timestamp": instances["queued_timestamp"],
        "start_timestamp": instances["started_timestamp"], "work_hours": instances["work_hours"],
    })
    start = common.assign(**{"time:timestamp": instances["started_timestamp"], "lifecycle:transition": "start"})
    complete = common.assign(**{"time:timestamp": instances["completed_timestamp"],
                                "lifecycle:transition": "complete"})
    rows = pd.concat([start, complete], ignore_index=True)
    sequence = np.concatenate([2 * instances["instance"].to_numpy(), 2 * instances["instance"].to_numpy() + 1])
    moments = rows["time:timestamp"].to_numpy(dtype="datetime64[ns]").astype(np.int64)
    moments[rows["time:timestamp"].isna().to_numpy()] = np.iinfo(np.int64).max  # never done: last
    order = np.lexsort((sequence, moments))
    first = ["case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition", "org:resource"]
    return rows.iloc[order][first + [c for c in rows.columns if c not in first]].reset_index(drop=True)


# --------------------------------------------------------------------------- OCEL 2.0
class OcelTables(NamedTuple):
    """An object-centric log in the tables of the OCEL 2.0 relational layout (times as UTC text)."""

    events: pd.DataFrame     # ocel_id, ocel_type, ocel_time, and EVENT_ATTRIBUTES
    relations: pd.DataFrame  # ocel_event_id, ocel_object_id, ocel_qualifier (event to object)
    objects: pd.DataFrame    # ocel_id, ocel_type, and each type's attributes (initial values)
    links: pd.DataFrame      # ocel_source_id, ocel_target_id, ocel_qualifier (object to object)
    changes: pd.DataFrame    # ocel_id, ocel_type, ocel_time, ocel_changed_field, and the attribute's new value


def iso_text(timestamps: Any, utc: bool = False) -> np.ndarray:
    """Aware timestamps as ISO 8601 text to the microsecond: local wall clock with its offset
    (``2011-10-30T02:30:00.000000+02:00``), or with ``utc`` in UTC (``...T00:30:00.000000Z``);
    None for NaT. Formatted in bulk: pandas' own rendering of aware columns is several times slower."""
    index = pd.DatetimeIndex(timestamps)
    universal = index.tz_convert("UTC").tz_localize(None).to_numpy(dtype="datetime64[us]")
    wall = universal if utc else index.tz_localize(None).to_numpy(dtype="datetime64[us]")
    minutes = pd.Series((wall - universal) // np.timedelta64(1, "m"))
    suffix = minutes.map({m: "Z" if utc else f"{'-' if m < 0 else '+'}{abs(m) // 60:02d}:{abs(m) % 60:02d}"
                          for m in minutes.unique()})
    text = (pd.Series(np.datetime_as_string(wall, unit="us"), dtype=object) + suffix).to_numpy(dtype=object, copy=True)
    text[np.isnat(wall)] = None
    return text


def _ocel_events(instances: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "ocel_id": "event-" + instances["instance"].astype(str), "ocel_type": instances["activity"],
        "ocel_time": iso_text(instances["completed_timestamp"], utc=True), "resource": instances["resource"],
        "department": instances["department"], "queued": iso_text(instances["queued_timestamp"], utc=True),
        "started": iso_text(instances["started_timestamp"], utc=True), "work_hours": instances["work_hours"],
    }).reset_index(drop=True)


def _among(names: pd.Series, known: pd.Index) -> np.ndarray:
    """Which ``names`` are in ``known`` (hashed as Python strings: Arrow's ``isin`` is slow here)."""
    return known.get_indexer(names.to_numpy(dtype=object)) >= 0


def _ocel_relations(instances: pd.DataFrame, events: pd.DataFrame, known: pd.Index) -> pd.DataFrame:
    """Each event to its own object (qualified by its type) and to the objects its attributes name."""
    pairs = [pd.DataFrame({"ocel_event_id": events["ocel_id"].to_numpy(),
                           "ocel_object_id": instances["object_id"].to_numpy(),
                           "ocel_qualifier": instances["object_type"].to_numpy()})]
    for reference in REFERENCES:
        pairs.append(pd.DataFrame({"ocel_event_id": events["ocel_id"].to_numpy(),
                                   "ocel_object_id": instances[f"ref_{reference}"].to_numpy(),
                                   "ocel_qualifier": reference}))
    relations = pd.concat(pairs, ignore_index=True)
    return relations[_among(relations["ocel_object_id"], known)].drop_duplicates(ignore_index=True)


def _history(log: pd.DataFrame, started: pd.Series, kind: str, name: str) -> pd.DataFrame:
    """Each value attribute ``name`` takes for objects of ``kind`` (``ocel_id``, ``ocel_time``,
    ``value``), in time order, repeats left out: on the object's own rows or rows naming it."""
    given = _column(log, name).notna().to_numpy()
    rows = log[given]
    owners = np.where((rows["kind"] == kind).to_numpy(), _object_names(kind, rows["id"]),
                      _object_names(kind, _column(rows, kind)))
    keep = pd.notna(owners)
    history = pd.DataFrame({"ocel_id": owners[keep], "ocel_time": iso_text(started[given][keep], utc=True),
                            "value": _column(rows, name).to_numpy()[keep]})
    return history[history["value"] != history.groupby("ocel_id")["value"].shift()]


def _ocel_objects(instances: pd.DataFrame, log: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per object with the attributes :data:`OBJECT_ATTRIBUTES` gives its type and the
    first value of each of :data:`OBJECT_CHANGES`; and the later changes of those."""
    objects = instances.loc[instances["object_type"].isin(OBJECT_TYPES), ["object_id", "object_type"]]
    objects = objects.drop_duplicates("object_id").set_index("object_id").rename(columns={"object_type": "ocel_type"})
    objects.index.name = "ocel_id"
    for kind, (activity, names) in OBJECT_ATTRIBUTES.items():
        rows = log[(log["kind"] == kind) & (log["activity"] == activity)].drop_duplicates("id")
        for name in names:
            _fill(objects, name, pd.Series(_column(rows, name).to_numpy(), index=_object_names(kind, rows["id"])))
    changes = []
    for kind, names in OBJECT_CHANGES.items():
        for name in names:
            history = _history(log, instances["started_timestamp"], kind, name)
            first = ~history["ocel_id"].duplicated()
            _fill(objects, name, history[first].set_index("ocel_id")["value"])
            later = history[~first & history["ocel_id"].isin(objects.index)]
            changes.append(later.rename(columns={"value": name}).assign(ocel_type=kind, ocel_changed_field=name))
    columns = ["ocel_id", "ocel_type", "ocel_time", "ocel_changed_field"]
    return objects.reset_index(), pd.concat([pd.DataFrame(columns=columns), *changes], ignore_index=True)


def _fill(objects: pd.DataFrame, name: str, values: pd.Series) -> None:
    """Set attribute ``name`` of the objects ``values`` names (index: object names)."""
    column = objects[name] if name in objects else pd.Series(None, index=objects.index, dtype=object)
    objects[name] = column.astype(object).fillna(values.astype(object))


def _ocel_links(log: pd.DataFrame, known: pd.Index) -> pd.DataFrame:
    """Order to lead and customer, customer to lead and order, ticket to customer."""
    customer_order = _owners(log, "customer", "onboarding", "order")
    parts = [(_owners(log, "order", "order_created", "lead"), "lead"),
             (pd.Series(customer_order.index, index=customer_order.to_numpy(), dtype=object), "customer"),
             (_owners(log, "customer", "onboarding", "lead"), "lead"), (customer_order, "order"),
             (_owners(log, "ticket", "ticket_opened", "customer"), "customer")]
    links = pd.concat([pd.DataFrame({"ocel_source_id": owners.index.to_numpy(), "ocel_target_id": owners.to_numpy(),
                                     "ocel_qualifier": qualifier}) for owners, qualifier in parts], ignore_index=True)
    keep = _among(links["ocel_source_id"], known) & _among(links["ocel_target_id"], known)
    return links[keep].drop_duplicates(ignore_index=True)


def ocel_tables(instances: pd.DataFrame, log: pd.DataFrame) -> OcelTables:
    """The OCEL 2.0 tables of the rows of :data:`OBJECT_TYPES` (``instances`` of the full event log ``log``)."""
    ours = instances[instances["object_type"].isin(OBJECT_TYPES)]
    events = _ocel_events(ours)
    objects, changes = _ocel_objects(instances, log)
    known = pd.Index(objects["ocel_id"].to_numpy(dtype=object))
    return OcelTables(events, _ocel_relations(ours, events, known), objects, _ocel_links(log, known), changes)


def _attribute_type(values: pd.Series) -> str:
    """An attribute's OCEL 2.0 type: ``float`` for numbers, else ``string``."""
    present = values.dropna()
    return "float" if len(present) and pd.api.types.is_numeric_dtype(present.infer_objects()) else "string"


def _object_attributes(objects: pd.DataFrame, kind: str) -> list[str]:
    """The attributes objects of ``kind`` have in ``objects``: fixed ones, then changing ones."""
    names = (*OBJECT_ATTRIBUTES.get(kind, ("", ()))[1], *OBJECT_CHANGES.get(kind, ()))
    return [name for name in names if name in objects]


def _plain(values: pd.Series) -> list[Any]:
    """A column as JSON values: Python scalars, None for gaps."""
    return values.astype(object).where(values.notna(), None).tolist()


def _grouped(frame: pd.DataFrame, key: str, target: str) -> dict[str, list[dict[str, str]]]:
    """``key`` -> its relationships ``[{objectId, qualifier}, ...]`` (OCEL 2.0 JSON)."""
    grouped: dict[str, list[dict[str, str]]] = {}
    for source, object_id, qualifier in zip(frame[key].tolist(), frame[target].tolist(),
                                            frame["ocel_qualifier"].tolist()):
        grouped.setdefault(source, []).append({"objectId": object_id, "qualifier": qualifier})
    return grouped


def _json_events(tables: OcelTables) -> list[dict[str, Any]]:
    relationships = _grouped(tables.relations, "ocel_event_id", "ocel_object_id")
    names = list(EVENT_ATTRIBUTES)
    records = []
    for row in zip(*(_plain(tables.events[c]) for c in ["ocel_id", "ocel_type", "ocel_time", *names])):
        attributes = [{"name": name, "value": value} for name, value in zip(names, row[3:]) if value is not None]
        records.append({"id": row[0], "type": row[1], "time": row[2], "attributes": attributes,
                        "relationships": relationships.get(row[0], [])})
    return records


def _json_objects(tables: OcelTables) -> list[dict[str, Any]]:
    relationships = _grouped(tables.links, "ocel_source_id", "ocel_target_id")
    objects = tables.objects.astype(object).where(tables.objects.notna(), None)
    changes: dict[str, list[dict[str, Any]]] = {}
    for row in tables.changes.astype(object).where(tables.changes.notna(), None).to_dict("records"):
        field = row["ocel_changed_field"]
        changes.setdefault(row["ocel_id"], []).append({"name": field, "time": row["ocel_time"], "value": row[field]})
    records = []
    for row in objects.to_dict("records"):
        attributes = [{"name": name, "time": EPOCH, "value": row[name]}
                      for name in _object_attributes(objects, row["ocel_type"]) if row[name] is not None]
        records.append({"id": row["ocel_id"], "type": row["ocel_type"],
                        "attributes": attributes + changes.get(row["ocel_id"], []),
                        "relationships": relationships.get(row["ocel_id"], [])})
    return records


def ocel_json(tables: OcelTables) -> dict[str, Any]:
    """The log as an OCEL 2.0 JSON document."""
    event_types = sorted(tables.events["ocel_type"].unique())
    object_types = [kind for kind in OBJECT_TYPES if kind in set(tables.objects["ocel_type"])]
    return {
        "eventTypes": [{"name": name, "attributes": [{"name": a, "type": t} for a, t in EVENT_ATTRIBUTES.items()]}
                       for name in event_types],
        "objectTypes": [{"name": kind, "attributes": [
            {"name": a, "type": _attribute_type(tables.objects[a])} for a in _object_attributes(tables.objects, kind)]}
            for kind in object_types],
        "events": _json_events(tables),
        "objects": _json_objects(tables),
    }


def write_ocel_json(tables: OcelTables, path: Path) -> None:
    path.write_text(json.dumps(ocel_json(tables), allow_nan=False), encoding="utf-8")  # dumps: one C pass


# --------------------------------------------------------------------------- OCEL 2.0 SQLite
def table_names(types: list[str]) -> dict[str, str]:
    """Each type's table suffix (``first_touch`` -> ``FirstTouch``), letters and digits only, unique."""
    names: dict[str, str] = {}
    for kind in types:
        name = "".join(part.capitalize() for part in re.split(r"[^0-9A-Za-z]+", kind)) or "Type"
        while name in names.values():
            name += "X"
        names[kind] = name
    return names


def _sql_type(values: pd.Series, name: str) -> str:
    if EVENT_ATTRIBUTES.get(name) == "time" or name in ("ocel_time",):
        return "TIMESTAMP"
    return "REAL" if _attribute_type(values) == "float" else "TEXT"


def _key(columns: str, table: str | None = None, to: str = "ocel_id") -> str:
    """A table constraint: the primary key ``columns``, or with ``table`` a foreign key to it."""
    return f"PRIMARY KEY ({columns})" if table is None else f'FOREIGN KEY ({columns}) REFERENCES "{table}" ({to})'


def _create_table(db: sqlite3.Connection, table: str, frame: pd.DataFrame, *keys: str) -> None:
    """A table with ``frame``'s columns and the constraints ``keys``, and its rows (gaps as NULL)."""
    columns = ", ".join([*(f'"{name}" {_sql_type(frame[name], name)}' for name in frame.columns), *keys])
    db.execute(f'CREATE TABLE "{table}" ({columns})')
    rows = frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None)
    db.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(frame.columns))})', rows)


def _create_typed(db: sqlite3.Connection, what: str, frame: pd.DataFrame, columns: dict[str, list[str]],
                  changes: pd.DataFrame | None = None) -> None:
    """``what_map_type``, ``what`` (event or object) and one ``what_<Type>`` table per type, with
    the standard's keys; an object's table also holds a row per change of an attribute."""
    names = table_names(sorted(frame["ocel_type"].unique()))
    type_map = pd.DataFrame({"ocel_type": list(names), "ocel_type_map": list(names.values())})
    _create_table(db, f"{what}_map_type", type_map, _key("ocel_type"))
    _create_table(db, what, frame[["ocel_id", "ocel_type"]], _key("ocel_id"),
                  _key("ocel_type", f"{what}_map_type", "ocel_type"))
    own_key = [_key("ocel_id")] if what == "event" else []
    typed = frame if changes is None else pd.concat([frame, changes], ignore_index=True)
    for kind, name in names.items():
        _create_table(db, f"{what}_{name}", typed.loc[typed["ocel_type"] == kind, columns[kind]], *own_key,
                      _key("ocel_id", what))


def write_ocel_sqlite(tables: OcelTables, path: Path) -> None:
    """The OCEL 2.0 relational layout in one SQLite file, keys and references included."""
    objects = tables.objects.assign(ocel_time=EPOCH, ocel_changed_field=None)
    object_columns = {kind: ["ocel_id", "ocel_time", "ocel_changed_field", *_object_attributes(objects, kind)]
                      for kind in OBJECT_TYPES}
    event_columns = ["ocel_id", "ocel_time", *EVENT_ATTRIBUTES]
    with sqlite3.connect(path) as db:
        _create_typed(db, "event", tables.events, {kind: event_columns for kind in tables.events["ocel_type"].unique()})
        _create_typed(db, "object", objects, object_columns, tables.changes)
        _create_table(db, "event_object", tables.relations, _key("ocel_event_id, ocel_object_id, ocel_qualifier"),
                      _key("ocel_event_id", "event"), _key("ocel_object_id", "object"))
        _create_table(db, "object_object", tables.links, _key("ocel_source_id, ocel_target_id, ocel_qualifier"),
                      _key("ocel_source_id", "object"), _key("ocel_target_id", "object"))
    db.close()


# --------------------------------------------------------------------------- export
def _write_flat(instances: pd.DataFrame, log: pd.DataFrame, path: Path) -> None:
    frame = flat_log(instances)
    if path.suffix == ".csv":
        for column in ("time:timestamp", "queued_timestamp", "start_timestamp"):
            frame[column] = iso_text(frame[column])
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path, index=False)


WRITERS = {"csv": _write_flat, "parquet": _write_flat,
           "ocel-json": lambda instances, log, path: write_ocel_json(ocel_tables(instances, log), path),
           "ocel-sqlite": lambda instances, log, path: write_ocel_sqlite(ocel_tables(instances, log), path)}


def full_frame(events: pd.DataFrame | EventLog) -> pd.DataFrame:
    """The whole log as a frame: a streamed log is read back with every column."""
    if isinstance(events, ParquetEventLog):
        return events.read()
    return events.to_frame() if isinstance(events, EventLog) else events


def export_log(events: pd.DataFrame | EventLog, scenario: Scenario, directory: str | Path,
               format: str = "csv") -> Path:
    """Write the log in ``format`` (one of :data:`FORMATS`) into ``directory``; returns the file.

    The file is written beside its final place and moved there whole, so a failed export leaves
    nothing behind (nor the directory, when this call created it)."""
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r} (choose one of {', '.join(FORMATS)})")
    log = full_frame(events)
    instances = activity_instances(log, scenario)
    directory = Path(directory)
    created = not directory.exists()
    directory.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=directory))
    try:
        WRITERS[format](instances, log, staging / FORMATS[format])
        os.replace(staging / FORMATS[format], directory / FORMATS[format])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not any(directory.iterdir()):  # a failed export into a folder of its own
            directory.rmdir()
    return directory / FORMATS[format]


def read_run(directory: str | Path) -> tuple[pd.DataFrame, Scenario]:
    """The full event log and the scenario of a run stored by ``simcoord run --out DIR``
    (``events.parquet`` or streamed ``events/`` parts, and ``scenario.resolved.yaml``)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such run directory")
    scenario_file = directory / "scenario.resolved.yaml"
    if not scenario_file.is_file():
        raise FileNotFoundError(f"{directory} holds no scenario.resolved.yaml (write runs with simcoord run --out)")
    if (directory / "events.parquet").is_file():
        events = pd.read_parquet(directory / "events.parquet")
    elif (directory / "events").is_dir():
        events = ParquetEventLog.open(directory / "events").read()
    else:
        raise FileNotFoundError(f"{directory} holds no event log (events.parquet or events/{PART_FILES})")
    return events, load_scenario(scenario_file)
