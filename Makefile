# Two commands from a fresh clone: `make run` (nightly pipeline on demo data) and `make test`.
# Everything installs from uv.lock into .venv; uv itself is pinned and installed into .tools.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run nightly rollup site test test-fast test-celery lint dbt compose-env db-start db-stop db-url db-dump db-restore psql kpis blockers clean

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

# Re-sync only when the lock or the project metadata changes.
$(VENV)/.synced: uv.lock pyproject.toml $(UV)
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	touch $@

run: $(VENV)/.synced
	$(PY) -m warehouse run

# the nightly pipeline on LANDING_DIR against DATABASE_URL (or the embedded server); DATE=YYYY-MM-DD optional,
# FULL_REFRESH=1 rebuilds every dbt model from raw
nightly: $(VENV)/.synced
	$(PY) -m warehouse nightly $(if $(DATE),--date $(DATE)) $(if $(FULL_REFRESH),--full-refresh)

# the officials' site the night built (OUTPUT_DIR/site), served on http://127.0.0.1:$(SITE_PORT)/ for a look
SITE_PORT ?= 8800
site: $(VENV)/.synced
	$(PY) -m warehouse site --port $(SITE_PORT)

test: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

# the inner loop of a developer changing a KPI: unit tests, the golden cases and every dbt unit test, no Airflow
# run and no simulated province (about 75 s)
test-fast: $(VENV)/.synced
	$(PY) -m pytest -m "not slow"

# the nightly DAG on the CeleryExecutor: Redis (Debian's redis-server, installed when missing), an api-server,
# a scheduler, a dag-processor and a Celery worker, against a LocalExecutor run of the same delivery (a few minutes)
test-celery: $(VENV)/.synced
	$(PY) -m pytest -n 0 -m celery -s tests/test_celery_stack.py

# Python (ruff) and the dbt models' SQL (sqlfluff, dbt templater, compiled against the configured warehouse)
lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m warehouse sqlfluff lint dbt_project/models

# any dbt command on the project against the warehouse, e.g. make dbt ARGS="build --select kpi_online_share+"
dbt: $(VENV)/.synced
	$(PY) -m warehouse dbt $(ARGS)

db-start: $(VENV)/.synced
	$(PY) -m warehouse db start

db-stop: $(VENV)/.synced
	$(PY) -m warehouse db stop

db-url: $(VENV)/.synced
	@$(PY) -m warehouse db url

compose-env: $(VENV)/.synced
	$(PY) -m warehouse compose-env $(if $(FORCE),--force)

db-dump: $(VENV)/.synced
	$(PY) -m warehouse db dump $(FILE)

db-restore: $(VENV)/.synced
	$(PY) -m warehouse db restore $(FILE) $(if $(REPLACE),--replace)

psql: $(VENV)/.synced
	$(PY) -m warehouse db psql

kpis: $(VENV)/.synced
	$(PY) -m warehouse kpis

# publish a period's extracts (Sở Nội vụ, Thanh tra tỉnh), e.g. make rollup PERIOD=2026-6T
rollup: $(VENV)/.synced
	$(PY) -m warehouse rollup $(if $(PERIOD),--period $(PERIOD))

# what blocks publishing a period, e.g. make blockers PERIOD=2026-6T
blockers: $(VENV)/.synced
	$(PY) -m warehouse blockers --period $(PERIOD)

clean:
	-$(PY) -m warehouse db stop
	rm -rf .pgdata .airflow .tmp data dbt_project/target dbt_project/logs
