"""The event log: the single record of every state change.

Processes append plain tuples; the DataFrame is built once at the end, with one
column per attribute used anywhere (missing attributes are NaN/None). The log can
be exported as Parquet or CSV for process mining (case id = ``id``, activity,
timestamp = ``time`` in hours since the scenario start).

Two logs share one interface (``record``, ``__len__``, ``to_frame``, ``frames``):

- :class:`EventLog` keeps every row in memory (the default).
- :class:`ParquetEventLog` streams rows to disk in Parquet chunks, so a run of many
  simulated years keeps memory bounded; its ``to_frame`` reads back only what the
  KPIs may need (all but :data:`NON_KPI_COLUMNS`), its ``frames`` yields those columns
  one part at a time, and the full log stays on disk.

Rows are appended as simulated time runs. A process that knows its own future (nothing else can
change it) may write rows ahead of their time (``record_ahead``); the log then puts its rows in
time order (a stable sort: rows of one time keep the order they were written in) before it hands
them out, and a streamed log writes a part only up to the time the run has reached, so its parts
too follow one another in time order.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from bisect import bisect_right
from operator import itemgetter
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

COLUMNS = ("id", "kind", "time", "activity", "department", "staff")
CATEGORICAL = ("kind", "activity", "department")
_time_of_row = itemgetter(2)
#: Context-only columns ``simcoord.kpis.compute_kpis`` never reads: a streamed log leaves them on
#: disk when it reads back for KPIs. Everything else comes back, so a new attribute a KPI starts
#: to use is never silently missing.
NON_KPI_COLUMNS = ("staff", "queued_at", "entered_at", "score", "channel", "tier", "industry", "team",
                   "engaged", "success", "customer", "order", "lead", "as_of", "satisfaction", "stock", "units",
                   "late", "previous", "from_stage")  # ``reason`` is read: a cancellation is a lost row's reason
PART_FILES = "part-*.parquet"  # what a streamed log's part files are named: part-00000.parquet, ...
DEFAULT_CHUNK_ROWS = 25_000
TEXT = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default ``str`` dtype


def _is_text(kind: pa.DataType) -> bool:
    return pa.types.is_string(kind) or pa.types.is_large_string(kind)


def empty_frame() -> pd.DataFrame:
    """A log with no events: the fixed columns, typed."""
    return pd.DataFrame({c: pd.Series(dtype="float64" if c == "time" else "object") for c in COLUMNS})


def rows_to_frame(rows: list[tuple], by_time: bool = False, categorical: bool = False) -> pd.DataFrame:
    """Rows ``(id, kind, time, activity, department, staff, attribute names, *values)`` as a
    DataFrame in append order (``by_time``: in time order, a stable sort, as if the rows had been
    sorted first); an attribute missing from a row is NaN. ``categorical``: the :data:`CATEGORICAL`
    columns come as categoricals (what :func:`_finish` makes of their text), coded at once.

    Rows that share a tuple of attribute names are transposed together, and each attribute
    column is assembled from those blocks: numeric blocks straight into float arrays, text
    through Arrow (only the rows that have a value; the gaps are filled in by Arrow), anything
    else through pandas' own type inference."""
    if not rows:
        return empty_frame()
    n = len(rows)
    times = np.fromiter(map(itemgetter(2), rows), dtype=np.float64, count=n)
    in_time = np.argsort(times, kind="stable") if by_time else None
    data = _fixed_columns(rows, times, in_time, categorical)
    place = None  # where each row goes in the frame: its own place, or its place in time order
    if in_time is not None:
        place = np.empty(n, dtype=np.int64)
        place[in_time] = np.arange(n)
    blocks: dict[str, list[tuple[np.ndarray, tuple]]] = {}
    group_of_row, name_sets = _name_set_codes(rows, in_time)
    for group_code in name_sets:
        index = np.flatnonzero(group_of_row == group_code)
        names = rows[index[0]][6]
        if not names:
            continue
        where = index.tolist()
        group = itemgetter(*where)(rows) if len(where) > 1 else (rows[where[0]],)
        placed = index if place is None else place[index]
        for position, name in enumerate(names, start=len(COLUMNS) + 1):  # past the fixed fields and the names
            blocks.setdefault(name, []).append((placed, tuple(map(itemgetter(position), group))))
    for name in list(blocks):
        data[name] = _attribute_column(blocks.pop(name), n)
    return pd.DataFrame(data, copy=False)  # a block per column: no consolidated copy of a big log


