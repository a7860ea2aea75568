"""The one dotted-path walker: raw mappings and validated scenarios alike."""

from __future__ import annotations

import pytest

from simcoord.scenario.paths import get_path, has_path, set_path
from support import BASELINE


def test_set_path_changes_one_field_and_copies():
    data = {"policy": {"sla": {"first_touch": {"hours": 24}}}, "list": [{"a": 1}]}
    out = set_path(set_path(data, "policy.sla.first_touch.hours", 4), "list.0.a", 2)
    assert out["policy"]["sla"]["first_touch"]["hours"] == 4 and out["list"][0]["a"] == 2
    assert data["policy"]["sla"]["first_touch"]["hours"] == 24
    with pytest.raises(KeyError):
        set_path(data, "policy.sla.nothing.hours", 1)


def test_get_path_walks_a_validated_scenario_and_a_raw_mapping_the_same_way():
    from simcoord import load_scenario

    scenario = load_scenario(BASELINE)
    assert get_path(scenario, "policy.sla.first_touch.hours") == scenario.policy.sla.first_touch.hours
    assert get_path(scenario, "funnel.stages.0.name") == scenario.funnel.stages[0].name
    raw = scenario.model_dump(mode="json")
    assert get_path(raw, "funnel.stages.0.work_hours") == scenario.funnel.stages[0].work_hours.model_dump(mode="json")


def test_only_declared_fields_and_keys_count_as_paths():
    assert not has_path({"name": "x"}, "name.upper")  # a method of the text is no field
    assert not has_path({"list": [1]}, "list.1")
    with pytest.raises(KeyError, match="policy.nothing"):
        get_path({"policy": {}}, "policy.nothing")


def test_build_path_makes_the_sections_and_list_items_on_the_way():
    from simcoord.scenario.paths import build_path
    data: dict = {}
    build_path(data, "funnel.stages.1.work_hours", 2.0)
    build_path(data, "funnel.stages.0.name", "quote")
    build_path(data, "demand.channels.web.leads_per_week", 10)
    assert data == {"funnel": {"stages": [{"name": "quote"}, {"work_hours": 2.0}]},
                    "demand": {"channels": {"web": {"leads_per_week": 10}}}}
