"""The baseline company: events and leads per second for one simulated year, and how cost
grows with the horizon and with the number of leads (exponent b of time ~ size^b from
three sizes; b = 1 is linear). Leads are scaled with head counts, so queues stay alike."""

from __future__ import annotations

import gc
import time

import numpy as np

from common import BASELINE, Row, best_of, main_with_days
from simcoord.scenario.loading import deep_merge, resolve_file, scenario_from_dict
from simcoord.kpis import compute_kpis
from simcoord.model.company import HOURS_PER_DAY, Model, simulate

DEPARTMENTS = ("marketing", "sales", "production", "service")


def scaled(factor: float):
    """The baseline with every arrival rate, campaign and head count times ``factor``."""
    data = resolve_file(BASELINE)
    org = data["organisation"]
    channels = data["demand"]["channels"]
    override = {
        "organisation": {**{d: {"staff": max(1, round(org[d]["staff"] * factor))} for d in DEPARTMENTS},
                         "key_account_staff": max(1, round(org["key_account_staff"] * factor))},
        "demand": {"channels": {n: {"leads_per_week": c["leads_per_week"] * factor} for n, c in channels.items()},
                   "campaigns": [{**c, "extra_leads": c["extra_leads"] * factor} for c in data["demand"]["campaigns"]]},
        "production": {"lines": max(1, round(data["production"]["lines"] * factor))},
    }
    return scenario_from_dict(deep_merge(data, override), source=f"baseline x{factor:g}")


def phases(scenario, days: float) -> dict[str, float]:
    """Seconds of each step of ``Model.run`` (collector paused, as there): the SimPy event loop,
    turning the log into a frame, and the KPIs."""
    model = Model(scenario, seed=0, days=days)
    model.start()
    gc.disable()
    try:
        start = time.perf_counter()
        model.env.run(until=days * HOURS_PER_DAY)
        loop = time.perf_counter()
        events = model.log.to_frame()
        frame = time.perf_counter()
        compute_kpis(events, scenario, days, model.calendar)
        done = time.perf_counter()
    finally:
        gc.enable()
    return {"event loop": loop - start, "log to frame": frame - loop, "KPIs": done - frame}


def exponent(sizes: list[float], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) on log(size)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def run(days: float = 365, repeats: int = 2) -> list[Row]:
    scenario = scaled(1.0)
    seconds, result = best_of(repeats, lambda: simulate(scenario, seed=0, days=days))
    leads = result.kpis["leads_created"]
    rows = [
        Row("baseline 1 year", "wall time", seconds, "s", f"{days:g} days, best of {repeats}"),
        Row("baseline 1 year", "events/s", len(result.events) / seconds, "1/s", f"{len(result.events):,} events"),
        Row("baseline 1 year", "leads/s", leads / seconds, "1/s", f"{leads:,.0f} leads"),
    ]
    split = phases(scenario, days)
    total = sum(split.values())
    rows += [Row("baseline 1 year", f"share: {name}", part / total, "ratio", f"{part:.2f} s")
             for name, part in split.items()]
    horizons = [days / 4, days / 2, days]
    runs = [best_of(repeats, lambda h=h: simulate(scenario, seed=0, days=h)) for h in horizons]
    times, events = [t for t, _ in runs], [len(r.events) for _, r in runs]
    rows.append(Row("cost growth", "exponent in horizon", exponent(horizons, times), "",
                    "days " + ", ".join(f"{h:g}: {t:.2f}s" for h, t in zip(horizons, times))))
    rows.append(Row("cost growth", "exponent of events in horizon", exponent(horizons, events), "",
                    "the company grows (customers, tickets): " + ", ".join(f"{e:,}" for e in events)))
    rows.append(Row("cost growth", "exponent in events", exponent(events, times), "", "time per event; 1 = linear"))
    factors = [0.5, 1.0, 2.0]
    half_year = days / 2
    times = [best_of(repeats, lambda f=f: simulate(scaled(f), seed=0, days=half_year))[0] for f in factors]
    rows.append(Row("cost growth", "exponent in leads", exponent(factors, times), "",
                    f"{half_year:g} days; leads x" + ", x".join(f"{f:g}: {t:.2f}s" for f, t in zip(factors, times))))
    return rows


if __name__ == "__main__":
    main_with_days(run, __doc__)
