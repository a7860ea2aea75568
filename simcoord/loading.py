"""Reading scenario files: safe YAML, ``extends:`` overlays, and one clear error per problem.

A policy file names its parent with ``extends: baseline.yaml`` (relative to the file)
and overrides only what changes; mappings are merged key by key, everything else
(lists included) is replaced. Nothing from a file is ever executed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from simcoord.scenario import Scenario

MAX_FILE_BYTES = 2_000_000


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names file, field path and problem."""

    def __init__(self, file: str | Path, problem: str, field: str | None = None) -> None:
        self.file, self.field, self.problem = str(file), field, problem
        where = f"{self.file}: {field}: " if field else f"{self.file}: "
        super().__init__(where + problem)


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``: nested mappings merge, other values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _read_mapping(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise ScenarioError(path, "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(path, f"file larger than {MAX_FILE_BYTES} bytes")
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except UnicodeDecodeError:
        raise ScenarioError(path, "not a text (UTF-8) file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise ScenarioError(path, f"malformed YAML{where}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # a YAML scalar that is no valid value, e.g. 2026-13-01
        raise ScenarioError(path, f"malformed YAML: invalid value ({exc})") from None
    if data is None:
        raise ScenarioError(path, "file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(path, f"top level must be a mapping of sections, not {type(data).__name__}")
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ScenarioError(path, f"keys must be text, found {bad_keys[0]!r}")
    return data


def resolve_file(path: str | Path, _chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The raw mapping of ``path`` with its ``extends`` chain merged in (not yet validated)."""
    path = Path(path).resolve()
    if path in _chain:
        cycle = " -> ".join(p.name for p in (*_chain, path))
        raise ScenarioError(_chain[-1], f"extends cycle: {cycle}", field="extends")
    data = _read_mapping(path)
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(path, "must be a relative file name", field="extends")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise ScenarioError(path, f"extended file {parent!r} not found (looked for {parent_path})", field="extends")
    inherited = resolve_file(parent_path, (*_chain, path))
    inherited.pop("name", None)  # a scenario is named by its own file (or its stem), never its parent's
    return deep_merge(inherited, data)


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    location = ".".join(str(part) for part in error["loc"] if not str(part).startswith("function-"))
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling and section)"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return location or "(top level)", message


def scenario_from_dict(data: dict[str, Any], source: str | Path = "<dict>") -> Scenario:
    """Validate a raw mapping; errors become :class:`ScenarioError` naming ``source``."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        field, problem = _first_problem(exc)
        raise ScenarioError(source, problem, field=field) from None
    except (TypeError, OverflowError, RecursionError) as exc:
        raise ScenarioError(source, f"invalid value: {exc}") from None


def origin_of(path: str | Path, field: str) -> Path:
    """The file of ``path``'s ``extends`` chain that sets the dotted ``field`` (the nearest to
    ``path`` wins, as in the merge); ``path`` itself when no file sets it."""
    current, seen = Path(path).resolve(), set()
    while current.is_file() and current not in seen:
        seen.add(current)
        data = _read_mapping(current)
        node: Any = data
        for part in field.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                break
        else:
            return current if current != Path(path).resolve() else Path(path)
        parent = data.get("extends")
        if not isinstance(parent, str):
            break
        current = current.parent / parent
    return Path(path)


def load_scenario(path: str | Path) -> Scenario:
    """Read, merge and validate a scenario file. The name defaults to the file stem.
    A bad value is reported against the file of the ``extends`` chain that sets it."""
    data = resolve_file(path)
    data.setdefault("name", Path(path).stem)
    try:
        return scenario_from_dict(data, source=path)
    except ScenarioError as exc:
        if exc.field is None or exc.field == "(top level)":
            raise
        raise ScenarioError(origin_of(path, exc.field), exc.problem, field=exc.field) from None
