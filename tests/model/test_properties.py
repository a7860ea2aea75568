"""Property-based tests (hypothesis): whatever a user writes, the model behaves.

- Random *valid* scenarios (head counts, demand, calendars, SLAs, routing, information,
  meetings, incentives, production mode, horizon) never crash, conserve every entity and
  give KPIs in their valid ranges (``model_invariants``).
- Random *invalid* input (wrong types, negative values, unknown keys, huge numbers, broken
  ``extends`` chains and cycles, empty files, binary garbage, non-mapping YAML) always ends
  in :class:`ScenarioError`, and the CLI prints one ``error:`` line and exits 2, never a traceback.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from model_invariants import check_run

from simcoord import cli
from simcoord.log.store import ParquetEventLog
from simcoord.scenario.loading import ScenarioError, deep_merge, load_scenario, load_yaml, resolve_file, scenario_from_dict
from simcoord.model.company import simulate

from support import ROOT
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DEPARTMENTS = ("marketing", "sales", "production", "service")
SLA_RULES = ("first_touch", "hot_lead_first_touch", "auto_release", "stage_dwell")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
QUICK = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
MANY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


# ------------------------------------------------------------------ valid scenarios
def shares(n: int) -> st.SearchStrategy[list[float]]:
    """``n`` non-negative weights summing to 1 (exactly, after rounding the last)."""
    return st.lists(st.integers(0, 10), min_size=n, max_size=n).filter(any).map(
        lambda w: [x / sum(w) for x in w[:-1]] + [1 - sum(x / sum(w) for x in w[:-1])])


@st.composite
def calendars(draw) -> dict[str, Any]:
    if draw(st.booleans()) and draw(st.booleans()):
        return {"always_open": True}
    start = draw(st.integers(0, 22))
    return {"working_days": draw(st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)),
            "day_start_hour": start, "day_end_hour": draw(st.integers(start + 1, 24)), "holidays": []}


@st.composite
def valid_overrides(draw) -> dict[str, Any]:
    staff = {d: {"staff": draw(st.integers(0, 4)), "hourly_cost": draw(st.floats(0, 100))} for d in DEPARTMENTS}
    channels = {name: {"leads_per_week": draw(st.floats(0, 40))} for name in ("web", "social", "trade_show", "partner")}
    sla = {rule: {"hours": draw(st.floats(0, 120)), "enforced": draw(st.booleans())} for rule in SLA_RULES}
    sla["timers_in_working_hours"] = draw(st.booleans())
    sla["wake_up"] = {"enabled": draw(st.booleans()), "no_interaction_days": draw(st.floats(0, 40)),
                      "attempts": draw(st.integers(1, 4))}
    sla["pool_claim_probability"] = draw(st.floats(0, 1))
    sales_weights = draw(shares(3))
    meetings = [{"name": f"m{i}", "attendees": {draw(st.sampled_from(DEPARTMENTS)): draw(st.integers(0, 3))},
                 "every_days": draw(st.sampled_from([1, 7, 14, 30])), "duration_hours": draw(st.floats(0.25, 4)),
                 "first_day": draw(st.floats(0, 10)),
                 "syncs": draw(st.lists(st.sampled_from(["forecast", "lead_feedback", "pool_review", "disputes",
                                                         "recycling"]), unique=True, max_size=3))}
                for i in range(draw(st.integers(0, 2)))]
    return {
        "calendar": draw(calendars()),
        "organisation": {**staff, "key_account_staff": draw(st.integers(0, max(staff["sales"]["staff"] - 1, 0))),
                         "coordination_managers": draw(st.integers(0, 2))},
        "demand": {"channels": channels, "campaigns": [
            {"name": "fair", "channel": "trade_show", "start_day": draw(st.floats(0, 10)), "extra_leads": draw(st.floats(0, 100))}
        ] if draw(st.booleans()) else []},
        "marketing": {"mql_threshold": draw(st.floats(0, 100)), "recycle_lost": draw(st.booleans()),
                      "max_recycles": draw(st.integers(0, 3))},
        "production": {"mode": draw(st.sampled_from(["make_to_order", "make_to_stock"])),
                       "lines": draw(st.integers(1, 3))},
        "policy": {
            "sla": sla,
            "routing": {"mode": draw(st.sampled_from(["round_robin", "least_loaded", "pooled"])),
                        "key_account_routing": draw(st.booleans())},
            "incentives": {"sales": dict(zip(("own_revenue", "sla_speed", "collaboration"), sales_weights))},
            "meetings": meetings,
            "information": {"mode": draw(st.sampled_from(["meetings", "liaison", "platform"])),
                            "hot_lead_push": draw(st.booleans())},
            "triggers": {"enabled": draw(st.booleans())},
            "alerts": {"enabled": draw(st.booleans()), "daily_orders_above": draw(st.integers(0, 5))},
            "disputes": {"manager_arbitration": draw(st.booleans()), "preauthorised_limit": draw(st.floats(0, 5e4))},
        },
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(override=valid_overrides(), days=st.floats(1, 15), seed=st.integers(0, 2**32 - 1))
def test_random_valid_scenarios_run_conserve_entities_and_keep_kpis_in_range(override, days, seed) -> None:
    scenario = scenario_from_dict(deep_merge(resolve_file(BASELINE), override), source="generated")
    result = simulate(scenario, seed=seed, days=days)
    check_run(result)
    # the KPIs-only path (log streamed, summarised part by part) gives the same KPIs
    log = ParquetEventLog(chunk_rows=500)
    try:
        kpis_only = simulate(scenario, seed=seed, days=days, log=log, keep_events=False)
    finally:
        log.cleanup()
    pd.testing.assert_series_equal(kpis_only.kpis, result.kpis, rtol=1e-9)


# ------------------------------------------------------------------ invalid input
def _numeric_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Paths of every number in a raw scenario mapping (lists included)."""
    if isinstance(data, dict):
        return [p for k, v in data.items() for p in _numeric_paths(v, (*prefix, k))]
    if isinstance(data, list):
        return [p for i, v in enumerate(data) for p in _numeric_paths(v, (*prefix, i))]
    return [prefix] if isinstance(data, (int, float)) and not isinstance(data, bool) else []


