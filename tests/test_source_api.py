"""Pulling the sources over HTTP: pages, watermarks, changed records on later nights, retries and failures."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from conftest import new_database, secrets_found

from ingestion.api import LOCAL, ApiClient, SourceUnavailable, pull_source, watermark
from ingestion.limits import Limits, limits
from ingestion.simulator.api import Faults, SourceApi
from ingestion.simulator.generate import SimulationSpec, generate

SPEC = SimulationSpec(cases_per_year=200, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 7, 20, 6, 0))
NIGHT_1 = dt.datetime(2025, 7, 10, 1, 0)
NIGHT_2 = dt.datetime(2025, 7, 20, 1, 0)


@pytest.fixture(scope="module")
def landing(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api-landing")
    generate(folder, SPEC)
    return folder


def client(api: SourceApi, **kwargs) -> ApiClient:
    return ApiClient(api.url, page_size=kwargs.pop("page_size", 37), backoff_seconds=0.01, **kwargs)


def latest_versions(landing, until: dt.datetime) -> dict[str, str]:
    """Expected by hand from the files: each case's newest NgayCapNhat up to `until` (local time)."""
    out: dict[str, str] = {}
    for path in (landing / "motcua").glob("hoso*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            stamp = record["NgayCapNhat"].removesuffix("+07:00")
            if dt.datetime.fromisoformat(stamp) <= until and stamp > out.get(record["MaHoSo"], ""):
                out[record["MaHoSo"]] = stamp
    return out


def test_a_pull_walks_every_page_and_sets_the_watermark(db, landing):
    expected = latest_versions(landing, NIGHT_1)
    with SourceApi(landing, now=NIGHT_1) as api:
        summary = pull_source(db, "motcua", client(api))
    assert summary.count("loaded") == 4  # agencies, procedures, cases, events
    loaded = db.execute("select count(*), count(distinct mahoso) from raw.motcua_cases").fetchone()
    assert loaded == (len(expected), len(expected))  # 37 per page: many pages, nothing lost or doubled
    mark = watermark(db, "motcua", "motcua/hoso")
    assert mark == max(dt.datetime.fromisoformat(v + "+07:00") for v in expected.values())


def test_a_later_night_pulls_only_the_records_that_changed(db, landing):
    first, second = latest_versions(landing, NIGHT_1), latest_versions(landing, NIGHT_2)
    changed = {k for k, v in second.items() if first.get(k) != v}
    assert changed, "the data set must have changes between the two nights"
    with SourceApi(landing, now=NIGHT_1) as api:
        pull_source(db, "motcua", client(api))
    before = db.execute("select max(batch_id) from audit.batches").fetchone()[0]
    with SourceApi(landing, now=NIGHT_2) as api:
        summary = pull_source(db, "motcua", client(api))
    new_rows = db.execute("select mahoso from raw.motcua_cases where _batch_id > %s", (before,)).fetchall()
    assert sorted(r[0] for r in new_rows) == sorted(changed)
    catalogue = [b for b in summary.batches if b.entity == "motcua_agencies"][0]
    assert catalogue.status == "skipped"  # the same catalogue is not loaded twice
    with SourceApi(landing, now=NIGHT_2) as api:  # the same night again: nothing new
        again = pull_source(db, "motcua", client(api))
    assert again.rows_loaded == 0


def test_server_errors_are_retried_with_backoff(db, landing):
    waits: list[float] = []
    with SourceApi(landing, now=NIGHT_1, faults=Faults(fail_first=3)) as api:
        api_client = ApiClient(api.url, page_size=500, backoff_seconds=0.5, sleep=waits.append)
        summary = pull_source(db, "pakn", api_client)
    assert waits == [0.5, 1.0, 2.0]
    assert summary.count("loaded") == 1


def test_when_the_api_stays_down_the_task_fails_clearly_and_the_watermark_stays(db, landing):
    with SourceApi(landing, now=NIGHT_1) as api:
        pull_source(db, "pakn", client(api))
    mark = watermark(db, "pakn", "pakn")
    rows = db.execute("select count(*) from raw.pakn_feedback").fetchone()[0]
    with SourceApi(landing, now=NIGHT_2, faults=Faults(fail_first=100)) as api:
        with pytest.raises(SourceUnavailable, match=r"failed after 3 attempts \(last: HTTP 500\)"):
            pull_source(db, "pakn", client(api, attempts=3))
    assert watermark(db, "pakn", "pakn") == mark
    assert db.execute("select count(*) from raw.pakn_feedback").fetchone()[0] == rows


def test_a_timeout_counts_as_a_failed_attempt(db, landing):
    with SourceApi(landing, now=NIGHT_1, faults=Faults(delay_seconds=0.5)) as api:
        with pytest.raises(SourceUnavailable, match="TimeoutError|timed out"):
            pull_source(db, "pakn", client(api, attempts=2, timeout_seconds=0.1))
    assert watermark(db, "pakn", "pakn") is None


def test_reports_come_through_the_api_like_files(db, landing):
    with SourceApi(landing, now=NIGHT_2) as api:
        pull_source(db, "motcua", client(api))
        summary = pull_source(db, "baocao", client(api))
    workbooks = len(list((landing / "baocao").rglob("*.xlsx")))
    assert summary.count("loaded") == workbooks + 1
    assert db.execute("select count(distinct _batch_id) from raw.baocao_values").fetchone()[0] == workbooks


def test_the_nightly_ingest_step_switches_to_the_api_by_configuration_alone(fresh_db, landing, monkeypatch):
    from warehouse.nightly import ingest, prepare

    with SourceApi(landing, now=NIGHT_1) as api:
        monkeypatch.setenv("DATABASE_URL", fresh_db)
        monkeypatch.setenv("SOURCE_API_URL", api.url)
        monkeypatch.setenv("LANDING_DIR", "/nonexistent")
        prepare("api-night")  # the DAG's first task: schemas and roles
        result = ingest("pakn", run_id="api-night")
    assert result["batches_loaded"] == 1 and result["rows_loaded"] > 0
    import psycopg

    with psycopg.connect(fresh_db) as conn:
        modes = conn.execute("select distinct mode, run_id from audit.batches").fetchall()
    assert modes == [("api", "api-night")]


# -- answers beyond the bounds (ingestion/limits.py): the pull is rejected with the page seen, nothing else is lost


def _bounded(**changes) -> Limits:
    return dataclasses.replace(limits(), **changes)


def _rejected_pull(db, landing, faults: Faults, resource_entity: str, **client_kwargs):
    with SourceApi(landing, now=NIGHT_1, faults=faults) as api:
        summary = pull_source(db, "motcua", client(api, **client_kwargs))
    by_entity = {b.entity: b for b in summary.batches}
    rejected = by_entity.pop(resource_entity)
    assert rejected.status == "rejected" and rejected.rows_loaded == 0
    stored = db.execute(
        "select status, mode, message from audit.batches where batch_id = %s", (rejected.batch_id,)
    ).fetchone()
    assert stored[:2] == ("rejected", "api") and stored[2] == rejected.message
    return rejected.message, by_entity


def test_a_pages_count_that_keeps_moving_is_rejected_at_the_page_that_moved_it(db, landing):
    message, others = _rejected_pull(
        db, landing, Faults(endless_pages=True, resource="motcua/hoso"), "motcua_cases", page_size=5000
    )
    assert message == "motcua/hoso page 2: the answer now says 3 pages, the first said 2"
    assert db.execute("select count(*) from raw.motcua_cases").fetchone()[0] == 0  # the pull loads nothing
    assert watermark(db, "motcua", "motcua/hoso") is None
    assert others["motcua_agencies"].status == "loaded"  # the source's other resources still load


def test_more_pages_than_the_bound_are_rejected_before_walking_them(db, landing):
    message, _ = _rejected_pull(db, landing, Faults(announce_pages=10_001), "motcua_agencies", page_size=5000)
    assert message == "motcua/dm_donvi page 1: 10,001 pages announced, more than SOURCE_API_MAX_PAGES (10,000)"


def test_an_answer_longer_than_the_bound_is_rejected_unread(db, landing):
    bounds = _bounded(api_page_bytes=200_000)
    with SourceApi(landing, now=NIGHT_1, faults=Faults(pad_bytes=300_000)) as api:
        summary = pull_source(db, "pakn", client(api, bounds=bounds))
    (batch,) = summary.batches
    assert batch.status == "rejected"
    assert batch.message.endswith("the answer is longer than SOURCE_API_MAX_PAGE_BYTES (200,000 bytes)")
    assert watermark(db, "pakn", "pakn") is None


def test_a_pull_still_running_after_the_time_bound_is_rejected(db, landing):
    ticks = iter(range(0, 10**6, 1000))  # a clock that advances 1000 s at every look
    bounds = _bounded(api_seconds=3600)
    with SourceApi(landing, now=NIGHT_1) as api:
        summary = pull_source(db, "pakn", client(api, page_size=1, bounds=bounds, clock=lambda: next(ticks)))
    (batch,) = summary.batches
    assert batch.status == "rejected"
    assert batch.message == "pakn: still pulling after SOURCE_API_MAX_SECONDS (3600 s), at page 4 of 4"
    assert db.execute("select count(*) from raw.pakn_feedback").fetchone()[0] == 0


def test_an_unreadable_report_attachment_costs_that_report_only(db, landing):
    with SourceApi(landing, now=NIGHT_2) as api:
        stamp = NIGHT_1.isoformat(timespec="seconds")
        api.data.reports.insert(0, {"TenTep": "hong.xlsx", "NgayNop": stamp, "NgayCapNhat": stamp, "TepBase64": "%%"})
        pull_source(db, "motcua", client(api))
        summary = pull_source(db, "baocao", client(api))
    workbooks = len(list((landing / "baocao").rglob("*.xlsx")))
    assert summary.count("loaded") == workbooks + 1  # every other report, and the indicator catalogue
    (bad,) = [b for b in summary.batches if b.status == "rejected"]
    assert bad.location.endswith("/baocao#hong.xlsx") and bad.message.startswith("TepBase64: ")


def test_a_report_without_its_filing_time_is_rejected_not_stamped_with_the_pull(db, landing):
    with SourceApi(landing, now=NIGHT_2) as api:
        good = next(r for r in api.data.reports if r["TenTep"].endswith("_PCTN.xlsx"))
        api.data.reports.insert(0, {**good, "TenTep": "khong_ngay.xlsx", "NgayNop": None})
        pull_source(db, "motcua", client(api))
        summary = pull_source(db, "baocao", client(api))
    (bad,) = [b for b in summary.batches if b.status == "rejected"]
    assert bad.location.endswith("/baocao#khong_ngay.xlsx")
    assert bad.message == "NgayNop: None is not a timestamp: the filing time is unknown"
    # the others keep the reporting system's receipt time: the register's 15:00, not the moment of the pull
    filed = db.execute("select distinct ngaynop from raw.baocao_values").fetchall()
    assert filed and all(row[0].astimezone(LOCAL).time() == dt.time(15, 0) for row in filed)


# -- delivery security (docs/sources.md §6) ------------------------------------------------------------------------
TOKEN = "kh-7Qz9-s3cr3t-t0ken"


def _night_through_the_api(url, api, monkeypatch, output, **env):
    from warehouse.nightly import ingest, prepare

    for name, value in {"DATABASE_URL": url, "SOURCE_API_URL": api.url, "OUTPUT_DIR": str(output), **env}.items():
        monkeypatch.setenv(name, value)
    prepare("secure-night")
    return ingest("motcua", run_id="secure-night")


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
def test_a_token_is_sent_in_its_header_and_is_never_logged_stored_or_written(
    fresh_db, landing, monkeypatch, caplog, tmp_path, header
):
    import logging

    import psycopg

    value = f"Bearer {TOKEN}" if header == "Authorization" else TOKEN
    named = {} if header == "Authorization" else {"SOURCE_API_KEY_HEADER": header}
    caplog.set_level(logging.DEBUG)
    with SourceApi(landing, now=NIGHT_1, credential=(header, value)) as api:
        with pytest.raises(SourceUnavailable, match="refused the credential .none sent: set SOURCE_API_TOKEN"):
            _night_through_the_api(fresh_db, api, monkeypatch, tmp_path, **named)
        monkeypatch.setenv("SOURCE_API_TOKEN", "a-wrong-token")
        with pytest.raises(SourceUnavailable, match="check SOURCE_API_TOKEN") as wrong:
            _night_through_the_api(fresh_db, api, monkeypatch, tmp_path, **named)
        monkeypatch.setenv("SOURCE_API_TOKEN", TOKEN)
        result = _night_through_the_api(fresh_db, api, monkeypatch, tmp_path, **named)
    assert result["batches_loaded"] == 4 and result["rows_loaded"] > 0
    assert "a-wrong-token" not in str(wrong.value)
    with psycopg.connect(fresh_db) as conn:
        stored = [
            str(row)
            for table in ("audit.batches", "audit.watermarks", "raw.quarantine", "audit.nightly_runs")
            for row in conn.execute(f"select * from {table}")
        ]
    assert any("secure-night" in row for row in stored)  # the scan reads the ledger the night wrote
    assert not secrets_found([TOKEN], [caplog.text, *stored], [tmp_path])


def test_plain_http_to_another_machine_and_a_credential_in_the_address_are_refused_with_advice(fresh_db, monkeypatch):
    from ingestion.api import InsecureSource
    from warehouse.nightly import ingest

    with pytest.raises(InsecureSource, match="plain http:// to dvc.khanhhoa.gov.vn.*SOURCE_API_ALLOW_HTTP=1"):
        ApiClient("http://dvc.khanhhoa.gov.vn/api")
    for address in ("https://etl:pa55@dvc.khanhhoa.gov.vn/api", "https://dvc.khanhhoa.gov.vn/api?access_token=x"):
        with pytest.raises(InsecureSource, match="carries a credential.*put it in SOURCE_API_TOKEN"):
            ApiClient(address)
    assert ApiClient("http://dvc.khanhhoa.gov.vn/api", allow_http=True).base_url == "http://dvc.khanhhoa.gov.vn/api"
    assert ApiClient("http://127.0.0.1:8765/").base_url == "http://127.0.0.1:8765"
    assert ApiClient("https://dvc.khanhhoa.gov.vn/api/").base_url == "https://dvc.khanhhoa.gov.vn/api"
    # the night's ingest refuses before any request or any ledger row
    monkeypatch.setenv("DATABASE_URL", fresh_db)
    monkeypatch.setenv("SOURCE_API_URL", "http://10.0.0.9/api")
    with pytest.raises(InsecureSource):
        ingest("motcua", run_id="insecure")
    monkeypatch.setenv("SOURCE_API_ALLOW_HTTP", "1")
    with pytest.raises(SourceUnavailable):  # allowed now, and tried: nothing answers there (one quick attempt)
        ApiClient.from_environment("http://127.0.0.1:9", attempts=1, backoff_seconds=0).get("motcua/hoso", {})


def test_the_portal_shape_comes_through_the_api_as_through_files(db, server_url, tmp_path, monkeypatch):
    import psycopg

    from ingestion.ingest import ingest_folder

    portal = tmp_path / "portal"
    generate(portal, dataclasses.replace(SPEC, dialect="dvcqg"))
    monkeypatch.setenv("MOTCUA_DIALECT", "dvcqg")
    with SourceApi(portal, now=SPEC.as_of) as api:
        pulled = pull_source(db, "motcua", client(api))
    with psycopg.connect(new_database(server_url, "portal_files"), autocommit=True) as files:
        ingest_folder(files, "motcua", portal)
        from_files = [
            files.execute(query).fetchall()
            for query in (
                "select distinct on (mahoso) mahoso, ngaycapnhat, trangthaihoso, madonvi from raw.motcua_cases"
                " order by mahoso, ngaycapnhat desc",
                "select distinct mahoso, thoidiem, loaisukien from raw.motcua_events order by 1, 2, 3",
            )
        ]
    assert pulled.count("loaded") == 4 and pulled.rows_quarantined == 0
    from_api = [
        db.execute(query).fetchall()
        for query in (
            "select mahoso, ngaycapnhat, trangthaihoso, madonvi from raw.motcua_cases order by mahoso",
            "select distinct mahoso, thoidiem, loaisukien from raw.motcua_events order by 1, 2, 3",
        )
    ]
    assert from_api == from_files and len(from_api[1]) > len(from_api[0]) > 100
    # the watermark moved to the newest NgayCapNhat, read from the portal's 14-digit and dd/MM/yyyy forms
    assert watermark(db, "motcua", "motcua/hoso") == max(row[1] for row in from_api[0])
    forms = db.execute("select timestamp_forms from audit.batches where entity = 'motcua_cases'").fetchone()[0]
    assert set(forms) == {"yyyyMMddHHmmss", "dd/MM/yyyy HH:mm:ss"}
