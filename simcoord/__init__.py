"""simcoord: a simulation and policy lab for cross-department coordination."""

from simcoord.calibration.backtest import BacktestResult, backtest
from simcoord.calibration.fit import FitResult, fit
from simcoord.experiments.experiment import Experiment, run_experiment
from simcoord.experiments.sweep import sweep
from simcoord.kpis import KPIS, compute_kpis
from simcoord.kpis.imported import imported_log_kpis
from simcoord.log.export import export_log
from simcoord.log.read import ImportedLog, read_log
from simcoord.log.snapshot import Snapshot, read_open_leads, snapshot_at
from simcoord.log.store import EventLog, ParquetEventLog
from simcoord.model.company import Model, SimulationResult, simulate
from simcoord.scenario.loading import ScenarioError, load_scenario
from simcoord.scenario.schema import Scenario

__version__ = "0.1.0"

__all__ = ["KPIS", "EventLog", "Experiment", "ImportedLog", "Model", "ParquetEventLog", "Scenario", "ScenarioError",
           "SimulationResult", "FitResult", "__version__", "compute_kpis", "export_log", "fit", "imported_log_kpis",
           "load_scenario", "BacktestResult", "backtest",
           "read_log", "read_open_leads", "run_experiment", "simulate", "snapshot_at", "Snapshot", "sweep"]
