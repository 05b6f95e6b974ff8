# Two commands on a fresh machine with python3 and make: `make demo` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
SAMPLES := tests/fixtures/vlaams-parlement/000_3766b604c4d8bdfa.txt tests/fixtures/vlaams-parlement/sv-235-2024.pdf

.PHONY: install demo test lint stop-db messages clean backup restore

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP)

var/secret-key:
	@mkdir -p var
	@$(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
	@chmod 600 $@

# The demo runs with production-like settings (DEBUG off) and a secret key generated once under var/.
demo: $(STAMP) var/secret-key
	SECRET_KEY=$$(cat var/secret-key) $(PY) manage.py migrate --no-input
	SECRET_KEY=$$(cat var/secret-key) $(PY) manage.py collectstatic --no-input --verbosity 0
	-SECRET_KEY=$$(cat var/secret-key) $(PY) manage.py import_questions $(SAMPLES)
	@echo "Serving the archive on http://$(HOST):$(PORT)/ with its background worker (Ctrl-C stops both); mails go to var/mail/"
	export SECRET_KEY=$$(cat var/secret-key) SITE_URL=http://$(HOST):$(PORT); \
		$(PY) manage.py procrastinate worker & worker=$$!; \
		trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(VENV)/bin/gunicorn archive.asgi:application --config archive/gunicorn_conf.py --bind $(HOST):$(PORT)

# A dump of the database (the embedded one, or DATABASE_URL's) under var/backups/; `make restore FILE=…` puts one back.
backup: $(STAMP) var/secret-key
	SECRET_KEY=$$(cat var/secret-key) $(PY) manage.py backup_archive

restore: $(STAMP) var/secret-key
	@test -n "$(FILE)" || { echo "usage: make restore FILE=var/backups/archive-….dump"; exit 2; }
	SECRET_KEY=$$(cat var/secret-key) $(PY) manage.py restore_archive --yes "$(FILE)"

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

# Ruff (with the complexity rule at 12) on everything, mypy with django-stubs on archive/ and questions/.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

stop-db: $(STAMP)
	$(PY) manage.py embedded_postgres stop

clean:
	rm -rf $(VENV) *.egg-info

# Refresh the English catalog after changing translatable strings (needs GNU gettext: apt-get install gettext).
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --ignore=.venv --ignore=var --ignore=bench --ignore=tests
	$(PY) manage.py compilemessages -l en
