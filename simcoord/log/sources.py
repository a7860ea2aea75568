"""Reading a log file's rows as a mapping names them: one standard frame of the rows it uses.

The standard frame has the columns ``row`` (the file's row, counted from 1 after the header),
``case``, ``activity``, ``lifecycle`` (``schedule``, ``start``, ``complete`` or ``other``),
``instant`` (UTC), ``resource`` and the case attributes the mapping names (``value``, ``channel``,
``grade``, ``tier``). A log with ``start`` and ``end`` columns gives two events per row, a start
and a complete. CSV is read in chunks, and a chunk keeps only the rows of mapped activities.
"""

from __future__ import annotations

import difflib
from collections import Counter
from pathlib import Path
from typing import Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simcoord.log.clock import localise
from simcoord.log.mapping import LogMapping

CHUNK_ROWS = 250_000  # rows of a CSV or Parquet file read at once
TOP_UNKNOWN = 5  # unknown activities an error lists
ZONE_SUFFIX = r"(?:Z|[+-]\d{2}:?\d{2})$"  # an ISO 8601 offset at the end of a timestamp
TEXT_COLUMNS = ("case", "activity", "lifecycle", "resource", "channel", "grade", "tier")
TRANSITIONS = ("schedule", "start", "complete")


def read_rows(path: Path, mapping: LogMapping) -> pd.DataFrame:
    """The standard frame of the rows of ``path`` that ``mapping`` uses (see the module docstring)."""
    selection = _Selection(path, mapping)
    offset = 0
    try:
        for chunk in _chunks(path, selection.columns):
            selection.add(chunk, offset)
            offset += len(chunk)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, pa.ArrowException) as exc:
        raise ValueError(f"{path}: cannot read the file: {exc}") from None
    return selection.finish()


def mapped_columns(mapping: LogMapping) -> dict[str, str]:
    """Standard name -> the log's column, for every column the mapping names."""
    return {field: column for field, column in mapping.columns.model_dump().items() if column is not None}


def _chunks(path: Path, columns: dict[str, str]) -> Iterator[pd.DataFrame]:
    """The file's rows in chunks, only the mapped columns, after checking that they exist."""
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such log file")
    name, wanted = path.name.lower(), sorted(set(columns.values()))
    if name.endswith((".csv", ".csv.gz")):
        _check_columns(path, pd.read_csv(path, nrows=0).columns, columns)
        yield from pd.read_csv(path, dtype=str, usecols=wanted, chunksize=CHUNK_ROWS, keep_default_na=False,
                               na_values=[""])
    elif name.endswith(".parquet"):
        _check_columns(path, pq.read_schema(path).names, columns)
        for batch in pq.ParquetFile(path).iter_batches(batch_size=CHUNK_ROWS, columns=wanted):
            yield batch.to_pandas()
    elif name.endswith((".xes", ".xes.gz")):
        frame = _read_xes(path)
        _check_columns(path, frame.columns, columns)
        yield frame[wanted]
    else:
        raise ValueError(f"{path}: unknown log format (expected .csv, .csv.gz, .parquet, .xes or .xes.gz)")


def _read_xes(path: Path) -> pd.DataFrame:
    """An XES file as pm4py reads it (pm4py is an optional extra: its licence keeps it out of the core)."""
    try:
        import pm4py  # noqa: PLC0415 - optional
    except ImportError:
        raise ValueError(f"{path}: reading XES needs pm4py (pip install pm4py), or export the log as CSV") from None
    # iterparse named, so pm4py does not warn about faster optional parsers; no progress bar in a CLI line
    return pm4py.read_xes(str(path), variant="iterparse", show_progress_bar=False)


def _check_columns(path: Path, present: object, columns: dict[str, str]) -> None:
    """Every column the mapping names is in the file; otherwise name it, its field and a close match."""
    present = [str(column) for column in present]  # type: ignore[attr-defined]
    for field, column in columns.items():
        if column not in present:
            close = difflib.get_close_matches(column, present, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"{path}: column {column!r} (mapping columns.{field}) is not in the log{hint} "
                             f"(the log's columns: {', '.join(present)})")


