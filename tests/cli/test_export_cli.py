"""``simcoord run --export DIR --format F`` and ``simcoord export RUNDIR``: the same files as
the library writes, and bad input as one line with exit code 2, nothing half-written."""

from __future__ import annotations

import pandas as pd
import pytest

from simcoord.cli import main
from simcoord.log.export import FORMATS
from support import BASELINE

DAYS = "20"


@pytest.fixture(scope="module")
def stored_run(tmp_path_factory):
    """A run stored with --out, exported as CSV while it ran."""
    folder = tmp_path_factory.mktemp("cli")
    code = main(["run", str(BASELINE), "--days", DAYS, "--seed", "2", "--out", str(folder / "run"),
                 "--export", str(folder / "live"), "--format", "csv"])
    assert code == 0
    return folder


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:"), err
    return err[0]


def test_run_export_and_export_of_the_stored_run_agree(stored_run, capsys):
    capsys.readouterr()
    assert main(["export", str(stored_run / "run"), "--format", "csv", "--out", str(stored_run / "later")]) == 0
    assert "eventlog.csv" in capsys.readouterr().out
    assert (stored_run / "live" / "eventlog.csv").read_bytes() == (stored_run / "later" / "eventlog.csv").read_bytes()


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_export_writes_each_format_into_run_export_by_default(stored_run, fmt):
    assert main(["export", str(stored_run / "run"), "--format", fmt]) == 0
    assert (stored_run / "run" / "export" / FORMATS[fmt]).stat().st_size > 0


def test_streamed_run_exports_too(tmp_path):
    assert main(["run", str(BASELINE), "--days", "10", "--stream", "--out", str(tmp_path / "run"),
                 "--export", str(tmp_path / "out"), "--format", "parquet"]) == 0
    flat = pd.read_parquet(tmp_path / "out" / "eventlog.parquet")
    assert {"case:concept:name", "concept:name", "time:timestamp", "lifecycle:transition"} <= set(flat.columns)


def test_unknown_format_is_one_line_and_exit_2(stored_run, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["export", str(stored_run / "run"), "--format", "xes"])
    assert exit_.value.code == 2 and "invalid choice: 'xes'" in one_error_line(capsys)


def test_missing_run_dir_is_one_line_and_exit_2(tmp_path, capsys):
    assert main(["export", str(tmp_path / "nowhere")]) == 2
    assert "no such run directory" in one_error_line(capsys)
    assert not (tmp_path / "nowhere").exists()


def test_a_dir_without_events_is_one_line_and_exit_2(stored_run, tmp_path, capsys):
    assert main(["export", str(tmp_path)]) == 2
    assert "scenario.resolved.yaml" in one_error_line(capsys)
    (tmp_path / "scenario.resolved.yaml").write_bytes((stored_run / "run" / "scenario.resolved.yaml").read_bytes())
    assert main(["export", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "holds no event log" in one_error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scenario.resolved.yaml"]


@pytest.mark.parametrize("command", ["run", "export"])
def test_a_file_as_target_is_refused_up_front(stored_run, tmp_path, capsys, command):
    (tmp_path / "a_file").write_text("")
    argv = (["run", str(BASELINE), "--days", DAYS, "--export", str(tmp_path / "a_file")] if command == "run"
            else ["export", str(stored_run / "run"), "--out", str(tmp_path / "a_file")])
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and "is a file, not a directory" in one_error_line(capsys)
    assert capsys.readouterr().out == ""  # refused before simulating


def test_an_unwritable_target_is_one_line_and_exit_2(stored_run, tmp_path, capsys):
    (tmp_path / "a_file").write_text("")
    assert main(["export", str(stored_run / "run"), "--out", str(tmp_path / "a_file" / "below")]) == 2
    assert "cannot export to" in one_error_line(capsys)


def test_a_format_without_export_is_refused(capsys):
    assert main(["run", str(BASELINE), "--days", "2", "--format", "parquet"]) == 2
    assert "--format says how to --export the log" in capsys.readouterr().err
