"""The calendar's time zone: an IANA name, UTC by default, and left out of dumps when UTC so
scenarios written before it existed keep their content hash."""

from __future__ import annotations

import pytest

from simcoord.scenario.loading import ScenarioError, resolve_file, scenario_from_dict
from support import BASELINE


def test_utc_is_the_default_and_leaves_dumps_and_hashes_as_they_were():
    scenario = scenario_from_dict(resolve_file(BASELINE))
    assert scenario.calendar.time_zone == "UTC"
    assert "time_zone" not in scenario.model_dump(mode="json")["calendar"]
    explicit = resolve_file(BASELINE)
    explicit["calendar"] = {**explicit.get("calendar", {}), "time_zone": "UTC"}
    assert scenario_from_dict(explicit).content_hash() == scenario.content_hash()


def test_another_zone_is_kept_and_changes_the_hash():
    data = resolve_file(BASELINE)
    data["calendar"] = {**data.get("calendar", {}), "time_zone": "Europe/Amsterdam"}
    scenario = scenario_from_dict(data)
    assert scenario.model_dump(mode="json")["calendar"]["time_zone"] == "Europe/Amsterdam"
    assert scenario_from_dict(scenario.model_dump(mode="json")) == scenario  # a resolved file reads back
    assert scenario.content_hash() != scenario_from_dict(resolve_file(BASELINE)).content_hash()


@pytest.mark.parametrize("zone", ["Mars/Olympus", "Europe", "utc", "", "../../etc/passwd"])
def test_unknown_zones_are_refused_with_the_field_path(zone):
    data = resolve_file(BASELINE)
    data["calendar"] = {**data.get("calendar", {}), "time_zone": zone}
    with pytest.raises(ScenarioError, match="calendar.time_zone.*unknown time zone"):
        scenario_from_dict(data)
