"""The scenario field reference in docs/ is the one the schema generates today."""

from pathlib import Path

from simcoord.scenario.reference import field_rows, reference_markdown
from simcoord.scenario.schema import Scenario

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "scenario-reference.md"


def test_committed_reference_is_current():
    assert REFERENCE.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/scenario-reference.md is stale: regenerate it with "
        ".venv/bin/python -m simcoord.scenario.reference > docs/scenario-reference.md")


def test_every_leaf_field_is_listed_with_type_and_default():
    rows = {row.path: row for row in field_rows(Scenario)}
    assert rows["calendar.day_start_hour"].default == "9.0"
    assert rows["policy.sla.first_touch.hours"].unit == "hours"
    assert "L5" in rows["funnel.qualification"].allowed and "≤ 1" in rows["funnel.qualification"].allowed
    assert rows["demand.channels.NAME.leads_per_week"].type == "number"
    assert rows["funnel.stages[i].work_hours"].type == "distribution"
