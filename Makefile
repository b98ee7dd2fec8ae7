# NTM — the two commands a person needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip
export NTM_DATA_DIR ?= $(CURDIR)/var
PYTEST_ARGS ?=
BENCH ?=

.PHONY: run test lint bench install install-dev system-deps translations serve clean format

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Debian packages the project needs: gettext (msgfmt) always, chromium for browser tests.
system-deps:
	@missing=""; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	[ -n "$(NO_BROWSER)" ] || command -v chromium >/dev/null || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  echo "Cài gói Debian:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

translations: $(VENV)/.installed
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-deps NO_BROWSER=1
	@cd src/ntm && SECRET_KEY=build-only ../../$(BIN)/ntm compilemessages -v0

var/secret_key:
	@mkdir -p var
	@$(PYTHON) -c "import secrets; print(secrets.token_hex(32))" > $@
	@chmod 600 $@

run: install translations var/secret_key
	@export SECRET_KEY=$$(cat var/secret_key) ALLOWED_HOSTS=127.0.0.1,localhost SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0; \
	$(BIN)/ntm migrate -v0 && \
	$(BIN)/ntm demo && \
	echo "" && echo "Mở địa chỉ in dưới đây và đăng nhập bằng một tài khoản ở trên." && \
	$(BIN)/ntm serve

test: install-dev system-deps translations
	@mkdir -p test-results
	@# The browser suite runs even when the unit suite failed; the target fails if either did.
	@unit=0; browser=0; \
	NTM_TESTING=1 $(BIN)/pytest -n 2 -m "not e2e" $(PYTEST_ARGS) || unit=$$?; \
	NTM_TESTING=1 $(BIN)/pytest -m e2e $(PYTEST_ARGS) || browser=$$?; \
	echo "make test: unit suite exit $$unit, browser suite exit $$browser"; \
	[ $$unit = 0 ] && [ $$browser = 0 ]

lint: install-dev translations
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	NTM_TESTING=1 $(BIN)/ntm makemigrations --check --dry-run -v1
	NTM_TESTING=1 $(BIN)/python -m ntm.i18n_check

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make bench BENCH=load` runs only the named benchmarks (units assessments command limits national ocop load);
# the load benchmark reads LOAD_USERS, LOAD_SECONDS, LOAD_WAIT, LOAD_WORKERS (bench/load.py).
bench: install-dev translations
	$(PIP) install -q -e '.[dev,bench]'
	NTM_TESTING=1 $(BIN)/python bench/run.py $(BENCH)

clean:
	rm -rf $(VENV) var/static
