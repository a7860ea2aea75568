"""Checks on the numbers of a scenario that every section and distribution shares: magnitudes
within :data:`MAX_MAGNITUDE`, no ``true``/``false`` where a number belongs, and
:class:`FieldProblem` for a check across fields that knows which field is wrong.

It imports no other scenario module, so the schema and the distributions both build on it.
"""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Union, get_args, get_origin

MAX_MAGNITUDE = 1e9  # no quantity in a company scenario is larger; bigger numbers are typos or attacks
MAX_HEAD_COUNT = 10_000


class FieldProblem(ValueError):
    """A check across fields that knows which field is wrong: ``field`` is its dotted path
    relative to the section that raises it, so the error names that field, not the section."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field = field


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_magnitude(name: str, value: object) -> None:
    """Raise if ``value`` (or any number nested in its mappings and lists) exceeds the limit."""
    if _is_number(value) and abs(value) > MAX_MAGNITUDE:
        raise ValueError(f"{name} = {value:.3g} is out of range (at most {MAX_MAGNITUDE:.0e})")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_magnitude(f"{name}.{key}", item)
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _check_magnitude(f"{name}.{index}", item)


def check_magnitudes(values: dict[str, object]) -> None:
    """Reject numbers beyond :data:`MAX_MAGNITUDE` anywhere in a section (nested mappings and lists too)."""
    for field, value in values.items():
        _check_magnitude(field, value)


def is_number_type(annotation: object) -> bool:
    """True for ``int``/``float`` (constrained or optional) and mappings or sequences of them."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return is_number_type(args[0])
    if annotation in (int, float):
        return True
    if origin is dict:
        return is_number_type(args[1])
    if origin in (tuple, list):
        return all(is_number_type(a) for a in args if a is not Ellipsis)
    if origin in (Union, UnionType):
        return all(is_number_type(a) for a in args if a is not type(None))
    return False


def holds_bool(value: object) -> bool:
    """Whether ``value`` is ``True``/``False`` or holds one in its nested mappings and lists."""
    if isinstance(value, dict):
        return any(holds_bool(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(holds_bool(v) for v in value)
    return isinstance(value, bool)
