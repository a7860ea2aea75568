"""simcoord: a simulation and policy lab for cross-department coordination."""

from simcoord.eventlog import EventLog, ParquetEventLog
from simcoord.kpis import KPIS, compute_kpis
from simcoord.loading import ScenarioError, load_scenario
from simcoord.model import Model, SimulationResult, simulate
from simcoord.scenario import Scenario
from simcoord.experiment import Experiment, run_experiment  # noqa: E402
from simcoord.sweep import sweep  # noqa: E402

__version__ = "0.1.0"

__all__ = ["KPIS", "EventLog", "Experiment", "Model", "ParquetEventLog", "Scenario", "ScenarioError",
           "SimulationResult", "__version__", "compute_kpis", "load_scenario", "run_experiment", "simulate", "sweep"]
