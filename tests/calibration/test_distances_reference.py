"""simcoord's log distances give the log-distance-measures package's values on real logs (BPIC 2012,
and a simulated week against it): live when the package's environment ``.venv-ldm`` exists
(``make distances-reference-env``), else against the values it gave, kept in ldm_reference.json."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from ldm_inputs import PAIRS, pair
from simcoord.calibration.distances import DISTANCES, LogColumns, log_distances

HERE = Path(__file__).resolve().parent
REFERENCE_PYTHON = HERE.parents[1] / ".venv-ldm" / "bin" / "python"
KEPT = json.loads((HERE / "ldm_reference.json").read_text())


@pytest.fixture(scope="module")
def reference() -> dict:
    """The package's values: computed now in its own environment, or the kept ones."""
    if not (REFERENCE_PYTHON.parent.parent / ".installed").exists():
        return KEPT
    done = subprocess.run([str(REFERENCE_PYTHON), str(HERE / "ldm_reference.py")], capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def logs() -> dict:
    return {name: pair(name) for name in PAIRS}


def test_the_kept_values_are_of_these_inputs_and_settings():
    assert KEPT["inputs"] == {name: list(described) for name, described in PAIRS.items()}
    assert KEPT["package"].startswith("log-distance-measures ")
    assert set(KEPT["values"]) == set(PAIRS)


@pytest.mark.parametrize("name", list(PAIRS))
def test_every_distance_is_the_packages_on_real_logs(reference, logs, name):
    real, simulated = logs[name]
    ours = {key: distance(real, simulated) for key, distance in DISTANCES.items()}
    assert ours == pytest.approx(reference["values"][name], rel=1e-9, abs=1e-12)
    assert all(value > 0 for value in ours.values())  # the pairs differ in every respect measured


def test_the_kept_values_are_what_the_package_gives_now(reference):
    if reference is KEPT:
        pytest.skip("no .venv-ldm (make distances-reference-env): compared with the kept values only")
    for name in PAIRS:
        assert reference["values"][name] == pytest.approx(KEPT["values"][name], rel=1e-12)


def test_log_distances_reads_a_log_with_one_row_per_instance(reference, logs):
    real, simulated = logs["bpic_october_vs_november"]
    columns = LogColumns(case="case", activity="activity", start="start", end="end", lifecycle=None)
    assert log_distances(real, simulated, columns) == pytest.approx(reference["values"]["bpic_october_vs_november"],
                                                                    rel=1e-9)
