"""The package's shape: the import contracts in pyproject.toml hold, the runtime import graph has
no cycle, and functions stay short (the limits every change to simcoord keeps)."""

from __future__ import annotations

import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from support import ROOT

CODE_SHAPE = runpy.run_path(str(ROOT / "benchmarks" / "code_shape.py"))  # the measurements, not its main()
CONTRACTS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]

#: Function length limits in lines, whole ``def`` with its docstring.
MEDIAN_LINES, P90_LINES, MAX_LINES = 10, 20, 40


@pytest.mark.parametrize("contract", [c["id"] for c in CONTRACTS])
def test_import_contract_is_kept(contract):
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint_imports), "--no-cache", "--no-logo", "--contract", contract],
                            cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(result.stdout + result.stderr, pytrace=False)


def test_runtime_import_graph_has_no_cycle():
    cycles = CODE_SHAPE["import_cycles"]()
    assert not cycles, "modules that import each other:\n" + "\n".join(" <-> ".join(group) for group in cycles)


def test_functions_are_short():
    found = CODE_SHAPE["functions"]()
    summary = CODE_SHAPE["length_summary"](found)
    too_long = [f"{f.where} {f.name}: {f.lines} lines" for f in found if f.lines > MAX_LINES]
    assert not too_long, too_long
    assert summary["median"] <= MEDIAN_LINES, summary
    assert summary["p90"] <= P90_LINES, summary
