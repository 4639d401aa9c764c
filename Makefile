# Two commands do all the set-up on a fresh machine:
#   make run   - .venv, requirements, migrations, demo forums, server on 127.0.0.1:8000
#   make test  - .venv, requirements, system packages the tests need, lint, the test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` and `make seed`: links in e-mails and printed addresses follow HOST and PORT unless SITE_URL is
# set, and mail is written as files to sent-mail/ unless EMAIL_BACKEND is set (the seed never sends real mail).
SITE_URL ?= http://$(HOST):$(PORT)
EMAIL_BACKEND ?= django.core.mail.backends.filebased.EmailBackend
EMAIL_FILE_PATH ?= sent-mail
DEV_ENV = SITE_URL="$(SITE_URL)" EMAIL_BACKEND="$(EMAIL_BACKEND)" EMAIL_FILE_PATH="$(EMAIL_FILE_PATH)"
# A development key, stated here for `make run`, the tests and the benchmarks; the settings
# refuse to start without SECRET_KEY when DEBUG is off. Production sets its own.
export SECRET_KEY ?= make-run-development-key-not-secret-8d3f1b7a2c9e4f60
# Test workers: pytest-xdist across the machine's cores.
TEST_WORKERS ?= auto
SYSTEM_PACKAGES := chromium fonts-noto-core
# axe-core for the page-sweep browser test (tests/sweep), from the npm registry, pinned; no browser download.
AXE_VERSION ?= 4.10.2
AXE := tests/vendor/node_modules/axe-core/axe.min.js

.PHONY: run test install system-deps migrate seed lint messages bench bench-agenda bench-registration bench-checkin bench-papers bench-builder bench-invoices bench-awards bench-certificates bench-messages worker clean

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Debian packages: Chromium for the browser tests, Noto fonts for Arabic PDFs
# (badges, proceedings). Installed only when missing; needs root or sudo.
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py seed_demo

# Without a Celery broker, the outbox retry sweep runs beside the dev server.
run: system-deps seed
	@echo "Site: $(SITE_URL)/  ·  mail: $(EMAIL_BACKEND) (files: $(EMAIL_FILE_PATH)/)"
	@DEBUG=1 $(DEV_ENV) $(PY) manage.py mailing_retry_due --every 60 & sweeper=$$!; \
	trap "kill $$sweeper 2>/dev/null" EXIT INT TERM; \
	DEBUG=1 $(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

$(AXE):
	npm install --silent --no-audit --no-fund --prefix tests/vendor axe-core@$(AXE_VERSION)

test: install system-deps lint $(AXE)
	$(PY) manage.py makemigrations --check --dry-run >/dev/null || (echo "Models and migrations differ: run makemigrations" && exit 1)
	@rc=0; $(VENV)/bin/pytest -n $(TEST_WORKERS) -q || rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "FAILED: no tests ran" >&2; exit 1; fi; exit $$rc

# Translations: regenerate .po from sources (per app) and compile .mo.
messages: install
	for d in forum sessions speakers registration frontend forum/mailing calendars registration/badges invoicing accounts awards certificates surveys announcements calls; do \
	  (cd $$d && $(CURDIR)/$(VENV)/bin/django-admin compilemessages >/dev/null) ; done

worker: install
	$(VENV)/bin/celery -A forum worker -B -l info

# Benchmarks print tables against a baseline measured in the same run; they
# are not part of `make test`. The registration and check-in ones want
# PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/forum_bench make bench-registration
bench: bench-agenda bench-registration bench-checkin bench-papers bench-builder bench-invoices bench-awards bench-certificates bench-messages

bench-agenda: install
	$(PY) benchmarks/agenda.py
	$(PY) benchmarks/ics_writer.py

bench-registration: install
	$(PY) benchmarks/registration.py

bench-checkin: install
	$(PY) benchmarks/checkin_badges.py

bench-papers: install
	$(PY) benchmarks/speakers_papers.py

bench-builder: install
	$(PY) benchmarks/builder_conflicts.py

bench-invoices: install
	$(PY) benchmarks/invoices.py
bench-awards: install
	$(PY) benchmarks/awards.py
bench-certificates: install
	$(PY) benchmarks/certificates.py
bench-messages: install
	$(PY) benchmarks/messages.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
