# `make demo` and `make test` are the whole set-up: each creates .venv when it is missing and installs
# the package with its dev extras first. The install is redone only when pyproject.toml changes.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.facessl-installed

.PHONY: install test demo bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(PY) -m pytest -q -n 2

demo: $(STAMP)
	$(VENV)/bin/facessl demo --out runs/demo

bench: $(STAMP)
	$(PY) benchmarks/train_throughput.py --out benchmarks/results/train_throughput.json

clean:
	rm -rf $(VENV) runs .pytest_cache