def _mapping_paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    if not isinstance(data, dict):
        return []
    return [prefix, *(p for k, v in data.items() for p in _mapping_paths(v, (*prefix, k)))]


def _set(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = _set(copy[path[0]], path[1:], value)
    return copy


RAW = resolve_file(BASELINE)
NUMBERS = _numeric_paths(RAW)
SECTIONS = _mapping_paths(RAW)
# fields where a negative number is a valid value: none in the baseline
WRONG_TYPES = st.one_of(st.text(min_size=1, max_size=8).filter(lambda s: not _is_number(s)),
                        st.lists(st.integers(), min_size=2, max_size=3), st.just({"nested": 1}))


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


@st.composite
def invalid_mappings(draw, kinds: tuple[str, ...] = ("wrong_type", "negative", "unknown_key")) -> dict[str, Any]:
    kind = draw(st.sampled_from(kinds))
    if kind == "unknown_key":
        section = draw(st.sampled_from(SECTIONS))
        key = draw(st.text("abcdefghijklmnopqrstuvwxyz_", min_size=3, max_size=12))
        node = RAW
        for part in section:
            node = node[part]
        assume(key not in node and key != "extends")
        return _set(RAW, section, {**node, key: 1})
    path = draw(st.sampled_from(NUMBERS))
    if kind == "wrong_type":
        return _set(RAW, path, draw(WRONG_TYPES))
    if kind == "negative":
        return _set(RAW, path, -draw(st.floats(0.001, 1e6)))
    return _set(RAW, path, draw(st.sampled_from([1e300, 10**40, -(10**40)])))


def assert_cli_rejects(path: Path, capsys) -> None:
    """``simcoord validate`` and ``simcoord run``: exit 2, one ``error:`` line, no traceback."""
    for argv in (["validate", str(path)], ["run", str(path), "--days", "1"]):
        assert cli.main(argv) == 2
        captured = capsys.readouterr()
        lines = captured.err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in captured.err


@MANY
@given(data=invalid_mappings())
def test_invalid_values_always_give_a_scenario_error(data, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bad.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        with pytest.raises(ScenarioError) as error:
            load_scenario(path)
        assert str(path) in str(error.value)
        assert_cli_rejects(path, capsys)



@QUICK
@given(data=invalid_mappings(kinds=("huge",)))
def test_huge_numbers_give_a_scenario_error(data) -> None:
    with pytest.raises(ScenarioError):
        scenario_from_dict(data)


@MANY
@given(content=st.one_of(st.binary(min_size=0, max_size=200), st.just(b""), st.just(b"\xff\xfe\x00garbage"),
                         st.sampled_from([b"- a\n- b\n", b"42\n", b"just text\n", b"{a: [1, 2\n", b"\x00\x01\x02",
                                          b"!!python/object/apply:os.system ['echo pwned']\n",
                                          b"a: &x [*x]\n", b"? [1, 2]\n: 3\n", b"calendar: &x\n  a: *x\n",
                                          b"name: a\nname: b\n", b"a: " + b"[" * 2000 + b"]" * 2000 + b"\n"])))
def test_garbage_files_always_give_a_scenario_error(content, capsys) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "garbage.yaml"
        path.write_bytes(content)
        try:
            data = load_yaml(content.decode("utf-8"))
        except (UnicodeDecodeError, yaml.YAMLError, ScenarioError):
            data = None
        assume(not (isinstance(data, dict) and all(isinstance(k, str) for k in data) and _loads(data)))
        with pytest.raises(ScenarioError):
            load_scenario(path)
        assert_cli_rejects(path, capsys)


def _loads(data: dict) -> bool:
    try:
        scenario_from_dict(data)
        return True
    except ScenarioError:
        return False


@QUICK
@given(length=st.integers(1, 5), missing=st.booleans(), bad_parent=st.sampled_from([None, 3, "", ["a.yaml"]]))
def test_broken_extends_chains_give_a_scenario_error(length, missing, bad_parent, capsys) -> None:
    """A cycle of ``length`` files (1 = extends itself), or a chain ending at a missing or
    malformed parent name."""
    with tempfile.TemporaryDirectory() as folder:
        files = [Path(folder) / f"s{i}.yaml" for i in range(length)]
        for i, path in enumerate(files):
            parent = files[(i + 1) % length].name
            if i == length - 1 and missing:
                parent = "does-not-exist.yaml" if bad_parent is None else bad_parent
            path.write_text(yaml.safe_dump({"extends": parent, "name": path.stem}), encoding="utf-8")
        with pytest.raises(ScenarioError) as error:
            load_scenario(files[0])
        assert "extends" in str(error.value)
        assert_cli_rejects(files[0], capsys)


def test_cli_never_prints_a_traceback_in_a_real_process(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    done = subprocess.run([sys.executable, "-m", "simcoord", "run", str(bad)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.startswith("error: ")


# ------------------------------------------------------------------ nothing from a scenario runs or renders raw
@MANY
@given(name=st.text(min_size=1, max_size=40) | st.sampled_from(['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                                               "a & b < c", "{{7*7}}", "__import__('os').system('id')"]))
def test_scenario_strings_are_inert_in_loading_and_escaped_in_html(name) -> None:
    """A scenario name (or any string) is data: validated as text, never evaluated, and
    escaped wherever the HTML report and pandas tables show it."""
    import html

    from simcoord.present.deliverable import manifest_html

    scenario = scenario_from_dict({"name": name, "description": name})
    assert scenario.name == name  # kept verbatim: not evaluated, not formatted
    page = manifest_html({"scenario": scenario.name, "description": scenario.description}, {})
    assert html.escape(name) in page
    table = pd.DataFrame({"value": [1.0]}, index=pd.Index([name], name="policy"))._repr_html_()
    for raw in ("<script", "<img"):
        if raw in name:
            assert raw not in page and raw not in table
