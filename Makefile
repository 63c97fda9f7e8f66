# Touchpoint: `make run` serves the demo, `make test` runs the suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Packages are installed by uv (itself from PyPI, pinned): it fetches and unpacks in parallel, so a fresh
# install takes about 10 s where pip took a minute. Like pip --no-compile, it leaves compiling to first use.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
INSTALL := $(UV) pip install --quiet --python $(BIN)/python
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# Test processes (pytest-xdist): one per core; each has its own database. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= auto
# Let Python keep the bytecode it compiles (an environment may say PYTHONDONTWRITEBYTECODE=1): otherwise
# every test process, every server the browser tests start and every command compiles each module again.
export PYTHONDONTWRITEBYTECODE :=

.PHONY: run test lint install install-dev system-deps browser-deps mail-deps mail-servers db demo clean

run: install db demo
	@echo "Touchpoint is serving on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/bandit -q -r app audits reports config.py wsgi.py worker.py --severity-level high
	$(BIN)/lint-imports --no-logo
	$(BIN)/mypy audits reports

install: system-deps $(VENV)/.installed-runtime
install-dev: system-deps browser-deps mail-deps $(VENV)/.installed-dev node_modules/.installed

# WeasyPrint (the scorecard PDFs) needs Pango at run time. On Debian/Ubuntu install it
# when it is missing and we are root; otherwise say what to run.
system-deps:
	@if ! command -v dpkg >/dev/null 2>&1; then \
	  echo "note: not a Debian system: WeasyPrint needs Pango 1.44 or later (see its install docs)"; \
	elif dpkg -s libpango-1.0-0 >/dev/null 2>&1 && dpkg -s libpangoft2-1.0-0 >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
	  apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0; \
	else \
	  echo "WeasyPrint needs Pango, which is missing: run 'sudo apt-get install --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0' (or 'make install' as root)"; \
	fi

# The browser tests drive Debian's Chromium (never a downloaded browser) with Playwright,
# inject axe-core from npm and check the pages' markup with the Nu HTML Checker (npm's vnu-jar),
# which runs on Java. Install Chromium and a headless Java when missing and we are root.
browser-deps:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y --no-install-recommends chromium \
	  || { apt-get update && apt-get install -y --no-install-recommends chromium; }; \
	else \
	  echo "The browser tests need Debian's Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium'"; \
	fi
	@if command -v java >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y --no-install-recommends default-jre-headless \
	  || { apt-get update && apt-get install -y --no-install-recommends default-jre-headless; }; \
	else \
	  echo "The markup check needs Java: run 'sudo apt-get install default-jre-headless'"; \
	fi

# The mail tests run a real IMAP server: Debian's Dovecot, with a throw-away configuration each time
# (tests/mail_servers.py). Install it when missing and we are root; the system service is not needed.
mail-deps:
	@if [ -x /usr/sbin/dovecot ]; then :; \
	elif command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  apt-get install -y --no-install-recommends dovecot-imapd \
	  || { apt-get update && apt-get install -y --no-install-recommends dovecot-imapd; }; \
	else \
	  echo "The mail tests need Debian's Dovecot at /usr/sbin/dovecot: run 'sudo apt-get install dovecot-imapd'"; \
	fi

# Local IMAP (Dovecot) and SMTP servers for the demo's persona mailbox, until Ctrl-C (README: email audits).
DEMO_IMAP_PORT ?= 1143
DEMO_SMTP_PORT ?= 1025
mail-servers: mail-deps $(VENV)/.installed-dev
	$(BIN)/python -m tests.mail_servers serve --dir instance/mail --imap-port $(DEMO_IMAP_PORT) \
	  --smtp-port $(DEMO_SMTP_PORT) --user maria.family@example.net --user chris.family@example.net \
	  --user lucia.family@example.net

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check --quiet uv==$(UV_VERSION)

$(VENV)/.installed-runtime: requirements.txt | $(UV)
	$(INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(UV)
	$(INSTALL) -r requirements-dev.txt
	touch $(VENV)/.installed-runtime $@

db: install
	$(FLASK) db upgrade

demo: install
	$(FLASK) demo --if-empty

clean:
	rm -rf $(VENV) node_modules .pytest_cache .ruff_cache .import_linter_cache .mypy_cache
