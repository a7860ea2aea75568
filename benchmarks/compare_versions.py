"""Before/after: wall time of ``simulate()`` at another commit vs this checkout, alternating
fresh processes so both see the same machine load; the ratio of the best times is the speed-up.

    python benchmarks/compare_versions.py 731e57b            # baseline and M/M/3, 1 year, best of 3
    python benchmarks/compare_versions.py HEAD~3 --days 91 --repeats 5

The other commit is checked out with ``git worktree`` into a temporary directory (removed after)
and imported from there with this checkout's virtual environment; each run also reports a hash
of the event log, so a speed-up that changed the model shows up as well.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, Row, format_table

SCENARIOS = ("scenarios/baseline.yaml", "scenarios/validation/mmc.yaml")
ONE_RUN = r"""
import hashlib, json, sys, time
import pandas as pd
from simcoord.loading import load_scenario
from simcoord.model import simulate
scenario = load_scenario(sys.argv[1])
start = time.perf_counter()
result = simulate(scenario, seed=0, days=float(sys.argv[2]))
seconds = time.perf_counter() - start
digest = hashlib.sha256(pd.util.hash_pandas_object(result.events.astype(str)).to_numpy().tobytes()).hexdigest()
print(json.dumps({"seconds": seconds, "log": digest[:12]}))
"""


def one_run(checkout: Path, scenario: str, days: float) -> dict:
    """``simulate()`` of ``scenario`` with the package (and scenario file) of ``checkout``."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "TQDM_DISABLE": "1"}
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(checkout / scenario), str(days)], env=env,
                          cwd=checkout, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(commit: str, days: float = 365, repeats: int = 3) -> list[Row]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="simcoord-before-") as folder:
        before = Path(folder) / "checkout"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), commit], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            for scenario in SCENARIOS:
                times: dict[str, list[float]] = {"before": [], "after": []}
                logs: dict[str, str] = {}
                for _ in range(repeats):
                    for label, checkout in (("before", before), ("after", ROOT)):
                        outcome = one_run(checkout, scenario, days)
                        times[label].append(outcome["seconds"])
                        logs[label] = outcome["log"]
                name = Path(scenario).stem
                same = "same event log" if logs["before"] == logs["after"] else "the event log differs"
                rows += [Row(f"{name} {days:g} d", f"{label} ({commit if label == 'before' else 'this'})",
                             min(times[label]), "s", f"best of {repeats}") for label in times]
                rows.append(Row(f"{name} {days:g} d", "speed-up", min(times["before"]) / min(times["after"]), "ratio",
                                same))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)  # if removing failed
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commit", help="the commit to compare with (e.g. a tag, HEAD~5, a hash)")
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(format_table(run(args.commit, args.days, args.repeats)))