class _Numbering(dict):
    """Value -> code, each value numbered as it is first looked up: ``map(numbering.__getitem__,
    values)`` codes a whole column in C loops (only a value seen for the first time calls back)."""

    def __missing__(self, value: Any) -> int:
        code = self[value] = len(self)
        return code


def _coded(values: Iterator[Any], n: int) -> tuple[np.ndarray, list[Any]]:
    """``n`` values as codes into the list of distinct values (in order of first appearance)."""
    numbering = _Numbering()
    return np.fromiter(map(numbering.__getitem__, values), dtype=np.int64, count=n), list(numbering)


def _fixed_columns(rows: list[tuple], times: np.ndarray, in_time: np.ndarray | None,
                   categorical: bool = False) -> dict[str, Any]:
    """The columns every row has, in append order or (``in_time``) in time order; ``categorical``:
    the :data:`CATEGORICAL` ones as categoricals. Text fields are coded first (a log has a few
    dozen distinct ones), so each distinct text is converted once, not once a row."""
    n = len(rows)
    ids = np.fromiter(map(itemgetter(0), rows), dtype=np.int64, count=n)

    def text(field: int) -> Any:
        codes, values = _coded(map(itemgetter(field), rows), n)
        if in_time is not None:
            codes = codes[in_time]
        if not all(type(value) is str or value is None for value in values):  # not text: as pandas infers
            return _text_column(_objects(values)[codes])
        if categorical and COLUMNS[field] in CATEGORICAL and any(value is not None for value in values):
            return _category_column(codes, values)
        dictionary = pa.array(values, type=pa.large_string())
        column = dictionary.take(pa.array(codes))
        if column.null_count == n:  # nothing but gaps: as pandas infers
            return _text_column(_objects(values)[codes])
        return pd.array(column, dtype=TEXT)
    return {"id": ids if in_time is None else ids[in_time], "kind": text(1),
            "time": times if in_time is None else times[in_time], "activity": text(3), "department": text(4),
            "staff": text(5)}


def _objects(values: list[Any]) -> np.ndarray:
    """``values`` as a one-dimensional object array, whatever they are."""
    array = np.empty(len(values), dtype=object)
    for place, value in enumerate(values):
        array[place] = value
    return array


def _name_set_codes(rows: list[tuple], in_time: np.ndarray | None) -> tuple[np.ndarray, list[int]]:
    """Each row's set of attribute names as a code, and the codes in order of first appearance in
    the frame (in time order when ``in_time`` gives it), which is the order of its attribute columns.

    Rows share one tuple of attribute names per name set (EventLog interns them), so the tuple's
    identity is coded; an equal tuple that is another object only makes a second block of the
    same columns."""
    codes, name_sets = _coded(map(id, map(itemgetter(6), rows)), len(rows))
    if in_time is None:
        return codes, list(range(len(name_sets)))
    _, first_seen = np.unique(codes[in_time], return_index=True)  # where each code first comes in time order
    return codes, np.argsort(first_seen, kind="stable").tolist()


def _attribute_column(parts: list[tuple[np.ndarray, tuple]], n: int) -> Any:
    """One attribute column of ``n`` rows from its ``(row positions, values)`` blocks."""
    kinds = {_kind(values) for _, values in parts}
    if kinds <= {"f", "i"}:  # plain numbers: float with NaN gaps (int64 only when every row has one)
        complete = sum(len(index) for index, _ in parts) == n
        column = np.empty(n, dtype=np.int64) if kinds == {"i"} and complete else np.full(n, np.nan)
        for index, values in parts:
            column[index] = values
        return column
    if kinds == {"U"}:
        return _sparse_text_column(parts, n)
    column = np.full(n, np.nan, dtype=object)
    for index, values in parts:
        column[index] = values if len(values) != 1 else values[0]
    if kinds == {"b"} and sum(len(index) for index, _ in parts) < n:  # flags with NaN gaps stay objects
        return pd.Series(column, dtype=object)  # (what inference would conclude, after a scan of every row)
    return pd.Series(column, dtype=object).infer_objects()


