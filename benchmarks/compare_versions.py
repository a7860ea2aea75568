"""Before/after: this checkout against another commit, on the same frozen company.

    python benchmarks/compare_versions.py 437734b                 # logs of every policy, seeds 0-2; timing
    python benchmarks/compare_versions.py 437734b --days 91 --pairs 7
    python benchmarks/compare_versions.py HEAD~3 --no-logs        # timing only

Both sides import only the public API (``simcoord.load_scenario``, ``simcoord.simulate``), so the
comparison works across a restructure, and both read the scenario files frozen under
``benchmarks/frozen/`` (the baseline and every shipped policy as they stood at 437734b, resolved),
so both simulate the same company whatever the checkout's own ``scenarios/`` say.

1. Event logs: for each frozen scenario and seeds 0-2, a hash of the whole event log on each side;
   the table says which are identical.
2. Timing: the baseline for ``--days``, in fresh processes alternating before/after (``--pairs``
   pairs, at least 5), so both see the same machine load; the ratio of the medians is the speed-up,
   in wall time and in CPU time (which moves far less when other processes share the machine).

The other commit is checked out with ``git worktree`` into a temporary directory (removed after)
and imported from there with this checkout's virtual environment.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from common import ROOT, Row, format_table

FROZEN = ROOT / "benchmarks" / "frozen"
TIMED = FROZEN / "baseline.yaml"
SEEDS = (0, 1, 2)
LOG_HASHES = r"""
import hashlib, json, sys
import pandas as pd
import simcoord
days, paths = float(sys.argv[1]), sys.argv[2:]
hashes = {}
for path in paths:
    scenario = simcoord.load_scenario(path)
    for seed in (0, 1, 2):
        events = simcoord.simulate(scenario, seed=seed, days=days).events
        rows = pd.util.hash_pandas_object(events.astype(str), index=False).to_numpy().tobytes()
        columns = ",".join(events.columns).encode()
        hashes[f"{path}|{seed}"] = hashlib.sha256(columns + rows).hexdigest()[:16]
print(json.dumps(hashes))
"""
ONE_RUN = r"""
import json, sys, time
import simcoord
scenario = simcoord.load_scenario(sys.argv[1])
start, cpu = time.perf_counter(), time.process_time()
simcoord.simulate(scenario, seed=0, days=float(sys.argv[2]))
print(json.dumps({"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu}))
"""


def in_checkout(checkout: Path, script: str, *args: str) -> dict:
    """Run ``script`` with the package of ``checkout`` on the path; its last stdout line as JSON."""
    env = {**os.environ, "PYTHONPATH": str(checkout), "TQDM_DISABLE": "1"}
    done = subprocess.run([sys.executable, "-c", script, *args], env=env, cwd=checkout, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def compare_logs(before: Path, days: float) -> list[Row]:
    """One row per frozen scenario: are the event logs of seeds 0-2 identical on both sides?"""
    paths = [str(path) for path in sorted(FROZEN.glob("*.yaml"))]
    hashes = {label: in_checkout(checkout, LOG_HASHES, str(days), *paths)
              for label, checkout in (("before", before), ("after", ROOT))}
    rows = []
    for path in paths:
        same = sum(hashes["before"][f"{path}|{seed}"] == hashes["after"][f"{path}|{seed}"] for seed in SEEDS)
        note = "identical" if same == len(SEEDS) else f"{len(SEEDS) - same} of {len(SEEDS)} differ"
        rows.append(Row(f"{Path(path).stem} {days:g} d", "event logs, seeds 0-2", same, "same", note))
    return rows


def time_pairs(before: Path, days: float, pairs: int, commit: str) -> list[Row]:
    """Median wall time of ``simulate()`` on each side over alternating fresh processes."""
    runs: dict[str, list[dict]] = {"before": [], "after": []}
    for _ in range(pairs):
        for label, checkout in (("before", before), ("after", ROOT)):
            runs[label].append(in_checkout(checkout, ONE_RUN, str(TIMED), str(days)))
    name, rows = f"baseline {days:g} d", []
    for clock, unit, what in (("seconds", "s", "wall"), ("cpu", "CPU s", "CPU")):  # CPU: steadier under load
        medians = {label: statistics.median(run[clock] for run in values) for label, values in runs.items()}
        rows += [Row(name, f"before ({commit})", medians["before"], unit, f"{what}, median of {pairs}"),
                 Row(name, "after (this checkout)", medians["after"], unit, f"{what}, median of {pairs}"),
                 Row(name, f"speed-up ({what})", medians["before"] / medians["after"], "ratio",
                     "before / after medians")]
    return rows


def run(commit: str, days: float = 365, pairs: int = 5, logs: bool = True) -> list[Row]:
    if pairs < 5:
        raise SystemExit("--pairs must be at least 5: fewer alternating pairs give no stable median")
    with tempfile.TemporaryDirectory(prefix="simcoord-before-") as folder:
        before = Path(folder) / "checkout"
        subprocess.run(["git", "worktree", "add", "--detach", str(before), commit], cwd=ROOT, check=True,
                       capture_output=True)
        try:
            rows = compare_logs(before, days) if logs else []
            return rows + time_pairs(before, days, pairs, commit)
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(before)], cwd=ROOT, capture_output=True)
            subprocess.run(["git", "worktree", "prune"], cwd=ROOT, capture_output=True)  # if removing failed


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commit", help="the commit to compare with (e.g. a tag, HEAD~5, a hash)")
    parser.add_argument("--days", type=float, default=365, help="simulated days (default 365)")
    parser.add_argument("--pairs", type=int, default=5, help="alternating before/after timing pairs (at least 5)")
    parser.add_argument("--no-logs", dest="logs", action="store_false", help="skip the event-log comparison")
    args = parser.parse_args()
    print(format_table(run(args.commit, args.days, args.pairs, args.logs)))
