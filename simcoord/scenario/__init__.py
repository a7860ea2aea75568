"""Scenarios: typed, validated company configurations read from YAML files.

Modules: ``schema`` declares every section with its defaults and checks; ``distributions`` the
random quantities; ``limits`` the number checks both share; ``loading`` reads files (safe YAML
with bounded work, ``extends:`` overlays, one clear error per problem); ``paths`` walks dotted
field paths; ``calendar`` turns a calendar section into working-time arithmetic.
"""

from simcoord.scenario.calendar import WorkCalendar
from simcoord.scenario.distributions import Distribution
from simcoord.scenario.loading import ScenarioError, deep_merge, load_scenario, load_yaml, resolve_file, scenario_from_dict
from simcoord.scenario.schema import Scenario

__all__ = ["Distribution", "Scenario", "ScenarioError", "WorkCalendar", "deep_merge", "load_scenario", "load_yaml",
           "resolve_file", "scenario_from_dict"]