class _Selection:
    """The rows of mapped activities, gathered chunk by chunk, with what the checks must see
    across chunks: unknown activities' counts and whether timestamps carry a zone."""

    def __init__(self, path: Path, mapping: LogMapping) -> None:
        self.path, self.mapping = path, mapping
        self.columns = mapped_columns(mapping)
        self.mapped = mapping.mapped_activities()
        self.known = self.mapped | set(mapping.ignore)
        self.unknown: Counter[str] = Counter()
        self.seen: set[str] = set()  # the mapping's activities that the log has
        self.zone_example: dict[bool, tuple[int, str]] = {}  # has a zone -> (row, value) first seen
        self.parts: list[pd.DataFrame] = []

    def add(self, chunk: pd.DataFrame, offset: int) -> None:
        """Standardise one chunk (its first row is the file's row ``offset + 1``) and keep its mapped rows."""
        rows, chunk = np.arange(offset + 1, offset + len(chunk) + 1), chunk.reset_index(drop=True)
        frame = pd.DataFrame({"row": rows})
        for field in ("case", "activity"):
            frame[field] = self._required_text(chunk[self.columns[field]], rows, field)
        activity = frame["activity"]
        self.unknown.update(activity[~activity.isin(self.known)].value_counts().to_dict())
        self.seen.update(activity[activity.isin(self.known)].unique())
        keep = activity.isin(self.mapped).to_numpy()
        if not keep.any():
            return
        frame, chunk, rows = frame[keep].reset_index(drop=True), chunk[keep].reset_index(drop=True), rows[keep]
        for field in ("timestamp", "start", "end"):
            if field in self.columns:
                frame[field] = self._instants(chunk[self.columns[field]], rows, field)
        frame["lifecycle"] = self._lifecycle(chunk)
        for field in ("resource", "channel", "grade", "tier"):
            if field in self.columns:
                frame[field] = _text(chunk[self.columns[field]])
        if "value" in self.columns:
            frame["value"] = _numbers(chunk[self.columns["value"]], rows, self.columns["value"], self.path)
        self.parts.append(frame)

    def _required_text(self, values: pd.Series, rows: np.ndarray, field: str) -> pd.Series:
        text = _text(values)
        missing = text.isna().to_numpy()
        if missing.any():
            raise ValueError(f"{self.path}: row {rows[missing.argmax()]}: no {field} in column {self.columns[field]!r}")
        return text

    def _lifecycle(self, chunk: pd.DataFrame) -> pd.Series:
        """Each row's transition in the lab's words; ``complete`` for a log without lifecycle."""
        if "lifecycle" not in self.columns:
            return pd.Series("complete", index=chunk.index, dtype=object)
        spelled = self.mapping.lifecycle_values.model_dump()
        words = {str(value).strip().lower(): word for word, value in spelled.items()}
        values = _text(chunk[self.columns["lifecycle"]])
        found = {value: words.get(str(value).strip().lower(), "other") for value in values.dropna().unique()}
        return values.map(found).fillna("other")  # looked up once per distinct spelling

    def _instants(self, values: pd.Series, rows: np.ndarray, field: str) -> pd.Series:
        """A timestamp column as UTC instants, every problem named with its row and value."""
        column = self.columns[field]
        if pd.api.types.is_datetime64_any_dtype(values):
            return self._typed_instants(values, rows, column)
        text = _text(values).str.strip()
        missing = text.isna().to_numpy()
        if missing.any():
            raise ValueError(f"{self.path}: row {rows[missing.argmax()]}: no timestamp in column {column!r}")
        zoned = text.str.contains(ZONE_SUFFIX, regex=True).to_numpy()
        for has_zone in (True, False):
            if (zoned == has_zone).any():
                self.zone_example.setdefault(has_zone, (int(rows[(zoned == has_zone).argmax()]),
                                                         str(text.iloc[(zoned == has_zone).argmax()])))
        self._check_zones(column)
        parsed = pd.to_datetime(text, format="ISO8601", utc=bool(zoned.any()), errors="coerce")
        bad = parsed.isna().to_numpy()
        if bad.any():
            raise ValueError(f"{self.path}: row {rows[bad.argmax()]}: cannot read {text.iloc[bad.argmax()]!r} in "
                             f"column {column!r} as a timestamp (ISO 8601 expected, e.g. 2024-03-01T09:30:00+01:00)")
        return parsed if zoned.any() else self._localised(parsed)

    def _typed_instants(self, values: pd.Series, rows: np.ndarray, column: str) -> pd.Series:
        """A column the file already types as timestamps (e.g. Parquet): UTC instants."""
        missing = values.isna().to_numpy()
        if missing.any():
            raise ValueError(f"{self.path}: row {rows[missing.argmax()]}: no timestamp in column {column!r}")
        has_zone = values.dt.tz is not None
        self.zone_example.setdefault(has_zone, (int(rows[0]), str(values.iloc[0])))
        self._check_zones(column)
        return values.dt.tz_convert("UTC") if has_zone else self._localised(values)

    def _check_zones(self, column: str) -> None:
        """Timestamps all with a zone, or all without one and a zone for them in the mapping."""
        with_zone, without = self.zone_example.get(True), self.zone_example.get(False)
        if with_zone and without:
            raise ValueError(f"{self.path}: column {column!r} mixes timestamps with a time zone (row {with_zone[0]}: "
                             f"{with_zone[1]!r}) and without one (row {without[0]}: {without[1]!r})")
        if without and self.mapping.naive_timestamps is None:
            raise ValueError(f"{self.path}: column {column!r} has timestamps without a time zone (row {without[0]}: "
                             f"{without[1]!r}); say which zone they are in with naive_timestamps: in the mapping")

    def _localised(self, naive: pd.Series) -> pd.Series:
        """Wall-clock timestamps of the mapping's ``naive_timestamps`` zone as UTC instants. In the
        hour a daylight-saving change repeats, a time is read as the first (summer-time) one; a
        time the change skips moves forward to the first that exists."""
        return localise(naive, self.mapping.naive_timestamps).dt.tz_convert("UTC")

    def finish(self) -> pd.DataFrame:
        """The standard frame of every chunk, after the checks that need all of them."""
        if self.unknown:
            raise ValueError(f"{self.path}: {unknown_activities(self.unknown, self.known - self.seen)}")
        frame = pd.concat(self.parts, ignore_index=True) if self.parts else pd.DataFrame()
        if frame.empty:
            raise ValueError(f"{self.path}: no events left: the log is empty or has only ignored activities")
        _check_duplicates(frame, self.path)
        if "timestamp" in frame:
            return frame.rename(columns={"timestamp": "instant"})
        return _as_start_and_complete(frame, self.path)


