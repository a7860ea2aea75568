"""Set-up: pyproject and environment.yml agree, the README opens with the two commands,
CI runs the README's test command, and every shipped scenario file validates."""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from support import ROOT, SCENARIOS

import simcoord
from simcoord.scenario.loading import load_scenario

NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")
NOT_PACKAGES = {"python", "pip"}


def split(requirement: str) -> tuple[str, str]:
    """``"pandas>=2.1"`` -> ``("pandas", ">=2.1")`` with the name normalised (PEP 503)."""
    match = NAME.match(requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2).replace(" ", "")


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_yml_lists_the_same_dependencies_as_pyproject(pyproject):
    project = pyproject["project"]
    wanted = [*project["dependencies"]]
    for extra in ("lab", "test", "bench"):
        wanted += project["optional-dependencies"][extra]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert "conda-forge" in env["channels"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    conda_specs = dict(split(d) for d in conda if split(d)[0] not in NOT_PACKAGES)
    pip_specs = dict(split(d) for d in wanted)
    assert set(conda_specs) == set(pip_specs), {
        "only in pyproject": sorted(set(pip_specs) - set(conda_specs)),
        "only in environment.yml": sorted(set(conda_specs) - set(pip_specs)),
    }
    assert conda_specs == pip_specs  # same version bounds too
    python = [d for d in conda if split(d)[0] == "python"]
    assert python and split(python[0])[1] == project["requires-python"]
    pip_section = [d for d in env["dependencies"] if isinstance(d, dict)]
    assert pip_section and any("-e ." in line for line in pip_section[0]["pip"])  # the package itself


def test_version_and_entry_point(pyproject):
    assert pyproject["project"]["version"] == simcoord.__version__
    assert pyproject["project"]["scripts"]["simcoord"] == "simcoord.cli:main"


def test_readme_opens_with_the_demo_and_test_commands():
    readme = (ROOT / "README.md").read_text()
    first_block = re.search(r"```[a-z]*\n(.*?)```", readme, re.S)
    assert first_block, "README has no code block"
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make demo", "make test"]
    # nothing but the title and a short introduction before them
    assert readme.index(first_block.group(0)) < 1000


def test_makefile_targets_create_the_venv_and_run_what_the_readme_says():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:.*\$\(STAMP\)", makefile, re.M), target
    assert "-m venv" in makefile and 'pip install' in makefile
    assert re.search(r"^demo:.*\n\t.*simcoord run scenarios/baseline.yaml", makefile, re.M)
    assert re.search(r"^test:.*\n\t.*-m pytest", makefile, re.M)


def test_ci_runs_the_readme_test_command():
    ci = ROOT / ".ci" / "run"
    assert ci.stat().st_mode & 0o111, ".ci/run must be executable"
    lines = [line.strip() for line in ci.read_text().splitlines() if line.strip() and not line.startswith("#")]
    assert "make test" in lines


SCENARIO_FILES = sorted(SCENARIOS.rglob("*.yaml"))


def test_scenario_folder_holds_the_required_files():
    names = {p.relative_to(SCENARIOS).as_posix() for p in SCENARIO_FILES}
    assert {"baseline.yaml", "validation/mmc.yaml"} <= names


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[p.relative_to(SCENARIOS).as_posix() for p in SCENARIO_FILES])
def test_every_scenario_file_validates(path):
    scenario = load_scenario(path)
    assert scenario.name
