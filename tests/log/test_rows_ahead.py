"""Rows written ahead of their time (``record_ahead``): every log hands its rows out in time order,
rows of one time in the order they were written, and a streamed log's parts follow one another
in time order with the same rows as the in-memory log."""

from __future__ import annotations

import pandas as pd

from simcoord.log.store import EventLog, ParquetEventLog


def write(log: EventLog) -> None:
    """A run's rows as a process that knows its future writes them: ahead, then the present
    catching up, with ties between rows ahead and rows recorded at their time."""
    log.record(1, "lead", 0.0, "created", "marketing", None, channel="web")
    log.record_ahead(1, "lead", 5.0, "nurtured", "marketing", None, grade="L2", engaged=False)
    log.record_ahead(1, "lead", 9.0, "dormant", "marketing", None, reason="wake_up_failed")
    log.record_ahead(2, "lead", 5.0, "nurtured", "marketing", None, grade="L3", engaged=True)
    log.record(3, "lead", 2.0, "created", "marketing", None, channel="social")
    log.record(3, "lead", 5.0, "mql", "marketing", None, grade="L4")  # a tie: after the rows ahead at 5
    log.record_ahead(3, "lead", 7.0, "nurtured", "marketing", None, grade="L4", engaged=True)
    log.record(4, "lead", 6.0, "created", "marketing", None, channel="web")


EXPECTED = [(1, 0.0, "created"), (3, 2.0, "created"), (1, 5.0, "nurtured"), (2, 5.0, "nurtured"),
            (3, 5.0, "mql"), (4, 6.0, "created"), (3, 7.0, "nurtured"), (1, 9.0, "dormant")]


def listed(frame: pd.DataFrame) -> list[tuple[int, float, str]]:
    return list(zip(frame["id"].tolist(), frame["time"].tolist(), frame["activity"].astype(str).tolist()))


def test_rows_written_ahead_take_their_place_in_time_order() -> None:
    log = EventLog()
    write(log)
    assert len(log) == len(EXPECTED)
    assert listed(log.to_frame()) == EXPECTED


def test_a_streamed_log_writes_whole_parts_only_up_to_the_present(tmp_path) -> None:
    log = ParquetEventLog(tmp_path / "log", chunk_rows=2)
    write(log)
    written = [pd.read_parquet(part)["time"].tolist() for part in log.parts]
    assert all(len(part) == 2 for part in written)  # whole parts, written while running
    assert max(max(part) for part in written) <= 6.0  # none past the latest time recorded
    assert len(log) == len(EXPECTED)


def test_a_streamed_log_reads_back_the_rows_of_the_in_memory_log(tmp_path) -> None:
    log, in_memory = ParquetEventLog(tmp_path / "log", chunk_rows=2), EventLog()
    write(log)
    write(in_memory)
    streamed, kept = log.read(), in_memory.to_frame()
    assert listed(streamed) == listed(kept) == EXPECTED
    for column in ("grade", "reason", "channel", "engaged"):
        assert streamed[column].isna().equals(kept[column].isna()), column
        assert streamed[column].dropna().tolist() == kept[column].dropna().tolist(), column
