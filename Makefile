# Tavern: `make run` serves on http://127.0.0.1:5000 (PORT overrides); `make test` runs every test.
# The virtual environment's interpreter: the distribution's Python 3.11 where it can make one (Debian builds it with
# profile-guided and link-time optimisation, as the production image's python:3.11 is built), else python3 on PATH.
# A Python compiled without them (pyenv's default) served every page some 15% slower on the benchmark's machine.
DISTRO_PYTHON := $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' >/dev/null 2>&1 && echo /usr/bin/python3.11)
PYTHON ?= $(or $(DISTRO_PYTHON),python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# pytest-xdist workers for `make test` (0 runs serially): one more than the two cores, since much of the suite
# waits on servers, the browser and deliberate delays. `pytest path/to/test.py` alone stays in one process.
TEST_WORKERS ?= 3
export FLASK_APP := webapp:create_app
export PORT

.PHONY: run test install install-test lint migrate seed demo bench clean

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed

demo: migrate
	$(BIN)/flask seed --demo

run: seed
	@printf '\n  Tavern runs at  http://127.0.0.1:%s/  (open it in your browser; Ctrl+C stops it)\n\n' "$(PORT)"
	$(BIN)/gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:$(PORT)

# loadgroup keeps each xdist_group (the browser journeys, the deployment stacks) on one worker.
test: install-test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: install
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
