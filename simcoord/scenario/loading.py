"""Reading scenario files: safe YAML, ``extends:`` overlays, and one clear error per problem.

A policy file names its parent with ``extends: baseline.yaml`` (relative to the file)
and overrides only what changes; mappings are merged key by key, everything else
(lists included) is replaced. Nothing from a file is ever executed.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from simcoord.scenario.levers import IdleLeverWarning, idle_levers
from simcoord.scenario.limits import FieldProblem
from simcoord.scenario.paths import has_path
from simcoord.scenario.schema import Scenario

MAX_FILE_BYTES = 2_000_000
MAX_DEPTH = 20  # nesting levels a scenario ever needs is about 5; deeper is a mistake or an attack
MAX_EXTENDS = 50  # files in one ``extends`` chain
# Values a YAML text may expand to through aliases and merges: a text without aliases holds at most
# about one value per two characters, so this leaves room for reuse while merging and validating
# stay in proportion to the text, however anchors nest (a "billion laughs" file is refused).
MIN_EXPANDED_VALUES = 10_000
EXPANDED_VALUES_PER_CHARACTER = 2
MERGE_TAG = "tag:yaml.org,2002:merge"
ModelT = TypeVar("ModelT", bound=BaseModel)


class ScenarioError(ValueError):
    """A scenario that cannot be used; the message names file, field path and problem."""

    def __init__(self, file: str | Path, problem: str, field: str | None = None) -> None:
        self.file, self.field, self.problem = str(file), field, problem
        where = f"{self.file}: {field}: " if field else f"{self.file}: "
        super().__init__(where + problem)


def _too_deep(source: str | Path) -> ScenarioError:
    return ScenarioError(source, f"nested more than {MAX_DEPTH} levels deep")


class _Expansion:
    """Measures a composed YAML document as its data will be: levels of nesting and values once
    every alias is expanded. Each node is measured once however many aliases point to it, so the
    walk costs the text's size; it refuses nesting beyond :data:`MAX_DEPTH` (a merge ``<<`` counts
    as a level), an alias that contains itself (``a: &x [*x]``) and more than ``max_values``."""

    def __init__(self, source: str | Path, max_values: int) -> None:
        self.source, self.max_values = source, max_values
        self.measured: dict[int, tuple[int, int]] = {}  # id of a node -> (levels below it, values in it)
        self.open_nodes: set[int] = set()

    def measure(self, node: yaml.Node, depth: int = 0) -> tuple[int, int]:
        """(levels of nesting, values) of ``node``, found ``depth`` levels below the top."""
        key = id(node)
        if key in self.open_nodes:
            raise ScenarioError(self.source, "a YAML alias contains itself")
        if key not in self.measured:
            self.open_nodes.add(key)
            self.measured[key] = self._measure_new(node, depth)
            self.open_nodes.discard(key)
        levels, values = self.measured[key]
        if depth + levels > MAX_DEPTH:
            raise _too_deep(self.source)
        return levels, values

    def _measure_new(self, node: yaml.Node, depth: int) -> tuple[int, int]:
        if isinstance(node, yaml.ScalarNode):
            return 0, 1
        if depth >= MAX_DEPTH:
            raise _too_deep(self.source)
        children = [self.measure(child, depth + 1) for child in _children(node)]
        levels = 1 + max((child_levels for child_levels, _ in children), default=0)
        values = 1 + sum(child_values for _, child_values in children)
        if values > self.max_values:
            raise ScenarioError(self.source, f"expands to more than {self.max_values:,} values through YAML aliases")
        return levels, values


def _children(node: yaml.Node) -> list[yaml.Node]:
    """A collection node's items, or its keys and values."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value)


class ScenarioLoader(yaml.SafeLoader):
    """PyYAML's safe loader (plain data only, nothing executed) with fixes for scenario files:
    a key given twice in one mapping is an error instead of silently keeping the last value;
    numbers in exponent form without a dot or a signed exponent (``1e4``, ``2.5e3``) are numbers,
    as in YAML 1.2, not text; a date that is none (``2025-02-30``) stays text, so the field that
    holds it names the problem; and the work is bounded by the text's size: deep nesting, an alias
    that contains itself and a document that expands to more values than
    :data:`MIN_EXPANDED_VALUES` + :data:`EXPANDED_VALUES_PER_CHARACTER` per character of the text
    are :class:`ScenarioError` naming ``source``, found before anything is built."""

    yaml_implicit_resolvers = {first: list(resolvers) for first, resolvers in
                               yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str, source: str | Path = "YAML text") -> None:
        super().__init__(stream)
        self.source = source
        self.max_values = MIN_EXPANDED_VALUES + EXPANDED_VALUES_PER_CHARACTER * len(stream)
        self.compose_depth = 0

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        # PyYAML composes one Python call per level: stop here, long before Python's recursion limit.
        # A node this deep has more than MAX_DEPTH collections above it; shallower ones are measured.
        self.compose_depth += 1
        try:
            if self.compose_depth > MAX_DEPTH + 1:
                raise _too_deep(self.source)
            return super().compose_node(parent, index)
        finally:
            self.compose_depth -= 1

    def construct_document(self, node: yaml.Node) -> Any:
        _Expansion(self.source, self.max_values).measure(node)
        return super().construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[tuple[str, str], yaml.Node] = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != MERGE_TAG:
                key = (key_node.tag, key_node.value)
                if key in seen:
                    first = seen[key].start_mark.line + 1
                    raise yaml.constructor.ConstructorError(
                        None, None, f"key {key_node.value!r} given twice (first at line {first})", key_node.start_mark)
                seen[key] = key_node
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:  # looks like a date but is none: the schema names the field
            return self.construct_scalar(node)


