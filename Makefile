# The two commands: `make run` (everything, on SQLite with tasks inline) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
STAMP := $(VENV)/.installed
APPS := lms content courses certificates
export DJANGO_SETTINGS_MODULE := lms.settings
# lms/settings.py makes SITE_URL (the address in certificates' QR codes) from these two.
export HOST PORT

.PHONY: run test proof install lint worker bench serve migrate demo messages messages-upstream clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt constraints.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $(STAMP)

install: $(STAMP)

# Runs the system: installs, migrates, loads the demo content and serves it.
run: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py credential_key --create
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_admin_units
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# Runs the tests: lint, architecture contracts, then pytest.
test: install lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Only the proof suites: browser journeys (screenshots in tests/browser/screenshots/),
# authorisation matrix and security, faults, properties. `make test` runs them too.
proof: install
	$(BIN)/pytest tests/browser tests/security tests/faults tests/property $(PYTEST_ARGS)

# Lint, format, the import contracts of pyproject.toml, and no model change without its migration.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py makemigrations --check --dry-run

# A Celery worker (all queues) with beat, against REDIS_URL.
worker: install
	@test -n "$$REDIS_URL" || (echo "REDIS_URL must be set, e.g. redis://127.0.0.1:6379/0" && exit 1)
	DEBUG=$${DEBUG:-1} $(BIN)/celery -A lms worker -B -Q celery,certificates --loglevel=INFO

# The benchmarks under tests/benchmarks/; each prints its figures.
# Benchmarks that need PostgreSQL and Redis use these defaults (a database of their own).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lms_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14
bench: install
	-psql -h 127.0.0.1 -U postgres -d test -q -c "CREATE DATABASE lms_bench" 2>/dev/null
	DATABASE_URL=$${DATABASE_URL:-$(BENCH_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(BENCH_REDIS_URL)} \
		$(BIN)/python -m tests.benchmarks $(BENCH)

messages: install
	for app in $(APPS); do \
		mkdir -p $$app/locale && \
		(cd $$app && DEBUG=$${DEBUG:-1} PYTHONPATH=.. ../$(BIN)/django-admin makemessages -l vi --no-obsolete --no-wrap) && \
		(cd $$app && DEBUG=$${DEBUG:-1} PYTHONPATH=.. ../$(BIN)/django-admin compilemessages -l vi) || exit 1; \
	done
	msgfmt --check -o locale/vi/LC_MESSAGES/django.mo locale/vi/LC_MESSAGES/django.po
	msgfmt --check -o locale/wagtailmedia/vi/LC_MESSAGES/django.mo locale/wagtailmedia/vi/LC_MESSAGES/django.po

# After upgrading Wagtail or Django: merge their new English messages into locale/upstream/
# (new ones empty, changed ones fuzzy), compile, and print the Vietnamese coverage per catalogue.
messages-upstream: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py messages_upstream

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
