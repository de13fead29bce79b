# `make demo` and `make test` each set up .venv on first use (torch pinned by constraints.txt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
CROSSCHECK_VENV ?= .venv-crosscheck
CROSSCHECK_BIN := $(CROSSCHECK_VENV)/bin

.PHONY: setup demo test test-slow crosscheck crosscheck-setup inception-reference docs lint typecheck format clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

# DCGAN on the embedded scikit-learn digits, on the CPU: samples land in runs/dcgan/demo/samples/.
demo: setup
	rm -rf runs/dcgan/demo
	$(BIN)/gankit train --config configs/dcgan-digits.yaml --name demo --device cpu
	$(BIN)/gankit sample runs/dcgan/demo --out runs/dcgan/demo/final_samples.png

# With line coverage of src/gankit (pytest-cov); the total is printed last (README, "Tests").
test: setup
	$(BIN)/python -m pytest --cov=gankit --cov-report=
	@echo "line coverage of src/gankit: $$($(BIN)/python -m coverage report --format=total)%"

# Exit code 5 means no test is marked slow at the moment, which is fine.
test-slow: setup
	$(BIN)/python -m pytest --run-slow -m slow || [ $$? -eq 5 ]

# gankit's metrics against pytorch-fid, torch-fidelity, clean-fid, prdc and torchmetrics, in a
# second environment: gankit itself never needs them, nor torchvision (tests/crosscheck/peers.py).
crosscheck-setup: $(CROSSCHECK_VENV)/.installed

$(CROSSCHECK_VENV)/.installed: pyproject.toml constraints.txt tests/crosscheck/requirements.txt
	$(PYTHON) -m venv $(CROSSCHECK_VENV)
	$(CROSSCHECK_BIN)/python -m pip install --quiet --upgrade pip
	$(CROSSCHECK_BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]' \
		-r tests/crosscheck/requirements.txt
	touch $@

crosscheck: crosscheck-setup
	$(CROSSCHECK_BIN)/python -m pytest --run-slow -m crosscheck tests/crosscheck

# Where the real pytorch-fid weights file exists: record pytorch-fid's features of a fixed input
# into tests/fixtures/inception_reference_values.json (commit it), which the data test
# tests/metrics/test_real_inception_weights.py then compares gankit's network with.
inception-reference: crosscheck-setup
	@test -n "$(WEIGHTS)" || { echo "usage: make inception-reference WEIGHTS=PATH/TO/pt_inception-2015-12-05-6726825d.pth"; exit 2; }
	$(CROSSCHECK_BIN)/python tests/fixtures/inception_probe.py "$(WEIGHTS)"

# The documentation site (mkdocs.yml): docs/ and the API reference generated from the
# docstrings, into site/; a warning (a missing page, a module that moved) fails the build.
docs: setup
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[docs]'
	$(BIN)/mkdocs build --strict --quiet

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy over src/gankit, with the settings of pyproject.toml's [tool.mypy].
typecheck: setup
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(CROSSCHECK_VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache \
		.mypy_cache
