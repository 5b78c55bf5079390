"""The national portal's sync shape (the dvcqg dialect of motcua): the same province in either shape gives the
same marts, and what the portal shape brings is recorded where it belongs.

The simulator writes one province twice, with the same seed: once in the contract's shape (hoso/sukien files),
once as the portal sends it (DongBoHoSoMC envelopes with portal field names, status codes 1-10, 14-digit and
dd/MM/yyyy timestamps, fee, result and supplement lists, agencies by electronic identifier; CapNhatTienDoHoSoMC
progress updates). Each is loaded and built in its own database; every mart must be equal.
"""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from conftest import check_bad_input, load_delivery, mart_tables, new_database

from ingestion.ingest import ingest_folder
from ingestion.simulator.bad_inputs import write_portal_bad_inputs
from ingestion.simulator.generate import SimulationSpec, generate
from warehouse.dbt import nightly_build

pytestmark = pytest.mark.slow

SPEC = SimulationSpec(cases_per_year=600, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
# the ledger differs by construction (other files, child batches for the supplement lists), and so batch numbers
LEDGER, BATCH_NUMBERS = frozenset({"fct_load_batches"}), frozenset({"batch_id", "submission_id"})


@pytest.fixture(scope="module")
def both(tmp_path_factory, server_url):
    root = tmp_path_factory.mktemp("dialects")
    patch = pytest.MonkeyPatch()
    patch.setenv("OUTPUT_DIR", str(root / "output"))
    patch.setenv("PII_HASH_KEY", "one-key-for-both")  # the applicant's hashed ID must compare equal
    urls = {}
    for dialect in ("standard", "dvcqg"):
        landing = root / dialect
        generate(landing, SimulationSpec(**{**SPEC.__dict__, "dialect": dialect}))
        patch.setenv("MOTCUA_DIALECT", dialect)
        urls[dialect] = new_database(server_url, f"dialect_{dialect}")
        load_delivery(urls[dialect], landing, SPEC.as_of)
        outcome = nightly_build(urls[dialect])
        assert outcome.success, "\n".join(outcome.failures)
    patch.undo()
    return urls


def test_the_same_cases_in_either_shape_give_the_same_marts(both):
    standard, portal = (mart_tables(both[d], leave_out=LEDGER, ignore=BATCH_NUMBERS) for d in ("standard", "dvcqg"))
    assert standard.keys() == portal.keys()
    assert len(standard["fct_cases"]) > 300
    differing = {t: (len(standard[t]), len(portal[t])) for t in standard if standard[t] != portal[t]}
    assert differing == {}, f"marts that differ between the two shapes: {differing}"


def test_a_portal_batch_records_its_shape_its_timestamp_forms_and_the_supplements_it_carried(both):
    with psycopg.connect(both["dvcqg"]) as conn:
        cases = conn.execute(
            "select dialect, timestamp_forms, province_code, message from audit.batches"
            " where entity = 'motcua_cases' and status = 'loaded' order by batch_id"
        ).fetchall()
        children = conn.execute(
            "select count(*), sum(child.rows_loaded) from audit.batches as child"
            " join audit.batches as parent on parent.batch_id = child.parent_batch_id"
            " where child.entity = 'motcua_events' and parent.entity = 'motcua_cases'"
        ).fetchone()
        supplements = conn.execute(
            "select count(distinct (mahoso, thoidiem)) from raw.motcua_events where loaisukien = 'NHAN_BO_SUNG'"
        ).fetchone()[0]
        raw_only = conn.execute(
            "select count(*) filter (where email is not null), count(*) filter (where trichyeuhoso is not null),"
            " count(*) filter (where sogiayto is not null) from raw.motcua_cases"
        ).fetchone()
    with psycopg.connect(both["standard"]) as conn:
        standard_supplements = conn.execute(
            "select count(*) from raw.motcua_events where loaisukien = 'NHAN_BO_SUNG'"
        ).fetchone()[0]
    assert {row[0] for row in cases} == {"dvcqg"} and {row[2] for row in cases} == {"56"}
    forms = [row[1] for row in cases]
    # the simulator writes about one timestamp in ten as dd/MM/yyyy HH:mm:ss, the rest as yyyyMMddHHmmss
    assert all(set(f) <= {"yyyyMMddHHmmss", "dd/MM/yyyy HH:mm:ss"} for f in forms)
    total = sum(sum(f.values()) for f in forms)
    assert 0.05 < sum(f.get("dd/MM/yyyy HH:mm:ss", 0) for f in forms) / total < 0.15
    assert all(row[3].startswith("dialect dvcqg; timestamps: yyyyMMddHHmmss") for row in cases)
    # every supplement's return (only the case's list carries it) arrived, as a child batch of its case file
    assert children[0] > 0 and supplements == standard_supplements > 0
    assert all(n > 0 for n in raw_only)  # the portal's personal data is in raw (and only there: test_personal_data)


SMALL = SimulationSpec(cases_per_year=150, start=dt.date(2025, 5, 15), as_of=dt.datetime(2025, 8, 20, 6, 0))


@pytest.fixture(scope="module")
def bad_portal_delivery(tmp_path_factory, server_url):
    landing = tmp_path_factory.mktemp("portal_bad")
    generate(landing, SimulationSpec(**{**SMALL.__dict__, "dialect": "dvcqg"}))
    with open(landing / "motcua" / "dm_donvi.csv", encoding="utf-8") as handle:
        identifier = next(line.split(",")[-1].strip() for line in handle if line.startswith("SO-TP,"))
    expected = write_portal_bad_inputs(landing, identifier)
    patch = pytest.MonkeyPatch()
    patch.setenv("MOTCUA_DIALECT", "dvcqg")
    with psycopg.connect(new_database(server_url, "portal_bad"), autocommit=True) as conn:
        summaries = {source: ingest_folder(conn, source, landing) for source in ("motcua", "pakn", "baocao")}
        yield conn, expected, summaries
    patch.undo()


BAD_PORTAL_FILES = [
    "DongBoHoSoMC_bad_rows.json",  # unknown status, no such timestamp form, disagreeing dialects, unknown agency, ...
    "DongBoHoSoMC_data_not_a_list.json",
    "DongBoHoSoMC_wrong_service.json",
    "hoso_contract_shape.jsonl",  # the other dialect: set MOTCUA_DIALECT
    "hoso_portal.csv",
    "CapNhatTienDoHoSoMC_bad_rows.jsonl",  # a code that is no event, a code and an event that disagree
]


@pytest.mark.parametrize("name", BAD_PORTAL_FILES)
def test_each_bad_input_in_the_portal_shape_is_rejected_or_quarantined_with_its_reason(bad_portal_delivery, name):
    db, expected, _ = bad_portal_delivery
    check_bad_input(db, next(e for e in expected if e.path.name == name))


def test_the_good_portal_records_next_to_bad_ones_load_and_the_rest_of_the_delivery_too(bad_portal_delivery):
    db, _, summaries = bad_portal_delivery
    good = db.execute(
        "select mahoso, madonvi, kenhnop, trangthaihoso, sogiayto, ngaytiepnhan = '2025-08-04 09:00+07'"
        " from raw.motcua_cases where mahoso like 'BADP-%' order by 1"
    ).fetchall()
    # the agency resolved from its electronic identifier, the portal's channel and ID number under contract names
    assert good == [
        ("BADP-01", "SO-TP", 2, 4, "056123456789", True),
        ("BADP-10", "SO-TP", 2, 3, "056123456789", True),
    ]
    apology = db.execute(
        "select loaisukien, madonvi, ngayhentramoi from raw.motcua_events where mahoso = 'BADP-01' order by thoidiem"
    ).fetchall()
    assert [a[0] for a in apology] == ["CHUYEN_XU_LY", "XIN_LOI"] and apology[1][1] == "SO-TP"
    assert apology[0][2] is None and apology[1][2] == dt.datetime(2025, 8, 8, 10, 0, tzinfo=dt.UTC)
    failed = {s: summary.count("failed") for s, summary in summaries.items()}
    assert failed == {"motcua": 0, "pakn": 0, "baocao": 0}
    assert summaries["motcua"].count("loaded") > 5


def test_every_mart_row_and_every_batch_carries_the_province_key(both):
    with psycopg.connect(both["dvcqg"]) as conn:
        relations = [
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.tables where table_schema = 'marts' order by 1"
            )
        ]
        keyed = {
            r[0]
            for r in conn.execute(
                "select table_name from information_schema.columns where table_schema = 'marts'"
                " and column_name = 'province_code'"
            )
        }
        values = {
            value
            for table in relations
            for (value,) in conn.execute(f'select distinct province_code from marts."{table}"')  # noqa: S608
        }
        batches = conn.execute("select array_agg(distinct province_code) from audit.batches").fetchone()[0]
        province = conn.execute("select province_code, province_name from marts.dim_province").fetchall()
    assert len(relations) > 30 and set(relations) == keyed  # every table and view of the marts
    assert values == {"56"} and batches == ["56"]
    assert province == [("56", "Khánh Hòa")]


def test_the_portal_shapes_personal_data_stays_in_raw(both):
    from test_personal_data import _pii_values, _scan_columns

    with psycopg.connect(both["dvcqg"]) as conn:
        pii = _pii_values(conn)
        origins = {origin for origin in pii.values()}
        # the scan has the portal's own personal fields to look for: e-mail, summary, ID number, officers' names
        assert {"raw.motcua_cases.email", "raw.motcua_cases.trichyeuhoso", "raw.motcua_cases.sogiayto"} <= origins
        assert "raw.motcua_events.nguoixuly" in origins
        assert not _scan_columns(conn, ("staging", "intermediate", "marts"), pii)
