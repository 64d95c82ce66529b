# assetbridge: `make demo` and `make test` do all set-up on a fresh machine.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
AB     := $(VENV)/bin/assetbridge
DEMO_HOME := .assetbridge/demo
QUICKSTART := examples/quickstart/assets.py
DEPLOY := examples/deploy/shop_assets.py

.PHONY: install demo test lint bench system-deps clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

system-deps:  ## PostgreSQL server, headless Chromium, and an Airflow 2.10 venv for the tests
	bash .ci/install-postgres.sh
	bash .ci/install-chromium.sh
	bash .ci/install-airflow2.sh

demo: install
	rm -rf $(DEMO_HOME)
	@echo "\n== 1. materialize every asset of the quickstart project"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) run $(QUICKSTART)
	@echo "\n== 2. is everything up to date?"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) status $(QUICKSTART)
	@echo "\n== 3. new raw orders arrive: refresh only raw_orders"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) run $(QUICKSTART) --select raw_orders
	@echo "\n== 4. status now says what is stale, and why"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) status $(QUICKSTART)
	@echo "\n== 5. what do I run to refresh daily_revenue?"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) plan $(QUICKSTART) --select daily_revenue
	@echo "\n== 6. where did daily_revenue come from?"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) provenance $(QUICKSTART) daily_revenue
	@echo "\n== 7. existing Airflow DAGs: one asset graph across three DAG files"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) translate examples/airflow_dags
	@echo "\n== deploy 1/4. develop locally: one day of the shop pipeline, and its unit tests"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) run $(DEPLOY) --select shop_orders,daily_sales --partition 2026-11-01
	$(PY) -m pytest -q -p no:cacheprovider examples/deploy/test_shop_assets.py
	@echo "\n== deploy 2/4. deploy: the same assets as Airflow DAG files (prod resources)"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) export $(DEPLOY) --out $(DEMO_HOME)/dags --env prod
	@echo "\n== deploy 3/4. what Airflow's own DagBag sees in them"
	$(PY) examples/deploy/check_dags.py $(DEMO_HOME)/dags
	@echo "\n== deploy 4/4. read back: the same asset graph, linked across DAGs by Airflow assets"
	ASSETBRIDGE_HOME=$(DEMO_HOME) $(AB) translate $(DEMO_HOME)/dags --static

test: install system-deps
	$(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

bench: install
	$(PY) -m pip install -q -e ".[bench]"
	$(PY) tests/benchmarks/bench_runner.py
	$(PY) tests/benchmarks/bench_translate.py
	$(PY) tests/benchmarks/bench_codemods.py
	$(PY) tests/benchmarks/bench_export.py
	$(PY) tests/benchmarks/bench_ui.py
	$(PY) tests/benchmarks/bench_lineage.py

clean:
	rm -rf $(VENV) .assetbridge .mypy_cache .ruff_cache
