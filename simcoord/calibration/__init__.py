"""Calibration: fit a scenario to a company's own event log, and backtest it on a period the fit
did not see, starting from the cases open at the cut-off.

This layer sits above ``experiments`` (a backtest runs replications) and below ``present``.
"""
