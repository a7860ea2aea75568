"""Profile one simulated year of the baseline with cProfile: where the time goes, by module
and by function (own time). ``python benchmarks/profile_baseline.py [--days 365] [--top 25]``"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import BASELINE  # noqa: E402
from simcoord.scenario.loading import load_scenario  # noqa: E402
from simcoord.model.company import simulate  # noqa: E402


def where(filename: str) -> str:
    """A profile entry's owner: a simcoord module, a library, or the interpreter."""
    path = Path(filename)
    if "simcoord" in path.parts and "site-packages" not in path.parts:
        return f"simcoord/{path.name}"
    if "site-packages" in path.parts:
        return path.parts[path.parts.index("site-packages") + 1]
    return "python builtins" if filename == "~" else path.name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--days", type=float, default=365)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    scenario = load_scenario(BASELINE)
    profiler = cProfile.Profile()
    profiler.enable()
    simulate(scenario, seed=0, days=args.days)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(entry[2] for entry in stats.stats.values())
    by_owner: dict[str, float] = defaultdict(float)
    for (filename, _, _), entry in stats.stats.items():
        by_owner[where(filename)] += entry[2]
    print(f"own time by module ({total:.2f} s profiled):")
    for owner, seconds in sorted(by_owner.items(), key=lambda item: -item[1])[:15]:
        print(f"  {owner:<32}{seconds:>7.2f} s {seconds / total:>6.1%}")
    print(f"\ntop {args.top} functions by own time:")
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[: args.top]
    for (filename, line, name), entry in rows:
        print(f"  {where(filename) + ':' + str(line) + ' ' + name:<60}{entry[2]:>7.2f} s {entry[2] / total:>6.1%}"
              f"  cum {entry[3]:>6.2f} s  calls {entry[1]:,}")


if __name__ == "__main__":
    main()
