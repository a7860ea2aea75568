"""Dotted field paths (``policy.sla.first_touch.hours``, ``funnel.stages.0.work_hours``): the one
walker that reads and sets them, in raw scenario mappings and in validated scenarios alike."""

from __future__ import annotations

import copy
from typing import Any

MISSING: Any = object()  # what :func:`child` returns where a path leads nowhere


def child(node: Any, part: str) -> Any:
    """One step of a path: a mapping's key, a list's index (digits) or a validated scenario
    section's field; :data:`MISSING` where ``node`` has no such child."""
    if isinstance(node, dict):
        return node.get(part, MISSING)
    if isinstance(node, (list, tuple)):
        return node[int(part)] if part.isdigit() and int(part) < len(node) else MISSING
    fields = getattr(type(node), "model_fields", None)  # a pydantic section: its declared fields only
    return getattr(node, part) if fields is not None and part in fields else MISSING


def get_path(root: Any, path: str) -> Any:
    """The value at dotted ``path`` under ``root``; :class:`KeyError` naming the path if absent."""
    node = root
    for part in path.split("."):
        node = child(node, part)
        if node is MISSING:
            raise KeyError(path)
    return node


def has_path(root: Any, path: str) -> bool:
    """Whether dotted ``path`` leads somewhere under ``root``."""
    try:
        get_path(root, path)
    except KeyError:
        return False
    return True


def set_path(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of the mapping ``data`` with the field at dotted ``path`` set to ``value``.

    Every section on the way must exist (look the path up in data validated with defaults filled
    in), else :class:`KeyError`; a new last key is set, for the schema to name it as unknown."""
    parent_path, _, last = path.rpartition(".")
    out = copy.deepcopy(data)
    parent = get_path(out, parent_path) if parent_path else out
    if not isinstance(parent, (dict, list)) or (isinstance(parent, list) and child(parent, last) is MISSING):
        raise KeyError(path)
    parent[int(last) if isinstance(parent, list) else last] = value
    return out


def build_path(data: dict[str, Any], path: str, value: object) -> None:
    """Set dotted ``path`` in the mapping ``data`` in place, making the mappings (and, for a number,
    list items) on the way: how a scenario is built up value by value (``set_path`` changes one that exists)."""
    node: Any = data
    parts = path.split(".")
    for part, following in zip(parts, parts[1:]):
        key: Any = int(part) if isinstance(node, list) else part
        if isinstance(node, list):
            node.extend({} for _ in range(key + 1 - len(node)))
        elif key not in node:
            node[key] = [] if following.isdigit() else {}
        node = node[key]
    last = parts[-1]
    if isinstance(node, list):
        node.extend({} for _ in range(int(last) + 1 - len(node)))
        node[int(last)] = value
    else:
        node[last] = value
