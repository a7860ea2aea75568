"""The SimPy model of one company: ``simulate(scenario, seed, days)`` and what it is built of.

``company`` is the root that builds and wires the rest; ``world`` is what every process sees;
one room per department (``marketing``, ``sales``, ``production``, ``service``) and per
mechanism (``coordination``, ``meetings``, ``disputes``, ``sla``, ``pool``, ``work``, ``staff``,
``incentives``, ``streams``, ``entities``).
"""

from simcoord.model.company import Model, SimulationResult, check_settings, simulate

__all__ = ["Model", "SimulationResult", "check_settings", "simulate"]
