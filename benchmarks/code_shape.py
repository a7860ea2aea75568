"""The shape of the simcoord package: modules per layer, import cycles, function lengths.

Usage::

    python benchmarks/code_shape.py          # a short text report
    python benchmarks/code_shape.py --json   # the same figures as JSON

It measures the ``simcoord`` that Python imports, so ``PYTHONPATH=<other checkout> python
benchmarks/code_shape.py`` measures another version. Import cycles count runtime imports only
(those under ``if TYPE_CHECKING:`` are left out), including imports inside functions. A function's
length is every line of its ``def``, docstring included; methods and nested functions count too.
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import json
import statistics
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import grimp

PACKAGE = "simcoord"


class Function(NamedTuple):
    """One ``def`` of the package: where it starts and how many lines it spans."""

    where: str  # path relative to the package's parent, and line, as "simcoord/x.py:12"
    name: str
    lines: int


def package_dir(package: str = PACKAGE) -> Path:
    """The folder of the package that ``import package`` would load."""
    return Path(importlib.util.find_spec(package).origin).parent


def modules_per_layer(package: str = PACKAGE) -> dict[str, int]:
    """Number of modules (``__init__.py`` not counted) in each subpackage; the top level is the package's name."""
    root = package_dir(package)
    files = [f for f in root.rglob("*.py") if f.name != "__init__.py"]
    return dict(sorted(Counter(f.parent.relative_to(root.parent).as_posix() for f in files).items()))


def import_cycles(package: str = PACKAGE) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others; ``[]`` when acyclic."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True)
    groups: list[list[str]] = []
    seen: set[str] = set()
    for module in sorted(graph.modules):
        if module in seen:
            continue
        tangled = graph.find_upstream_modules(module) & graph.find_downstream_modules(module)
        if tangled:
            groups.append(sorted(tangled | {module}))
            seen.update(tangled)
    return groups


def functions(package: str = PACKAGE) -> list[Function]:
    """Every function and method of the package, longest first."""
    root = package_dir(package)
    found = []
    for path in sorted(root.rglob("*.py")):
        where = path.relative_to(root.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found.append(Function(f"{where}:{node.lineno}", node.name, node.end_lineno - node.lineno + 1))
    return sorted(found, key=lambda function: -function.lines)


def length_summary(found: list[Function]) -> dict[str, float]:
    """Number of functions, and the median, 90th percentile and maximum of their lengths in lines."""
    lengths = [function.lines for function in found]
    return {"functions": len(lengths), "median": statistics.median(lengths),
            "p90": statistics.quantiles(lengths, n=10, method="inclusive")[-1], "max": max(lengths)}


def measure(package: str = PACKAGE) -> dict:
    """Every figure this script reports, as plain data."""
    cycles, found = import_cycles(package), functions(package)
    return {"modules_per_layer": modules_per_layer(package), "import_cycles": len(cycles),
            "cycle_groups": cycles, "function_lines": length_summary(found),
            "longest_functions": [function._asdict() for function in found[:10]]}


def report(shape: dict) -> str:
    """The figures of :func:`measure` as a short text report."""
    lines = ["modules per layer:"]
    lines += [f"  {layer:<24}{count:>4}" for layer, count in shape["modules_per_layer"].items()]
    lines.append(f"import cycles: {shape['import_cycles']}")
    lines += [f"  {' <-> '.join(group)}" for group in shape["cycle_groups"]]
    summary = shape["function_lines"]
    lines.append(f"function lines over {summary['functions']} functions: median {summary['median']:g}, "
                 f"p90 {summary['p90']:g}, max {summary['max']}")
    lines += [f"  {f['lines']:>4}  {f['name']:<32}{f['where']}" for f in shape["longest_functions"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    shape = measure()
    print(json.dumps(shape, indent=2) if parser.parse_args().json else report(shape))


if __name__ == "__main__":
    main()
