"""The ``log-distance-measures`` package's own values of the six distances on the pairs of
``ldm_inputs.PAIRS``, with its default settings (cycle times in bins of one hour, as its README's
example). Run it in the package's environment (pandas < 3, Python < 3.13), made by
``make distances-reference-env``:

    .venv-ldm/bin/python tests/calibration/ldm_reference.py            # prints the values as JSON
    .venv-ldm/bin/python tests/calibration/ldm_reference.py --write    # and keeps them in ldm_reference.json

``tests/calibration/test_distances_reference.py`` runs it when ``.venv-ldm`` exists, and otherwise
compares simcoord's distances with the kept values.
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from pathlib import Path

import pandas as pd
from log_distance_measures.absolute_event_distribution import absolute_event_distribution_distance
from log_distance_measures.case_arrival_distribution import case_arrival_distribution_distance
from log_distance_measures.circadian_event_distribution import circadian_event_distribution_distance
from log_distance_measures.config import EventLogIDs
from log_distance_measures.cycle_time_distribution import cycle_time_distribution_distance
from log_distance_measures.n_gram_distribution import n_gram_distribution_distance
from log_distance_measures.relative_event_distribution import relative_event_distribution_distance

from ldm_inputs import PAIRS, pair

KEPT = Path(__file__).resolve().parent / "ldm_reference.json"
IDS = EventLogIDs(case="case", activity="activity", start_time="start", end_time="end")
MEASURES = {
    "ngram_3": lambda real, simulated: n_gram_distribution_distance(real, IDS, simulated, IDS, n=3),
    "absolute_event": lambda real, simulated: absolute_event_distribution_distance(real, IDS, simulated, IDS),
    "relative_event": lambda real, simulated: relative_event_distribution_distance(real, IDS, simulated, IDS),
    "circadian_event": lambda real, simulated: circadian_event_distribution_distance(real, IDS, simulated, IDS),
    "case_arrival": lambda real, simulated: case_arrival_distribution_distance(real, IDS, simulated, IDS),
    "cycle_time": lambda real, simulated: cycle_time_distribution_distance(real, IDS, simulated, IDS,
                                                                           bin_size=pd.Timedelta(hours=1)),
}


def reference() -> dict:
    """Every measure on every pair, with the package's version and the pairs' descriptions."""
    values = {}
    for name in PAIRS:
        real, simulated = pair(name)
        values[name] = {key: float(measure(real, simulated)) for key, measure in MEASURES.items()}
    return {"package": f"log-distance-measures {version('log-distance-measures')}",
            "pandas": pd.__version__, "inputs": {name: list(logs) for name, logs in PAIRS.items()},
            "settings": "package defaults; n=3; cycle time bin_size=1 hour", "values": values}


if __name__ == "__main__":
    result = reference()
    text = json.dumps(result, indent=2)
    if "--write" in sys.argv[1:]:
        KEPT.write_text(text + "\n")
    print(text)
