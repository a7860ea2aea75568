"""The schema's literal choices are the event log's vocabulary, word for word."""

from __future__ import annotations

from typing import get_args

import pytest

from simcoord import vocabulary
from simcoord.scenario import schema


def test_literal_choices_equal_the_vocabulary():
    assert get_args(schema.Grade) == vocabulary.GRADES
    assert get_args(schema.Tier) == vocabulary.TIERS
    assert get_args(schema.Department) == vocabulary.DEPARTMENTS
    assert get_args(schema.Weekday) == vocabulary.WEEKDAYS


def test_a_funnel_stage_may_not_take_a_lead_activity_name():
    assert set(schema.LEAD_ACTIVITY_NAMES) == {*vocabulary.LEAD_ACTIVITIES, vocabulary.CLOSING}
    stage = schema.StageSpec(name=vocabulary.CLOSING, conversion=dict.fromkeys(vocabulary.GRADES, 0.5))
    with pytest.raises(ValueError, match="'closing' is already a lead activity"):
        schema.FunnelSpec(stages=(stage,))


def test_the_defaults_use_the_vocabulary():
    scenario = schema.Scenario()
    assert tuple(scenario.lead_mix.grade_shares) == vocabulary.GRADES
    assert tuple(scenario.lead_mix.tier_shares) == vocabulary.TIERS
    assert all(tuple(stage.conversion) == vocabulary.GRADES for stage in scenario.funnel.stages)
