"""Reading and mapping a real event log: BPI Challenge 2012 (262,200 events, 13,087 cases).

Times, best of ``--repeats``: reading the gzipped CSV through its mapping into the lab's rows
(``read_log``); the same in small chunks (how a log larger than memory is read); the KPIs of the
result (``imported_log_kpis``); and, when pm4py is installed, the original XES file through the
same mapping (pm4py parses the XML), checked to give the same rows as the CSV.

Usage::

    python benchmarks/bench_read_log.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import importlib.util
import warnings

from common import ROOT, Row, best_of, format_table

DATA = ROOT / "data" / "bpic2012"
SMALL_CHUNKS = 20_000  # rows per chunk for the chunked reading


def _read(name: str, mapping: str = "mapping.yaml"):
    from simcoord.log.read import read_log

    return read_log(DATA / name, DATA / mapping)


def _chunked(repeats: int) -> float:
    """Seconds to read the CSV in chunks of :data:`SMALL_CHUNKS` rows."""
    import simcoord.log.sources as sources

    default, sources.CHUNK_ROWS = sources.CHUNK_ROWS, SMALL_CHUNKS
    try:
        return best_of(repeats, lambda: _read("bpic2012.csv.gz"))[0]
    finally:
        sources.CHUNK_ROWS = default


def _xes_rows(log, repeats: int) -> list[Row]:
    """The XES file through pm4py, if installed; it must give the CSV's rows."""
    if importlib.util.find_spec("pm4py") is None:
        return [Row("read_log", "xes (pm4py)", float("nan"), "s", "pm4py not installed")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seconds, xes = best_of(repeats, lambda: _read("BPI_Challenge_2012.xes.gz", "mapping-xes.yaml"))
    same = xes.events.drop(columns="case").equals(log.events.drop(columns="case"))
    return [Row("read_log", "xes.gz through pm4py", seconds, "s", "same rows as the CSV" if same else "DIFFERENT")]


def run(repeats: int = 3) -> list[Row]:
    """The figures of this benchmark."""
    from simcoord.kpis.imported import imported_log_kpis

    seconds, log = best_of(repeats, lambda: _read("bpic2012.csv.gz"))
    raw_events, lab_events = 262_200, len(log.events)
    kpi_seconds, _ = best_of(repeats, lambda: imported_log_kpis(log))
    return [
        Row("read_log", "csv.gz, default chunks", seconds, "s", f"{raw_events / seconds:,.0f} events/s"),
        Row("read_log", f"csv.gz, {SMALL_CHUNKS:,}-row chunks", _chunked(repeats), "s"),
        Row("read_log", "lab rows", lab_events, "rows", f"{log.events['id'].nunique():,} cases"),
        Row("imported_log_kpis", "KPIs of the read log", kpi_seconds, "s"),
        *_xes_rows(log, 1),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats; the best counts (default 3)")
    print(format_table(run(parser.parse_args().repeats)))
