# simcoord: `make demo` runs the baseline, `make test` runs every test (notebooks included).
# Both create or reuse the local virtual environment .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := agg

.PHONY: demo test venv lab notebooks bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test,bench]"
	$(BIN)/python -m ipykernel install --sys-prefix --name simcoord --display-name "simcoord" > /dev/null
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/simcoord run scenarios/baseline.yaml

test: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python -m pytest

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
