# alliance-sim — two commands do everything:
#   make demo   set up .venv (Python >= 3.12) and run the default scenario with its report
#   make test   set up .venv and run the whole test suite
# Other targets: make bench, make test-hostile (12,000+ hostile inputs), make clean.

VENV    := .venv
BIN     := $(VENV)/bin
PYTHON  ?=
STAMP   := $(VENV)/.installed

.PHONY: demo test test-fast test-hostile bench setup clean chromium dashboard

setup: $(STAMP)

$(STAMP): pyproject.toml
	@py=$$(PYTHON="$(PYTHON)" .ci/find-python) || exit 1; \
	  if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
	    echo "creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV) || exit 1; fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/alliance-sim run korea_russia_2024 --replicates 20

test: $(STAMP) chromium
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Browser tests drive Debian's Chromium (Playwright's own download does not work offline).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && apt-get install -y -q chromium; \
	  elif command -v sudo >/dev/null 2>&1; then sudo apt-get update -q && sudo apt-get install -y -q chromium; \
	  else echo "browser tests need Debian's chromium: apt-get install chromium"; exit 1; fi; }

dashboard: $(STAMP)
	$(BIN)/alliance-sim dashboard

# The everyday loop: everything but the research checks (slow) and the tests of process behaviour
# (signals, kills, worker processes, Dask, the browser); make test runs them all.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow and not process"

# The long profile of the hostile-input generator (12,000+ cases, docs/reliability.md).
test-hostile: $(STAMP)
	HOSTILE_PROFILE=long $(BIN)/python -m pytest tests/test_hostile.py -s

bench: $(STAMP) chromium
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/run.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/sweeps.py
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/study.py
	$(BIN)/python benchmarks/interrupt.py
	$(BIN)/python benchmarks/dashboard.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache
