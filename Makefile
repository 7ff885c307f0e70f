# Ninety: two commands do all the set-up on a fresh machine.
#   make demo   build the demo org on SQLite and serve it on http://127.0.0.1:8000/
#   make test   the whole suite on SQLite, and on PostgreSQL too when NINETY_DATABASE_URL names one
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PORT ?= 8000
PYTEST_ARGS ?=
# pytest-xdist workers (the machine's cores); PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2

.PHONY: audit demo test test-sqlite test-postgres lint format bench bench-small browser mutations clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/ninety demo --port $(PORT)

# Debian's chromium for the browser tests (never a downloaded browser build).
browser:
	@command -v chromium >/dev/null 2>&1 || scripts/install-chromium.sh

test: $(STAMP) browser
	@echo "== make test: SQLite"
	env -u NINETY_DATABASE_URL $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@case "$$NINETY_DATABASE_URL" in \
	  postgres*) echo "== make test: PostgreSQL ($$NINETY_DATABASE_URL)"; \
	    $(PY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS) ;; \
	  *) echo "(set NINETY_DATABASE_URL=postgresql://... to run the suite on PostgreSQL too)" ;; \
	esac

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format: $(STAMP)
	$(VENV)/bin/ruff format src tests bench
	$(VENV)/bin/ruff check --fix src tests bench

# Full-size benchmarks (minutes); bench-small is what CI runs.
bench: $(STAMP)
	scripts/bench.sh full

bench-small: $(STAMP)
	scripts/bench.sh small

# Small deliberate bugs, one at a time: each must make a test fail (scripts/mutations.py).
mutations: $(STAMP)
	$(PY) scripts/mutations.py

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info src/*.egg-info

# Dependency audit (pip-audit): says NOT RUN, with the count, when no vulnerability service answers.
audit: $(STAMP)
	$(PY) scripts/audit_deps.py
