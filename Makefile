# Newsroom: two commands for a fresh clone, `make run` and `make test`.
# Everything installs into .venv/ from pyproject.toml; nothing is installed globally.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DEV    := DEBUG=1
# Test workers (pytest-xdist), one per core of the usual two-core machine; 0 runs them in one process.
PYTEST_WORKERS ?= 2

.PHONY: run worker test install install-test forget-old-env migrate demo lint format messages clean

run: install migrate demo ## set up, load the demo briefings and serve on http://127.0.0.1:8000
	@# The task worker (scheduled publication, e-mail) runs beside the server and stops with it.
	@$(DEV) $(BIN)/python manage.py db_worker --no-startup-delay & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEV) $(BIN)/python manage.py runserver $(HOST):$(PORT)

worker: install ## run only the task worker (scheduled publication and e-mail)
	@# Newsroom's db_worker: each cycle also publishes every scheduled digest that is due.
	$(DEV) $(BIN)/python manage.py db_worker

test: install-test ## set up if needed and run every check and test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || \
		{ echo "Newsroom needs Python 3.12 or newer; '$(PYTHON)' is older. Try: make PYTHON=python3.12"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.installed forget-old-env

install-test: $(VENV)/.installed-test forget-old-env

# Earlier versions of this Makefile wrote a .env with DEBUG=1 that outlived them and
# turned DEBUG on for every run from the checkout. Remove it (keeping any lines
# added by hand); DEBUG now comes only from the commands above.
OLD_ENV_HEADER := \# Local development settings, read by newsroom/settings.py. Not for production.
forget-old-env:
	@if [ -f .env ] && [ "$$(head -n 1 .env)" = "$(OLD_ENV_HEADER)" ]; then \
		grep -v -x -F -e "$(OLD_ENV_HEADER)" -e "DEBUG=1" .env > .env.kept || true; \
		if [ -s .env.kept ]; then mv .env.kept .env; else rm -f .env.kept .env; fi; \
		echo "Removed DEBUG=1 from the .env an earlier make wrote; make run and make test set it."; \
	fi

migrate: install
	$(DEV) $(BIN)/python manage.py migrate --noinput
	$(DEV) $(BIN)/python manage.py rebuild_search_index --stale-only

demo: install
	$(DEV) $(BIN)/python manage.py load_demo

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis staticfiles test-artifacts

messages: install ## refresh the Chinese catalog after changing interface strings (needs GNU gettext)
	$(DEV) $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=bench
	$(DEV) $(BIN)/python manage.py makemessages -d djangojs -l zh_Hans --no-obsolete --ignore=.venv --ignore=tests --ignore=staticfiles --ignore=bench --ignore=test-artifacts
	$(DEV) $(BIN)/python manage.py compilemessages -l zh_Hans
