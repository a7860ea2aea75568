"""The fit report: one self-contained page with a chart for each fitted value that has data and a
table row for every value, fitted or assumed."""

from __future__ import annotations

import re

import numpy as np
import pytest

from fitting_logs import bpic
from simcoord.calibration.arrivals import fit_arrivals
from simcoord.calibration.decay import fit_response_decay
from simcoord.calibration.estimates import assumed, fitted
from simcoord.calibration.staffing import fit_calendar, fit_staff
from simcoord.present.fit_report import REPORT_FILE, chart, describe, write_fit_report


@pytest.fixture(scope="module")
def estimates():
    """BPIC 2012's demand, calendar, staff and decay, plus a work-time distribution and a number
    fitted from the log's own validation work."""
    log = bpic()
    events = log.events
    work = events.loc[(events["activity"] == "validation") & events["work_hours"].notna(), "work_hours"].to_numpy()
    distribution = {"dist": "gamma", "mean": round(float(work.mean()), 4), "sd": round(float(work.std()), 4)}
    return [*fit_arrivals(events, log.start_date, log.days), *fit_calendar(events, log.start_date, "Europe/Amsterdam"),
            *fit_staff(events, log.days), *fit_response_decay(events),
            fitted("funnel.stages.2.work_hours", distribution, "validation work, hours", len(work), data=work),
            fitted("lead_mix.deal_value.mean", 15000.0, "amount requested", 3, (14000.0, 16000.0),
                   np.array([14000.0, 15000.0, 16000.0])),
            assumed("marketing.nurture", False, "the log shows no nurture")]


@pytest.fixture(scope="module")
def page(estimates, tmp_path_factory):
    out = tmp_path_factory.mktemp("fit-report")
    return write_fit_report(estimates, out, "BPIC 2012 fitted")


def test_the_page_is_self_contained_with_one_chart_per_fitted_value_with_data(estimates, page):
    text = page.read_text()
    charted = [e for e in estimates if chart(e, estimates) is not None]
    assert page.name == REPORT_FILE and not list(page.parent.glob("*.partial"))
    assert len(re.findall(r'src="data:image/png;base64,', text)) == len(charted) == len(list(page.parent.glob("*.png")))
    assert not re.search(r'(src|href)="(https?:)?//', text)  # nothing fetched from elsewhere
    expected = {"demand.channels.all.leads_per_week", "demand.weekly_profile", "demand.hourly_profile",
                "calendar.day_start_hour", "organisation.sales.staff", "funnel.response_decay.half_life_hours",
                "funnel.stages.2.work_hours", "lead_mix.deal_value.mean"}
    assert {e.path for e in charted} == expected


def test_every_value_has_a_row_and_the_assumed_ones_say_why(estimates, page):
    text = page.read_text()
    assert text.count("<tr class=") == len(estimates)
    assert text.count('<tr class="assumed">') == sum(e.assumed for e in estimates)
    for estimate in estimates:
        assert f"<td>{estimate.path}</td>" in text
    assert "the log has no costs" in text and "fitted from the log" in text


def test_charts_have_titles_and_labelled_axes(estimates):
    for estimate in estimates:
        figure = chart(estimate, estimates)
        if figure is None:
            continue
        for ax in figure.axes:
            assert ax.get_xlabel() and ax.get_ylabel(), estimate.path
        assert figure.axes[0].get_title() or figure.get_suptitle()


def test_values_read_as_people_write_them():
    assert describe({"dist": "gamma", "mean": 0.5, "sd": 0.25}) == "gamma mean 0.5, sd 0.25"
    assert describe(list(range(24))).endswith("… 24 values]") and describe([1.0, 2.5]) == "[1, 2.5]"
    assert describe(12345.678) == "12,346" and describe(16) == "16" and describe(None) == "None"
    assert describe({"sat": [8.0, 17.0]}) == "sat: [8, 17]"


@pytest.mark.parametrize("value", [
    {"dist": "exponential", "mean": 2.0}, {"dist": "lognormal", "mean": 2.0, "sd": 1.0},
    {"dist": "gamma", "mean": 2.0, "sd": 1.0}, {"dist": "triangular", "low": 0.5, "mode": 1.0, "high": 4.0},
    {"dist": "uniform", "low": 1.0, "high": 3.0}, {"dist": "empirical", "values": [1.0, 2.0, 2.0, 3.0]},
    {"dist": "constant", "value": 2.0}])
def test_every_distribution_family_is_drawn_against_its_data(value):
    data = np.random.default_rng(1).gamma(4.0, 0.5, 500)
    estimate = fitted("funnel.stages.0.customer_days", value, "test data", len(data), data=data)
    figure = chart(estimate, [estimate])
    assert figure is not None and figure.axes[0].get_xlabel().startswith("days")