def _sparse_text_column(parts: list[tuple[np.ndarray, tuple]], n: int) -> Any:
    """A text column of ``n`` rows from its blocks: Arrow converts only the values there are and
    spreads them over the rows (a gap, or a None, is missing: NaN in pandas' ``str`` dtype)."""
    index = np.concatenate([where for where, _ in parts])
    text = pa.array([value for _, values in parts for value in values], type=pa.large_string(), from_pandas=True)
    source = np.full(n, -1, dtype=np.int64)  # each row's place among the values, -1 for a gap
    source[index] = np.arange(len(index))
    return pd.array(text.take(pa.array(source, mask=source < 0)), dtype=TEXT)


def _category_column(codes: np.ndarray, values: list[str | None]) -> pd.Categorical:
    """Text as a categorical with sorted categories, as ``astype("category")`` of
    :func:`_text_column` gives it: ``codes`` into the distinct ``values`` (None: missing)."""
    names = sorted(value for value in values if value is not None)
    rank = np.array([-1 if value is None else names.index(value) for value in values], dtype=np.int64)
    return pd.Categorical.from_codes(rank[codes], dtype=pd.CategoricalDtype(pd.Index(names, dtype=TEXT)))


def _kind(values: tuple) -> str:
    """NumPy's kind letter for a block of values: ``i``/``f`` numbers, ``U`` text (some of it may be
    None), ``b`` flags, ``O`` anything else."""
    types = set(map(type, values))
    if types == {str} or types == {str, type(None)}:
        return "U"
    if types == {bool}:
        return "b"
    if types <= {int, float, np.float64, np.int64}:
        return np.asarray(values).dtype.kind
    return "O"


def _text_column(values: Any) -> Any:
    """Strings (None/NaN for missing) as pandas' Arrow-backed ``str`` dtype, converted by Arrow in
    one pass; values that are not all text (or no text at all) get pandas' usual inference instead."""
    try:
        text = pa.array(values, type=pa.large_string(), from_pandas=True)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        text = None
    if text is not None and text.null_count < len(text):
        return pd.array(text, dtype=TEXT)
    return pd.Series(values, dtype=object).infer_objects()  # mixed, or nothing but gaps


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    """Categorical text columns, rows sorted by time (stable: simultaneous events keep their order)."""
    for column in CATEGORICAL:
        if column in frame and not isinstance(frame[column].dtype, pd.CategoricalDtype):
            frame[column] = frame[column].astype("category")
    if pd.Index(frame["time"]).is_monotonic_increasing:  # the usual case: rows are appended as time runs
        return frame.reset_index(drop=True)
    return frame.sort_values("time", kind="stable").reset_index(drop=True)


def _column_kinds(schemas: list[pa.Schema], exclude: tuple[str, ...]) -> dict[str, str]:
    """How to assemble each wanted column of a streamed log: ``number`` (int/float in every part
    that has it), ``category`` (text) or ``other`` (whatever else, e.g. flags)."""
    types: dict[str, list[pa.DataType]] = {}
    for schema in schemas:
        for field in schema:
            if field.name not in exclude:
                types.setdefault(field.name, []).append(field.type)
    kinds = {}
    for name, found in types.items():
        if all(pa.types.is_integer(t) or pa.types.is_floating(t) for t in found):
            kinds[name] = "number"
        elif all(_is_text(t) or (pa.types.is_dictionary(t) and _is_text(t.value_type)) for t in found):
            kinds[name] = "category"
        else:
            kinds[name] = "other"
    return kinds


def _gaps_as_nan(values: pd.Series) -> pd.Series:
    """Arrow gives ``None`` for gaps in a flag column; the in-memory log has NaN there."""
    return values.astype(object).where(values.notna(), np.nan) if values.dtype == object else values


def _integer_everywhere(schemas: list[pa.Schema], name: str) -> bool:
    return all(name in schema.names and pa.types.is_integer(schema.field(name).type) for schema in schemas)


