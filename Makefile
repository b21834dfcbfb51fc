# The two commands a fresh machine needs: `make run` builds the database, `make test`
# runs the test suite. Both create the virtual environment first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test install lint bench check clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/etnc-db run
	$(BIN)/etnc-db status --runs 1

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check src tests scripts

check: $(STAMP)
	$(BIN)/etnc-db check

bench: $(STAMP)
	$(BIN)/etnc-db bench

clean:
	-$(BIN)/etnc-db db stop
	rm -rf .etnc reports
