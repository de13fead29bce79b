# `make demo` and `make test` each set up .venv on first use (torch pinned by constraints.txt).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-slow lint format clean

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

test: setup
	$(BIN)/python -m pytest

# Exit code 5 means no test is marked slow at the moment, which is fine.
test-slow: setup
	$(BIN)/python -m pytest --run-slow -m slow || [ $$? -eq 5 ]

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .ruff_cache