class _CategoryColumn:
    """A categorical column filled part by part: codes into one growing set of categories,
    held in the narrowest integer type that fits (int8 for a handful of categories)."""

    def __init__(self, n: int) -> None:
        self.codes = np.full(n, -1, dtype=np.int8)
        self.lookup: dict[str, int] = {}

    def fill(self, start: int, values: pa.ChunkedArray) -> None:
        for chunk in values.chunks:
            if not pa.types.is_dictionary(chunk.type):
                chunk = chunk.dictionary_encode()
            table = np.array([self.lookup.setdefault(v, len(self.lookup)) for v in chunk.dictionary.to_pylist()]
                             + [-1], dtype=np.int64)  # local code -> global code; -1 (null) stays -1
            if len(self.lookup) - 1 > np.iinfo(self.codes.dtype).max:
                self.codes = self.codes.astype(np.min_scalar_type(-len(self.lookup)))
            local = chunk.indices.fill_null(-1).to_numpy(zero_copy_only=False)
            self.codes[start:start + len(chunk)] = table[local]
            start += len(chunk)

    def build(self) -> pd.Categorical:
        """Categories sorted, as ``astype("category")`` of the in-memory log gives them."""
        names = list(self.lookup)
        order = np.argsort(np.array(names, dtype=object), kind="stable")
        rank = np.empty(len(names) + 1, dtype=self.codes.dtype)
        rank[order] = np.arange(len(names))
        rank[-1] = -1
        return pd.Categorical.from_codes(rank[self.codes], categories=pd.Index([names[i] for i in order], dtype=TEXT))


class EventLog:
    """Append-only list of ``(id, kind, time, activity, department, staff, names, *values)`` rows.

    A row holds only atomic values and one shared tuple of attribute names, so Python's
    garbage collector untracks it at once: a log of millions of rows then costs nothing at
    each full collection (a row holding a dict would be walked at every one of them).
    """

    def __init__(self) -> None:
        self.rows: list[tuple] = []
        self._names: dict[tuple[str, ...], tuple[str, ...]] = {(): ()}  # one shared tuple per name set
        self._unsorted = False  # rows written ahead of their time since the rows were last sorted

    def _row(self, entity_id: int, kind: str, time: float, activity: str, department: str,
             staff: str | None, attrs: dict[str, Any]) -> tuple:
        if not attrs:
            return (entity_id, kind, time, activity, department, staff, ())
        names = tuple(attrs)
        return (entity_id, kind, time, activity, department, staff, self._names.setdefault(names, names),
                *attrs.values())

    def record(
        self,
        entity_id: int,
        kind: str,
        time: float,
        activity: str,
        department: str,
        staff: str | None = None,
        **attrs: Any,
    ) -> None:
        """Append one event at clock ``time`` (hours since the start date)."""
        if attrs:  # the body of _row, inlined: this runs for every event
            names = tuple(attrs)
            self.rows.append((entity_id, kind, time, activity, department, staff,
                              self._names.setdefault(names, names), *attrs.values()))
        else:
            self.rows.append((entity_id, kind, time, activity, department, staff, ()))

    def record_ahead(self, entity_id: int, kind: str, time: float, activity: str, department: str,
                     staff: str | None = None, **attrs: Any) -> None:
        """Append one event of clock ``time`` later than now (only one that nothing can cancel any
        more): it takes its place in time order when the log is read back, after the rows of the
        same time written before it."""
        self.rows.append(self._row(entity_id, kind, time, activity, department, staff, attrs))
        self._unsorted = True

    def writer_ahead(self, kind: str, activity: str, department: str, *names: str) -> Callable[..., None]:
        """``record_ahead`` for many rows of one ``activity`` with the attributes ``names``, without
        building keyword arguments for each: ``write(entity_id, time, staff, *values)``, the values
        in the order of ``names``."""
        names = self._names.setdefault(names, names)

        def write(entity_id: int, time: float, staff: str | None, *values: Any) -> None:
            self.rows.append((entity_id, kind, time, activity, department, staff, names, *values))
            self._unsorted = True
        return write

    def close(self) -> None:
        """Put the rows in time order (a stable sort, so rows of one time keep their order);
        reading the log back does this first."""
        if self._unsorted:
            self.rows.sort(key=_time_of_row)
            self._unsorted = False

    def __len__(self) -> int:
        return len(self.rows)

    def to_frame(self) -> pd.DataFrame:
        """One row per event, sorted by time (stable: simultaneous events keep their order)."""
        if not self.rows:
            return empty_frame()
        return _finish(rows_to_frame(self.rows, by_time=self._unsorted, categorical=True))

    def frames(self) -> Iterator[pd.DataFrame]:
        """The log as consecutive time-ordered slices, for a KPI pass that needs no whole frame
        (here one slice: the rows are in memory anyway)."""
        yield self.to_frame()


