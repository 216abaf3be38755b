# Two commands: `make run` and `make test`. Both create .venv and install what they need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist worker processes; 0 runs the tests in this one process. On 2 cores one process is the
# fastest (3 workers took 26 min against 15: the browser, server and database processes are busy too).
TEST_WORKERS ?= 0
# The CPU build of torch for the semantic theme engine; `make TORCH= run` skips it (TF-IDF themes).
TORCH ?= torch==2.13.0
comma := ,
EXTRAS := $(if $(TORCH),dev$(comma)semantic,dev)

.PHONY: run test lint bench install clean migration

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Undercover needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# torch first, pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
	$(if $(TORCH),$(PY) -m pip install --quiet $(TORCH))
	$(PY) -m pip install --quiet -e '.[$(EXTRAS)]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m api migrate
	$(PY) -m api demo
	$(PY) -m api serve --host $(HOST) --port $(PORT)

test: lint
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

# ruff, and the import contract in pyproject.toml (README → Development → Layers)
lint: $(STAMP)
	$(PY) -m ruff check api tests bench
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) bench/sync.py

migration: $(STAMP)
	$(PY) -m api.migrate $(MSG)

clean:
	rm -rf $(VENV) *.egg-info .pytest_cache
