# The two commands a newcomer needs: `make up` and `make test`. Both create or reuse .venv.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
LOCK_HASH := $(shell sha1sum requirements.lock | cut -c1-12)
STAMP := $(VENV)/.installed-$(LOCK_HASH)

.PHONY: up test test-fast bench bench-register district chaos demo token asyncapi venv

$(STAMP): requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@rm -f $(VENV)/.installed-* && touch $(STAMP)

venv: $(STAMP)

## all four services in the foreground on local RabbitMQ and SQLite; Ctrl-C stops them
up: venv
	$(PY) -m shared.platform

## the whole suite, on SQLite and on PostgreSQL (needs the local RabbitMQ and PostgreSQL)
test: venv
	$(PY) -m pytest $(PYTEST_ARGS)

## unit tests only: no broker, no database
test-fast: venv
	$(PY) -m pytest tests/unit -q

## backbone throughput and latency next to raw pika and nameko's own dispatcher
bench: venv
	$(PY) -m bench.backbone --producers 4

bench-register: venv
	$(PY) -m bench.inspections

district: venv  # 300 lifecycles paced at 5/s, then 2,000 at full speed; figures and invariants
	$(PY) -m bench.district --steady 300 --cases 2000

chaos: venv  # 500 lifecycles while 10 faults of each kind are injected; the fault log and the invariants
	$(PY) -m bench.district --cases 500 --chaos --faults 10

demo: venv  # against a running `make up`: one district day, case by case and event by event
	$(PY) -m bench.district.demo

## a development token: make token ROLES=officer,supervisor SUB=O-1001
token: venv
	@$(PY) -m shared.http.auth --sub $${SUB:-DEV-0001} --roles $${ROLES:-operator} --cert-no $${CERT:-DEV-CERT} --cert-expires $${CERT_EXPIRES:-2099-12-31}

## regenerate docs/asyncapi.yaml from the event catalog
asyncapi: venv
	$(PY) -m shared.events.asyncapi > docs/asyncapi.yaml