class ParquetEventLog(EventLog):
    """An event log streamed to ``directory`` as Parquet files of ``chunk_rows`` rows each.

    Memory holds about one chunk of rows, plus the rows written ahead of the time the run has
    reached (they wait until it does). Each chunk is its own file (``part-00000.parquet``,
    ...) because events of different kinds carry different attributes; read the whole log
    with :meth:`read` (any columns) or :meth:`to_frame` (the KPI columns). Without a
    ``directory`` a temporary one is used and removed by :meth:`cleanup`.
    """

    def __init__(self, directory: str | Path | None = None, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        super().__init__()
        if chunk_rows < 1:
            raise ValueError("chunk_rows must be at least 1")
        self._temporary = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix="simcoord-log-")) if directory is None else Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        stale = sorted(self.directory.glob(PART_FILES))
        if stale:
            raise ValueError(f"{self.directory} already holds an event log ({len(stale)} parts)")
        self.chunk_rows = chunk_rows
        self.parts: list[Path] = []
        self._written = 0
        self._flush_at = chunk_rows  # rows in memory at which a part may be written

    @classmethod
    def open(cls, directory: str | Path) -> "ParquetEventLog":
        """A log streamed earlier (e.g. ``simcoord run --stream --out DIR`` wrote ``DIR/events``),
        to read back with :meth:`read`, :meth:`to_frame` or :meth:`frames`. Prefer this to
        ``pandas.read_parquet(directory)``, which takes its columns from the first part only and
        so drops attributes that first appear in a later one."""
        parts = sorted(Path(directory).glob(PART_FILES))
        if not parts:
            raise FileNotFoundError(f"{directory} holds no event log (no {PART_FILES} files)")
        log = cls.__new__(cls)
        EventLog.__init__(log)
        log._temporary, log.directory, log.chunk_rows = False, Path(directory), DEFAULT_CHUNK_ROWS
        log.parts = parts
        log._flush_at = DEFAULT_CHUNK_ROWS
        log._written = sum(pq.read_metadata(path).num_rows for path in parts)
        return log

    def record(self, entity_id: int, kind: str, time: float, activity: str, department: str,
               staff: str | None = None, **attrs: Any) -> None:
        """Append one event; a full chunk is written to disk at once."""
        self.rows.append(self._row(entity_id, kind, time, activity, department, staff, attrs))
        if len(self.rows) >= self._flush_at:
            self.flush(until=time)

    def __len__(self) -> int:
        return self._written + len(self.rows)

    def flush(self, until: float | None = None) -> None:
        """Write the rows held in memory as part files of ``chunk_rows`` rows: all of them (the
        last part may be smaller), or, while running, only whole parts of rows up to clock
        ``until``, the time the run has reached; rows written ahead of their time wait for a later part."""
        self.close()
        rows, size = self.rows, self.chunk_rows
        ready = len(rows) if until is None else bisect_right(rows, until, key=_time_of_row)
        start = 0
        while ready - start >= size or (until is None and start < ready):
            self._write_part(rows[start:start + size])
            start += size
        start = min(start, ready)
        self.rows = rows[start:] if start else rows
        self._unsorted = ready < len(rows)  # a row recorded from now on may come before the held ones
        self._flush_at = len(self.rows) + size - (ready - start)  # rows to come before a part is ready

    def _write_part(self, rows: list[tuple]) -> None:
        frame = rows_to_frame(rows)
        empty = [c for c in frame.columns if c not in COLUMNS and frame[c].isna().all()]
        frame = frame.drop(columns=empty)  # typeless here; other parts give the column its type
        path = self.directory / f"part-{len(self.parts):05d}.parquet"
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), path)
        self.parts.append(path)
        self._written += len(rows)
        logger.debug("wrote %s (%d events so far)", path.name, self._written)

    def read(self, exclude: tuple[str, ...] = ()) -> pd.DataFrame:
        """The streamed log, sorted by time like :meth:`EventLog.to_frame`: every column, or all
        but ``exclude``. Without ``exclude`` text columns come back as ``str``; with it, every text
        column is categorical and the frame is filled one part at a time into preallocated
        columns, so reading back needs little more memory than the frame itself."""
        self.flush()
        if not self.parts:
            return empty_frame()
        frame = self._assemble(exclude) if exclude else self._concatenate()
        recorded = {name for names in self._names for name in names}  # attributes never set are None
        for name in sorted(recorded - set(frame.columns) - set(exclude)):
            frame[name] = None
        return _finish(frame)

    def _concatenate(self) -> pd.DataFrame:
        tables = [pq.read_table(path, read_dictionary=list(CATEGORICAL)) for path in self.parts]
        return pa.concat_tables(tables, promote_options="permissive").to_pandas()

    def _assemble(self, exclude: tuple[str, ...]) -> pd.DataFrame:
        schemas = [pq.read_schema(path) for path in self.parts]
        sizes = [pq.read_metadata(path).num_rows for path in self.parts]
        starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
        n = int(starts[-1])
        kinds = _column_kinds(schemas, exclude)
        numbers = {name: np.empty(n, dtype=np.int64) if _integer_everywhere(schemas, name) else np.full(n, np.nan)
                   for name, kind in kinds.items() if kind == "number"}
        categories = {name: _CategoryColumn(n) for name, kind in kinds.items() if kind == "category"}
        others: dict[str, list[pa.ChunkedArray]] = {name: [] for name, kind in kinds.items() if kind == "other"}
        for path, schema, start, size in zip(self.parts, schemas, starts, sizes):
            present = [name for name in kinds if name in schema.names]
            table = pq.read_table(path, columns=present, read_dictionary=[c for c in present if c in categories])
            for name in present:
                values = table.column(name)
                if name in categories:
                    categories[name].fill(start, values)
                elif name in others:
                    others[name].append(values)
                else:
                    if values.null_count and numbers[name].dtype.kind == "i":  # a gap: NaN needs floats
                        numbers[name] = numbers[name].astype(float)
                        numbers[name][start:] = np.nan
                    numbers[name][start:start + size] = values.to_numpy()
            for name in others:
                if name not in schema.names:
                    others[name].append(pa.chunked_array([pa.nulls(size)]))
            del table
            pa.default_memory_pool().release_unused()  # hand the part's buffers back before the next
        data: dict[str, object] = dict(numbers)
        data.update({name: column.build() for name, column in categories.items()})
        data.update({name: _gaps_as_nan(pa.concat_tables([pa.table({name: v}) for v in parts],
                                                         promote_options="permissive").column(0).to_pandas())
                     for name, parts in others.items()})
        return pd.DataFrame({name: data[name] for name in kinds}, copy=False)

    def to_frame(self) -> pd.DataFrame:
        """The log without :data:`NON_KPI_COLUMNS` (what KPIs need); the full log stays in :attr:`directory`."""
        return self.read(exclude=NON_KPI_COLUMNS)

    def frames(self, exclude: tuple[str, ...] = NON_KPI_COLUMNS) -> Iterator[pd.DataFrame]:
        """The parts one at a time, in time order, without ``exclude`` (text as categoricals):
        memory holds one part, however long the log."""
        self.flush()
        for path in self.parts:
            schema = pq.read_schema(path)
            wanted = [c for c in schema.names if c not in exclude]
            text = [c for c in wanted if c in CATEGORICAL or _is_text(schema.field(c).type)]
            frame = pq.read_table(path, columns=wanted, read_dictionary=text).to_pandas()
            pa.default_memory_pool().release_unused()  # the part's Arrow buffers, not kept for the next
            yield frame

    def cleanup(self) -> None:
        """Remove the part files (and the directory, when it was a temporary one)."""
        self.rows = []
        for path in self.parts:
            path.unlink(missing_ok=True)
        self.parts = []
        if self._temporary:
            shutil.rmtree(self.directory, ignore_errors=True)
