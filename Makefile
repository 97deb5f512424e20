# The two commands a newcomer needs: `make demo` and `make test`.
# Both create the virtual environment themselves; only Python >= 3.11 and make are assumed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test test-slow lint bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "procopt needs Python >= 3.11 (found %s); run make PYTHON=python3.11" % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Re-install when the project definition changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/procopt demo

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Style and static checks; .ci/run runs them before the tests.
lint: $(VENV)/.installed-test
	$(BIN)/ruff check procopt tests bench
	$(BIN)/ruff format --check procopt tests bench

test-slow: $(VENV)/.installed-test
	$(BIN)/python -m pytest -m slow

# Benchmarks print figures; they are never timed assertions in tests. Each compares procopt with a
# baseline measured in the same run (see bench/README.md).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/load.py
	$(BIN)/python bench/mine.py
	$(BIN)/python bench/sim.py
	$(BIN)/python bench/fidelity.py
	$(BIN)/python bench/extract.py --postgres

clean:
	rm -rf $(VENV) build *.egg-info