def unknown_activities(counts: Counter[str], unmatched: set[str] = frozenset()) -> str:
    """The problem of activities a mapping does not know, the most frequent first, with counts,
    and the mapping's activities the log never has (``unmatched``): a misspelling shows as both."""
    listed = _first_few([f"{activity!r} ({count:,} events)" for activity, count in counts.most_common()])
    problem = (f"{len(counts)} activit{'y' if len(counts) == 1 else 'ies'} the mapping does not know: {listed}; "
               "map each to a step or stage, or list it under ignore")
    if unmatched:
        problem += (f"; the mapping's {_first_few([repr(name) for name in sorted(unmatched)])} "
                    f"match{'es' if len(unmatched) == 1 else ''} no activity in the log")
    return problem


def _first_few(items: list[str]) -> str:
    """The first :data:`TOP_UNKNOWN` items, and how many more there are."""
    more = f" and {len(items) - TOP_UNKNOWN} more" if len(items) > TOP_UNKNOWN else ""
    return ", ".join(items[:TOP_UNKNOWN]) + more


def _check_duplicates(frame: pd.DataFrame, path: Path) -> None:
    """No row repeats an earlier one in every mapped column (a doubled export, or a join gone wrong)."""
    repeated = frame.duplicated([c for c in frame.columns if c != "row"]).to_numpy()
    if repeated.any():
        first = frame["row"].iloc[repeated.argmax()]
        many = repeated.sum() > 1
        raise ValueError(f"{path}: {int(repeated.sum()):,} row{'s' if many else ''} repeat{'' if many else 's'} an "
                         f"earlier row exactly (the first at row {first}); remove the duplicates from the log")


def _as_start_and_complete(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Rows with a start and an end as two events, a ``start`` and a ``complete``; an end before
    its start is an error."""
    backwards = (frame["end"] < frame["start"]).to_numpy()
    if backwards.any():
        row = frame.iloc[backwards.argmax()]
        raise ValueError(f"{path}: row {row['row']}: events out of order: {row['activity']!r} of case "
                         f"{row['case']!r} ends ({row['end']}) before it starts ({row['start']})")
    started = frame.drop(columns="end").rename(columns={"start": "instant"}).assign(lifecycle="start")
    completed = frame.drop(columns="start").rename(columns={"end": "instant"}).assign(lifecycle="complete")
    return pd.concat([started, completed], ignore_index=True)


def _text(values: pd.Series) -> pd.Series:
    """A column as text with missing values NaN (numbers read from Parquet become their text)."""
    if pd.api.types.is_string_dtype(values) or values.dtype == object:
        return values.astype(object).where(values.notna())
    return values.astype(object).where(values.notna()).map(lambda v: v if v != v else str(v))


def _numbers(values: pd.Series, rows: np.ndarray, column: str, path: Path) -> pd.Series:
    """A column of numbers (deal values): text that is no number is an error naming its row."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = (numbers.isna() & values.notna()).to_numpy()
    if bad.any():
        raise ValueError(f"{path}: row {rows[bad.argmax()]}: {values.iloc[bad.argmax()]!r} in column {column!r} "
                         "is not a number")
    return numbers.astype(float)
