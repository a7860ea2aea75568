"""Does a scenario reach its steady state within the first weeks? (not a timed benchmark)

Prints, for a long run of each seed, every period's first-touch median and p90 and each team's
utilisation, with the least-squares trend of the first-touch median and of sales' load after the
start-up; then a short and a long experiment's KPIs side by side with their 95 % intervals, from
day 0 and after a warm-up. A queue still filling shows as a rising first-touch time and load;
a short run that describes another company than a long one shows as intervals that do not
overlap.

    .venv/bin/python benchmarks/steady_state.py                      # the baseline
    .venv/bin/python benchmarks/steady_state.py scenarios/x.yaml --days 730 --period 91 --seeds 0 1 2
"""

from __future__ import annotations

import argparse

import pandas as pd

from common import BASELINE
from simcoord.experiments.warmup import horizon_agreement, period_kpis, period_trend
from simcoord.model.company import simulate
from simcoord.scenario.loading import load_scenario
from simcoord.scenario.schema import Scenario

PERIOD_COLUMNS = ["first_touch_median_hours", "first_touch_p90_hours", "utilisation_sales", "utilisation_marketing",
                  "utilisation_production", "utilisation_service"]


def periods(scenario: Scenario, seeds: list[int], days: float, period_days: float, skip_periods: int) -> None:
    """Print each seed's per-period KPIs and the trend after the first ``skip_periods`` periods."""
    for seed in seeds:
        table = period_kpis(simulate(scenario, seed=seed, days=days).events, scenario, days, period_days)
        print(f"\nseed {seed}: KPIs per {period_days:g}-day period (rows: first day)")
        print(table[PERIOD_COLUMNS].round(2).to_string())
        for kpi in ("first_touch_median_hours", "utilisation_sales"):
            slope, p_value = period_trend(table.iloc[skip_periods:], kpi)
            print(f"  trend of {kpi} after {skip_periods} periods: {slope:+.3f} per period (p = {p_value:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default=str(BASELINE))
    parser.add_argument("--days", type=float, default=730, help="horizon of the per-period runs (default 730)")
    parser.add_argument("--period", type=float, default=91, help="period length in days (default 91, a quarter)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--skip", type=int, default=1, help="periods of start-up left out of the trend (default 1)")
    parser.add_argument("--replications", type=int, default=10, help="replications per horizon (default 10)")
    parser.add_argument("--warmup", type=float, default=56, help="warm-up of the second comparison (days)")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    pd.set_option("display.width", 200)
    periods(scenario, args.seeds, args.days, args.period, args.skip)
    for warmup in (0.0, args.warmup):
        print(f"\n90 against 365 days after {warmup:g} days of warm-up, {args.replications} replications:")
        print(horizon_agreement(scenario, 90, 365, args.replications, warmup_days=warmup).round(3).to_string())


if __name__ == "__main__":
    main()
