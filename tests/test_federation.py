"""Two provinces' warehouses and a region over them (postgres_fdw), on three embedded servers.

Each province is simulated with its own seed, loaded and built on its own server with its own PROVINCE_CODE; each
lets the region in through a reader login (a member of `analyst`). The region attaches both and refreshes: its
province table must equal the union of the two provinces' (row for row, each with its province_code), and nothing
of raw or staging may be reachable from it, not even by a foreign table the region would define by hand.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import psycopg
import pytest
from conftest import load_delivery, throwaway_server

from ingestion.simulator.generate import SimulationSpec, generate
from warehouse import federation
from warehouse.dbt import nightly_build

pytestmark = pytest.mark.slow

PROVINCES = {"56": 20250701, "58": 4711}  # code -> simulator seed
SPEC = dict(cases_per_year=300, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
READER, PASSWORD = "region_reader", "r3gion-only-reads-marts"


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    root = tmp_path_factory.mktemp("federation")
    patch = pytest.MonkeyPatch()
    with (
        throwaway_server("fed-56-") as (_, first),
        throwaway_server("fed-58-") as (_, second),
        throwaway_server("fed-region-") as (_, third),
    ):
        urls = {}
        for (code, seed), state in zip(PROVINCES.items(), (first, second), strict=True):
            patch.setenv("PROVINCE_CODE", code)
            patch.setenv("OUTPUT_DIR", str(root / code / "output"))
            landing = root / code / "landing"
            generate(landing, SimulationSpec(seed=seed, **SPEC))
            url = state.url("postgres")
            load_delivery(url, landing, SPEC["as_of"])
            assert nightly_build(url).success
            with psycopg.connect(url, autocommit=True) as conn:
                federation.grant_region_reader(conn, READER, PASSWORD)
            urls[code] = url
        patch.undo()
        region_url = third.url("postgres")
        with psycopg.connect(region_url, autocommit=True) as conn:
            for code, state in zip(PROVINCES, (first, second), strict=True):
                reader = f"postgresql://{READER}:{PASSWORD}@127.0.0.1:{state.port}/postgres"
                federation.attach_province(conn, code, reader)
            refreshed = federation.refresh(conn)
        yield urls, region_url, refreshed


def _rows(url: str, query: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return sorted(conn.execute(query).fetchall(), key=repr)


def test_the_regional_province_table_is_the_union_of_the_provinces(region):
    urls, region_url, refreshed = region
    query = "select * from {} where scope = 'province'"
    union = sorted((row for url in urls.values() for row in _rows(url, query.format("marts.kpi_values"))), key=repr)
    regional = _rows(region_url, query.format("region.kpi_values"))
    assert regional == union and len(regional) > 100
    codes = _rows(region_url, "select province_code, count(*) from region.kpi_values group by 1")
    assert [c for c, _ in codes] == ["56", "58"]
    # the same agency codes in both simulated provinces: only the province key keeps their rows apart
    both = _rows(
        region_url, "select agency_id from region.dim_agency group by 1 having count(distinct province_code) = 2"
    )
    assert both
    everything = sum(len(_rows(url, "select 1 from marts.kpi_values")) for url in urls.values())
    assert refreshed.left_out == {} and refreshed.tables["kpi_values"] == everything


def test_nothing_of_raw_or_staging_is_reachable_from_the_region(region):
    _, region_url, _ = region
    with psycopg.connect(region_url, autocommit=True) as conn:
        imported = conn.execute(
            "select distinct foreign_table_schema from information_schema.foreign_tables"
        ).fetchall()
        options = conn.execute(
            "select distinct option_value from information_schema.foreign_table_options"
            " where option_name = 'schema_name'"
        ).fetchall()
        assert sorted(imported) == [("province_56",), ("province_58",)] and options == [("marts",)]
        # a foreign table the region defines by hand onto raw or staging: the province refuses the reader
        for schema, table in (("raw", "motcua_cases"), ("staging", "stg_motcua__cases"), ("audit", "batches")):
            conn.execute(
                f"create foreign table public.probe_{schema} (x text) server warehouse_56"
                f" options (schema_name '{schema}', table_name '{table}')"
            )
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"select count(*) from public.probe_{schema}")


def test_a_refresh_brings_a_provinces_new_night_and_the_command_line_does_it(region, tmp_path):
    urls, region_url, _ = region
    with psycopg.connect(urls["58"], autocommit=True) as conn:  # the province's next night changed a figure
        conn.execute("update marts.kpi_values set numerator = numerator + 1 where scope = 'province'")
    env = {"DATABASE_URL": region_url, "PATH": "/usr/bin:/bin", "OUTPUT_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "warehouse", "region", "refresh"], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "region.kpi_values:" in result.stdout
    query = "select * from {} where scope = 'province' and province_code = '58'"
    assert _rows(region_url, query.format("region.kpi_values")) == _rows(urls["58"], query.format("marts.kpi_values"))
