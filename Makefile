# simcoord: `make demo` runs the baseline, `make test` runs every test (notebooks included).
# Both create or reuse the local virtual environment .venv and install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export MPLBACKEND := agg

.PHONY: demo test venv lab notebooks golden bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[lab,test,bench]"
	$(BIN)/python -m ipykernel install --sys-prefix --name simcoord --display-name "simcoord" > /dev/null
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/simcoord run scenarios/baseline.yaml

NBVAL := --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg --nbval-kernel-name simcoord

test: $(STAMP)
	TQDM_DISABLE=1 $(BIN)/python -m pytest
	TQDM_DISABLE=1 $(BIN)/python -m pytest $(NBVAL)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

# Re-execute every notebook in place (CI-sized parameters) after a change that moves an answer.
notebooks: $(STAMP)
	cd notebooks && for nb in [0-9]*.ipynb; do \
		TQDM_DISABLE=1 ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
			--ExecutePreprocessor.kernel_name=simcoord --ExecutePreprocessor.timeout=600 "$$nb" || exit 1; \
	done

# Refresh the golden answers (tests/golden/: the shipped comparison at 30 replications x 365 days,
# about 20 minutes on 2 cores) after a change meant to move them; commit them saying so.
golden: $(STAMP)
	$(BIN)/python -m simcoord.experiments.golden --out tests/golden

# Refresh the truth's answers of the parameter-recovery test (the shipped policies on
# tests/calibration/truth.yaml, 200 replications x 182 days, about 15 minutes on 2 cores).
.PHONY: truth-differences
truth-differences: $(STAMP)
	$(BIN)/python tests/calibration/make_truth_differences.py

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# The log-distance-measures package in an environment of its own (it needs pandas < 3 and
# Python < 3.13): tests/calibration then checks simcoord's log distances against it live,
# and without it against the values it gave (tests/calibration/ldm_reference.json).
LDM_VENV := .venv-ldm
.PHONY: distances-reference-env
distances-reference-env: $(LDM_VENV)/.installed

$(LDM_VENV)/.installed:
	test -x $(LDM_VENV)/bin/python || $(PYTHON) -m venv $(LDM_VENV)
	$(LDM_VENV)/bin/python -m pip install --quiet "log-distance-measures==2.2.0" "pandas<3" \
		|| { rm -rf $(LDM_VENV); exit 1; }
	touch $@

clean:
	rm -rf $(VENV) $(LDM_VENV) .pytest_cache .hypothesis build *.egg-info
