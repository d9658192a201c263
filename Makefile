# The commands a newcomer runs. Each creates .venv on first use and installs what it needs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip

.PHONY: demo test test-full bench lint clean

$(VENV)/.base:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q -e .
	touch $@

# The test extra brings the oracle: torch 2.13.0 (the CPU build, from local disk here).
$(VENV)/.test: $(VENV)/.base pyproject.toml
	$(PIP) install -q -e '.[test]'
	touch $@

$(VENV)/.demo: $(VENV)/.base pyproject.toml
	$(PIP) install -q -e '.[demo]'
	touch $@

demo: $(VENV)/.demo
	$(PY) examples/demo.py

# Hypothesis profile "ci" keeps the run short; stress tests run in their short form.
# The second run gives every 0-d tensor as a NumPy scalar (tests/conftest.py); the op
# tests already do, so it leaves them out.
test: $(VENV)/.test
	HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -q -x -p no:cacheprovider
	EMBER_TEST_SCALARS=1 HYPOTHESIS_PROFILE=$${HYPOTHESIS_PROFILE:-ci} $(PY) -m pytest -q -x \
		-p no:cacheprovider --ignore=tests/test_ops.py --ignore=tests/stress

# Everything at full size: more hypothesis examples, stress tests at full scale.
test-full: $(VENV)/.test
	HYPOTHESIS_PROFILE=dev EMBER_STRESS=full $(PY) -m pytest -q

bench: $(VENV)/.test
	$(PY) benchmarks/run.py
	$(PY) benchmarks/memory.py

lint: $(VENV)/.base
	$(PIP) install -q -e '.[lint]'
	$(VENV)/bin/ruff check src tests examples

clean:
	rm -rf $(VENV) demo-output .pytest_cache .hypothesis
