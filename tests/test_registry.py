"""The source registry (ingestion/contracts.py) is the one list of sources: dbt's sources, the staging folders
and the raw data-quality suites follow it, so adding a source to it and not elsewhere fails here."""

from __future__ import annotations

import yaml

from expectations.definitions import load, suite_names
from ingestion.contracts import ENTITIES, SOURCES
from warehouse.config import DBT_PROJECT_DIR


def dbt_sources() -> dict[str, set[str]]:
    declared: dict[str, set[str]] = {}
    for path in (DBT_PROJECT_DIR / "models" / "staging").rglob("_*__sources.yml"):
        for source in yaml.safe_load(path.read_text(encoding="utf-8"))["sources"]:
            if source.get("schema") == "raw":
                declared.setdefault(source["name"], set()).update(t["name"] for t in source["tables"])
    return declared


def test_every_raw_table_of_the_registry_is_a_dbt_source_of_its_own_source_and_nothing_else():
    expected = {s.name: {e.name for e in s.entities} for s in SOURCES}
    assert dbt_sources() == expected


def test_every_source_has_its_staging_folder_with_its_sources_file():
    for source in SOURCES:
        folder = DBT_PROJECT_DIR / "models" / "staging" / source.name
        assert (folder / f"_{source.name}__sources.yml").exists(), source.name
        assert list(folder.glob(f"stg_{source.name}__*.sql")), source.name


def test_every_raw_suite_checks_a_registry_entity_that_names_its_agency_and_period():
    raw = [load(name) for name in suite_names("raw_batches")]
    assert {s.table for s in raw} == {
        "raw.motcua_cases",
        "raw.motcua_events",
        "raw.pakn_feedback",
        "raw.baocao_values",
        "raw.baocao_register",
    }
    for suite in raw:
        entity = suite.entity
        assert entity in ENTITIES and entity.agency_field and entity.period_field, suite.name
        assert {"keys_present", "agency_known"} <= {c.name for c in suite.checks}, suite.name


def test_dependencies_name_registered_sources():
    names = [s.name for s in SOURCES]
    assert len(set(names)) == len(names)
    for source in SOURCES:
        assert set(source.depends_on) <= set(names) - {source.name}, source.name
