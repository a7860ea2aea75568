"""How the cost of one run grows, on companies whose queues are stable: the exponent b of
CPU time ~ size^b (least-squares slope on log-log axes; b = 1 is linear), in the horizon and
in the number of leads.

Two companies, each timed in CPU seconds of whole ``simulate()`` calls (log frame and KPIs
included), best of ``--repeats``; beside each exponent, the exponent of the log's events in the same
size and of CPU time in events (the cost of one event: 1 means each event costs alike):

- the M/M/c reduction (``scenarios/validation/mmc.yaml``, utilisation 0.8): horizon 91-730 days;
  arrival rate x0.5-x4 with the reps scaled alike, so the utilisation stays 0.8;
- the baseline without service (``scenarios/baseline.yaml``, whose sales queue is steady, with
  ``service.enabled: false``): no customer base that grows for ever; its events per day still
  grow through the first year, as recycled and nurtured leads fill up from an empty start (the
  events row says by how much); horizon 91-730 days, and leads x0.5-x4 with every head count and line
  scaled alike. (The frozen baseline of ``benchmarks/frozen/`` is no good here: its sales backlog
  grows for two years, and a growing queue costs more per event.)

The note of each exponent gives the CPU seconds per point and the median first-touch wait (hours) at the
smallest and the largest size: alike, the queues are stable.

    python benchmarks/bench_scaling.py               # full (about 2 minutes on 2 busy cores)
    python benchmarks/bench_scaling.py --quick       # half the sizes' horizons
"""

from __future__ import annotations

import argparse
import time
from typing import Any, Callable

import numpy as np

from common import BASELINE, MMC, Row, best_of, format_table
from simcoord.model.company import simulate
from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from simcoord.scenario.schema import Scenario

DEPARTMENTS = ("marketing", "sales", "production", "service")
FACTORS = (0.5, 1.0, 2.0, 4.0)


def exponent(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def mmc(factor: float) -> Scenario:
    """The M/M/c reduction with ``factor`` x the arrival rate and x the reps (utilisation kept)."""
    data = resolve_file(MMC)
    channels = data["demand"]["channels"]
    override = {"organisation": {"sales": {"staff": round(data["organisation"]["sales"]["staff"] * factor)}},
                "demand": {"channels": {n: {"leads_per_week": c["leads_per_week"] * factor}
                                        for n, c in channels.items()}}}
    return scenario_from_dict(deep_merge(data, override), source=f"mmc x{factor:g}")


def baseline_without_service(factor: float) -> Scenario:
    """The baseline without service, with every arrival rate, campaign, head count and
    production line times ``factor``."""
    data = resolve_file(BASELINE)
    org, demand = data["organisation"], data["demand"]
    override: dict[str, Any] = {
        "organisation": {**{d: {"staff": max(1, round(org[d]["staff"] * factor))} for d in DEPARTMENTS},
                         "key_account_staff": max(1, round(org["key_account_staff"] * factor))},
        "demand": {"channels": {n: {"leads_per_week": c["leads_per_week"] * factor}
                                for n, c in demand["channels"].items()},
                   "campaigns": [{**c, "extra_leads": c["extra_leads"] * factor} for c in demand["campaigns"]]},
        "production": {"lines": max(1, round(data["production"]["lines"] * factor))},
        "service": {"enabled": False},
    }
    return scenario_from_dict(deep_merge(data, override), source=f"baseline without service x{factor:g}")


def growth(name: str, what: str, sizes: list[float], run: Callable[[float], Any], repeats: int) -> list[Row]:
    """Exponent rows of ``run(size)`` at each size (best of ``repeats``): of CPU time in the size,
    of the log's events in the size, and of CPU time in events (the cost of an event, 1 = constant)."""
    timed = [best_of(repeats, lambda size=size: run(size), clock=time.process_time) for size in sizes]
    seconds, events = [t for t, _ in timed], [len(result.events) for _, result in timed]
    waits = [result.kpis["first_touch_median_hours"] for _, result in (timed[0], timed[-1])]
    points = ", ".join(f"{size:g}: {t:.2f}s" for size, t in zip(sizes, seconds))
    return [Row(name, f"exponent in {what}", exponent(sizes, seconds), "",
                f"target <= 1.05; CPU {points}; first-touch wait {waits[0]:.2f} -> {waits[-1]:.2f} h"),
            Row(name, f"  events in {what}", exponent(sizes, events), "", ", ".join(f"{e:,}" for e in events)),
            Row(name, "  CPU time in events", exponent(events, seconds), "", "the cost of one event; 1 = constant")]


def run(days: float = 365, repeats: int = 2) -> list[Row]:
    """Exponents in horizon (``days`` / 4 to 2 x ``days``) and in leads (x0.5 to x4 over ``days`` / 4)."""
    horizons = [days / 4, days / 2, days, 2 * days]
    short = days / 4
    companies = (("M/M/c", mmc), ("no-service base", baseline_without_service))
    rows = []
    for name, company in companies:
        same = company(1.0)
        rows += growth(f"scaling {name}", "horizon", horizons,
                       lambda h, same=same: simulate(same, seed=0, days=h), repeats)
        scaled = {factor: company(factor) for factor in FACTORS}  # built before the clock starts
        rows += growth(f"scaling {name}", "leads", list(FACTORS),
                       lambda f, scaled=scaled: simulate(scaled[f], seed=0, days=short), repeats)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="horizons of 45-365 days instead of 91-730")
    parser.add_argument("--repeats", type=int, default=2, help="best of this many runs per point (default 2)")
    args = parser.parse_args()
    print(format_table(run(days=182.5 if args.quick else 365, repeats=args.repeats)))
