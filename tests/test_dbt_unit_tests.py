"""dbt's unit tests (the working-day rules and every KPI formula on hand-computed rows) run here, against a
built warehouse, rather than in every nightly build: they test the SQL, not the night's data."""

from __future__ import annotations

from warehouse.dbt import run_dbt


def test_every_dbt_unit_test_passes(golden_warehouse, tmp_path, monkeypatch):
    info = golden_warehouse.info
    url = f"postgresql://{info.user}:{info.password}@{info.host}:{info.port}/{info.dbname}"
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path))
    outcome = run_dbt(["test", "--select", "test_type:unit"], url)
    assert outcome.success, "\n".join(outcome.failures)
    assert len(outcome.results) >= 10
