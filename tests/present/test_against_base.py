"""A variant's KPIs beside the base case's, as notebook 01's sliders show them."""

import pandas as pd

from simcoord.present.analysis import against_base


def test_against_base_names_kpis_and_signs_the_change_on_its_scale():
    base = pd.Series({"revenue": 1e6, "sla_first_touch_pct": 0.5, "won": 10.0})
    variant = pd.Series({"revenue": 1.1e6, "sla_first_touch_pct": 0.62, "won": 9.0})
    table = against_base(base, variant, ["revenue", "sla_first_touch_pct", "won"])
    assert list(table.columns) == ["base case", "with these settings", "change"]
    assert table.loc["Revenue"].tolist() == ["1,000,000", "1,100,000", "+100,000"]
    assert table.loc["First touch within SLA", "change"] == "+12.0 pp" and table.loc["Won", "change"] == "-1"