ScenarioLoader.add_constructor("tag:yaml.org,2002:timestamp", ScenarioLoader.construct_yaml_timestamp)
# Appended after PyYAML's own resolvers, so integers stay integers and only what YAML 1.1 left as text changes.
ScenarioLoader.add_implicit_resolver("tag:yaml.org,2002:float",
                                     re.compile(r"^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)[eE][-+]?[0-9]+$"),
                                     list("-+0123456789."))


def load_yaml(text: str, source: str | Path = "YAML text") -> Any:
    """Parse YAML text as scenario files are parsed (see :class:`ScenarioLoader`): malformed YAML
    is a :class:`yaml.YAMLError`; nesting, self-containing aliases and expansion beyond the bound
    are a :class:`ScenarioError` naming ``source``."""
    loader = ScenarioLoader(text, source)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` laid over ``base``: nested mappings merge, other values replace. A
    distribution that names its ``dist`` is one value: it replaces the base's whole (the base's
    parameters belong to the base's distribution); one without ``dist`` changes only what it gives."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and "dist" not in value:
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse(path: Path) -> Any:
    """The YAML document in ``path``; every problem a :class:`ScenarioError` naming the file."""
    try:
        return load_yaml(path.read_text(encoding="utf-8"), source=path)
    except ScenarioError:
        raise
    except UnicodeDecodeError:
        raise ScenarioError(path, "not a text (UTF-8) file") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid syntax"
        raise ScenarioError(path, f"malformed YAML{where}: {problem}") from None
    except (ValueError, OverflowError) as exc:  # a YAML scalar that is no valid value, e.g. 2026-13-01
        raise ScenarioError(path, f"malformed YAML: invalid value ({exc})") from None


def _read_mapping(path: Path) -> dict[str, Any]:
    if path.is_dir():
        raise ScenarioError(path, "a folder, not a file")
    if not path.is_file():
        raise ScenarioError(path, "file not found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ScenarioError(path, f"file larger than {MAX_FILE_BYTES} bytes")
    data = _parse(path)
    if data is None:
        raise ScenarioError(path, "file is empty")
    if not isinstance(data, dict):
        raise ScenarioError(path, f"top level must be a mapping of sections, not {type(data).__name__}")
    bad_keys = [k for k in data if not isinstance(k, str)]
    if bad_keys:
        raise ScenarioError(path, f"keys must be text, found {bad_keys[0]!r}")
    return data


def _check_chain(path: Path, chain: tuple[Path, ...]) -> None:
    """Refuse ``path`` as the next file of the ``extends`` chain ``chain`` (a cycle, or too long)."""
    if path in chain:
        cycle = " -> ".join(p.name for p in (*chain, path))
        raise ScenarioError(chain[-1], f"extends cycle: {cycle}", field="extends")
    if len(chain) >= MAX_EXTENDS:
        raise ScenarioError(chain[0], f"extends chain longer than {MAX_EXTENDS} files", field="extends")


def _parent_path(path: Path, parent: Any) -> Path:
    """The file that ``extends: parent`` in ``path`` names."""
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError(path, "must be a relative file name", field="extends")
    parent_path = path.parent / parent
    if not parent_path.is_file():
        raise ScenarioError(path, f"extended file {parent!r} not found (looked for {parent_path})", field="extends")
    return parent_path


def resolve_file(path: str | Path, _chain: tuple[Path, ...] = (), without_root: bool = False) -> dict[str, Any]:
    """The raw mapping of ``path`` with its ``extends`` chain merged in (not yet validated).
    ``without_root``: leave out the chain's last file (the base every policy of the chain extends),
    keeping only what the policy files write; a file that extends nothing is kept whole."""
    given, path = Path(path), Path(path).resolve()
    _check_chain(path, _chain)
    try:
        data = _read_mapping(path)
    except ScenarioError as exc:  # name the file the user gave as they wrote it; parents by full path
        raise ScenarioError(given, exc.problem, exc.field) from None
    parent = data.pop("extends", None)
    if parent is None:
        return data
    parent_path = _parent_path(path, parent)
    if without_root and "extends" not in _read_mapping(parent_path):
        return data
    inherited = resolve_file(parent_path, (*_chain, path), without_root)
    inherited.pop("name", None)  # a scenario is named by its own file (or its stem), never its parent's
    return deep_merge(inherited, data)


def _first_problem(exc: ValidationError) -> tuple[str, str]:
    errors = sorted(exc.errors(include_url=False), key=lambda e: e["type"] != "extra_forbidden")
    error = errors[0]
    path = [str(part) for part in error["loc"] if not str(part).startswith("function-")]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):  # a cross-field check that names its field
        path.append(cause.field)
    location = ".".join(path)
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        message = "unknown key (check its spelling and section)"
    more = len(exc.errors()) - 1
    if more:
        message += f" (and {more} more problem{'s' if more > 1 else ''})"
    return location or "(top level)", message


def validate_model(model: type[ModelT], data: dict[str, Any], source: str | Path = "<dict>") -> ModelT:
    """Validate a raw mapping read from ``source`` as ``model`` (any file the loader reads, e.g. an
    event-log mapping); the first problem becomes one :class:`ScenarioError` naming file and field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        field, problem = _first_problem(exc)
        raise ScenarioError(source, problem, field=field) from None
    except (TypeError, OverflowError, RecursionError) as exc:
        raise ScenarioError(source, f"invalid value: {exc}") from None


def scenario_from_dict(data: dict[str, Any], source: str | Path = "<dict>") -> Scenario:
    """Validate a raw mapping; errors become :class:`ScenarioError` naming ``source``."""
    return validate_model(Scenario, data, source)


def origin_of(path: str | Path, field: str) -> Path:
    """The file of ``path``'s ``extends`` chain that sets the dotted ``field`` (the nearest to
    ``path`` wins, as in the merge); ``path`` itself when no file sets it."""
    current, seen = Path(path).resolve(), set()
    while current.is_file() and current not in seen:
        seen.add(current)
        data = _read_mapping(current)
        if has_path(data, field):
            return current if current != Path(path).resolve() else Path(path)
        parent = data.get("extends")
        if not isinstance(parent, str):
            break
        current = current.parent / parent
    return Path(path)


def load_scenario(path: str | Path, base: Scenario | str | Path | None = None) -> Scenario:
    """Read, merge and validate a scenario file. The name defaults to the file stem.
    A bad value is reported against the file of the ``extends`` chain that sets it.

    With ``base`` (a scenario or a scenario file), ``path`` is a policy applied on that base
    instead of the one it ``extends``: see :func:`apply_policy`."""
    if base is not None:
        return apply_policy(path, base)
    data = resolve_file(path)
    data.setdefault("name", Path(path).stem)
    try:
        return scenario_from_dict(data, source=path)
    except ScenarioError as exc:
        if exc.field is None or exc.field == "(top level)":
            raise
        raise ScenarioError(origin_of(path, exc.field), exc.problem, field=exc.field) from None


def _base_data(base: Scenario | str | Path) -> tuple[dict[str, Any], str]:
    """The resolved, validated data of ``base`` (every field, defaults included) and how to name it."""
    if isinstance(base, Scenario):
        return base.model_dump(mode="json"), f"base scenario {base.name!r}"
    return load_scenario(base).model_dump(mode="json"), f"base {base}"


def policy_overrides(path: str | Path) -> dict[str, Any]:
    """What the policy file ``path`` (and any policy file between it and its base) writes: its
    ``extends`` chain merged without the base at the chain's end, before validation."""
    return resolve_file(path, without_root=True)


def apply_policy(path: str | Path, base: Scenario | str | Path) -> Scenario:
    """The policy file ``path`` applied on ``base`` instead of the base it ``extends``: the base's
    resolved data with only what the policy writes laid over it (mappings merged key by key, lists
    replaced), named by the policy (its ``name``, else its file stem).

    A base that is missing or invalid is a :class:`ScenarioError` naming the base file; an override
    that does not fit the base (a funnel stage, a channel it lacks...) one naming the policy file,
    the field and the base. Levers that have nothing to act on there (a meeting with production
    staff on a base without production...) are no error: an :class:`IdleLeverWarning` names them
    (see :func:`simcoord.scenario.levers.idle_levers`)."""
    data, base_label = _base_data(base)
    overrides = policy_overrides(path)
    overrides.setdefault("name", Path(path).stem)
    try:
        scenario = scenario_from_dict(deep_merge(data, overrides), source=path)
    except ScenarioError as exc:
        raise ScenarioError(path, f"{exc.problem} (applied on {base_label})", field=exc.field) from None
    idle = idle_levers(overrides, scenario)
    if idle:
        warnings.warn(IdleLeverWarning(f"{path}: applied on {base_label}, {len(idle)} lever(s) it sets have nothing "
                                       f"to act on: {'; '.join(idle)}"), stacklevel=2)
    return scenario
