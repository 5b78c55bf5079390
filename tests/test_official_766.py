"""The portal's published 766 scores (the optional `dvcqg_766` source) beside our own scorecard.

A simulated province is loaded and built; the simulator then publishes our own scorecard for June and July 2025 in
the portal's answer shape with three planted differences (an agency's rate 3 points higher on the portal, another
2 points lower, the province's 1.5 points higher) and one unit the catalogue does not know. After the feed is
loaded and the marts rebuilt, the comparison must find exactly those, each as a warning saying which side is higher
and by how much, and nothing else; our own figures must not move.
"""

from __future__ import annotations

import datetime as dt
import json

import psycopg
import pytest
from conftest import load_delivery, mart_tables, new_database

from expectations.runner import run_suite
from ingestion.ingest import ingest_folder
from ingestion.simulator.generate import SimulationSpec, generate
from ingestion.simulator.official_766 import Planted, write_official_scores
from warehouse.db import sqlalchemy_url
from warehouse.dbt import nightly_build

pytestmark = pytest.mark.slow

SPEC = SimulationSpec(cases_per_year=500, start=dt.date(2024, 12, 15), as_of=dt.datetime(2025, 8, 20, 6, 0))
PERIODS = ["cal-2025-06", "cal-2025-07"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory, server_url):
    root = tmp_path_factory.mktemp("official")
    patch = pytest.MonkeyPatch()
    patch.setenv("OUTPUT_DIR", str(root / "output"))
    generate(root / "landing", SPEC)
    url = new_database(server_url, "official_766")
    load_delivery(url, root / "landing", SPEC.as_of)
    assert nightly_build(url).success
    before = mart_tables(url, leave_out=frozenset({"kpi_766_official_comparison", "fct_load_batches"}))
    with psycopg.connect(url, autocommit=True) as conn:
        # the busiest agencies with room for the shift (a published rate stays within 0..1)
        first = conn.execute(
            "select agency_id from marts.kpi_766_scorecard where period_id = 'cal-2025-06' and indicator_id = '4.1'"
            " and rate <= 0.95 order by denominator desc, agency_id limit 1"
        ).fetchone()[0]
        second = conn.execute(
            "select agency_id from marts.kpi_766_scorecard where period_id = 'cal-2025-07' and indicator_id = '1.4'"
            " and rate >= 0.05 and agency_id <> %s order by denominator desc, agency_id limit 1",
            (first,),
        ).fetchone()[0]
        planted = [
            Planted(first, "cal-2025-06", "4.1", +0.03),
            Planted(second, "cal-2025-07", "1.4", -0.02),
            Planted(None, "cal-2025-07", "4.1", +0.015),
        ]
        files = write_official_scores(conn, root / "landing", PERIODS, planted)
        summary = ingest_folder(conn, "dvcqg_766", root / "landing")
    assert nightly_build(url).success
    patch.undo()
    return url, planted, files, summary, before


def test_the_published_scores_load_one_row_per_unit_period_and_metric(compared):
    url, _, files, summary, _ = compared
    published = sum(
        len(unit["metrics"])
        for path in files
        for unit in [json.loads(path.read_text())["response"]["data"]["overview"]]
        + json.loads(path.read_text())["response"]["data"]["evaluation"]
        if unit
    )
    assert summary.count("loaded") == len(files) == 6  # three groups with metric codes, June and July
    assert summary.rows_loaded == published and summary.rows_quarantined == 0


def test_exactly_the_planted_differences_are_found_with_their_side_and_size(compared):
    url, planted, _, _, _ = compared
    with psycopg.connect(url) as conn:
        found = conn.execute(
            "select agency_id, period_id, indicator_id, higher_side, round(rate_difference, 4)"
            " from marts.kpi_766_official_comparison where exceeds_tolerance order by 2, 3, 1"
        ).fetchall()
        statuses = dict(
            conn.execute(
                "select comparison_status, count(*) from marts.kpi_766_official_comparison group by 1"
            ).fetchall()
        )
        unknown = conn.execute(
            "select distinct unit_code from marts.kpi_766_official_comparison"
            " where comparison_status = 'unit_not_in_catalogue'"
        ).fetchall()
    expected = sorted(
        (
            (
                p.agency_id,
                p.period_id,
                p.indicator_id,
                "official" if p.rate_shift > 0 else "ours",
                round(p.rate_shift, 4),
            )
            for p in planted
        ),
        key=lambda r: (r[1], r[2], str(r[0])),
    )
    assert [(a, p, i, side, float(d)) for a, p, i, side, d in found] == [
        (a, p, i, side, d) for a, p, i, side, d in expected
    ]
    assert statuses["compared"] > 50 and unknown == [("000.99.99.H99",)]


def test_each_difference_is_a_warning_that_says_which_side_is_higher_and_by_how_much(compared):
    url, planted, _, _, _ = compared
    outcome = run_suite("mart_766_official", sqlalchemy_url(url))
    checks = {c.name: c for c in outcome.checks}
    assert outcome.blocking_failures == []  # warnings: a difference never blocks the publication
    differs = checks["official_766_agrees"]
    assert not differs.success and differs.severity == "warning"
    texts = sorted(key for f in differs.findings for key in f.example_keys)
    assert len(texts) == len(planted)
    province = next(t for t in texts if "tỉnh" in t)
    assert province.startswith("4.1 tỉnh: official higher by 1.50 percentage points"), province
    assert any(t.startswith(f"1.4 {planted[1].agency_id}: ours higher by 2.00 percentage points") for t in texts)
    assert not checks["official_units_known"].success


def test_our_own_figures_do_not_move(compared):
    url, _, _, _, before = compared
    after = mart_tables(url, leave_out=frozenset({"kpi_766_official_comparison", "fct_load_batches"}))
    assert after == before


def test_the_same_scores_pulled_from_the_portal_api_load_the_same_rows(compared, server_url, monkeypatch):
    from ingestion.api import ApiClient
    from ingestion.official_766 import completed_months, pull_official
    from ingestion.simulator.api import SourceApi

    url, _, files, _, _ = compared
    months = completed_months(dt.date(2025, 8, 20), 3)
    assert months == [(2025, 5), (2025, 6), (2025, 7)]
    pulled_url = new_database(server_url, "official_pulled")
    with SourceApi(files[0].parent.parent, now=SPEC.as_of, credential=("Authorization", "Bearer portal-t0ken")) as api:
        client = ApiClient(api.url, token="portal-t0ken", backoff_seconds=0.01)
        with psycopg.connect(pulled_url, autocommit=True) as conn:
            first = pull_official(conn, client, "sim-root", months)
            again = pull_official(conn, client, "sim-root", months)  # the next night: the same answers
    query = (
        "select departmentid, endpoint, year, month, code, numerator, denominator, ratio, score from"
        " raw.dvcqg_766_scores order by 1, 2, 3, 4, 5"
    )
    with psycopg.connect(url) as files_db, psycopg.connect(pulled_url) as api_db:
        assert api_db.execute(query).fetchall() == files_db.execute(query).fetchall()
        modes = api_db.execute("select distinct mode from audit.batches").fetchall()
    # May has nothing published: no batch; June and July, three answers each, loaded once
    assert first.count("loaded") == 6 and again.count("loaded") == 0 and again.count("skipped") == 6
    assert modes == [("api",)]


def test_bad_answers_are_rejected_or_quarantined_with_their_reason(db, tmp_path):
    folder = tmp_path / "dvcqg_766"
    folder.mkdir()
    request = {"endpoint": "dossier-digitized", "timeType": "month", "year": 2025, "month": 7}
    unit = {"departmentId": "u1", "departmentCode": "000.00.02.H99", "departmentType": "PROVINCIAL_DEPARTMENT"}
    good = {"code": "ORIGINAL_RESULT_AVAILABLE", "numerator": 3, "denominator": 4, "ratio": 75, "score": 4.5}
    answers = {
        "tree.json": {
            "request": {**request, "endpoint": "dvc-progress-tree"},
            "response": {"code": "OK", "data": {"parent": {}, "children": []}},
        },
        "not_ok.json": {"request": request, "response": {"code": "ERROR", "message": "rootDepartmentId không hợp lệ"}},
        "no_request.json": {"code": "OK", "data": {"evaluation": []}},
        "rows.json": {
            "request": request,
            "response": {
                "code": "OK",
                "data": {
                    "evaluation": [
                        {**unit, "metrics": [good, {**good, "code": "REUSED_DIGITIZED_DATA", "ratio": "bảy mươi"}, 7]},
                        {**unit, "departmentId": "u2", "metrics": {"code": "x"}},
                        {**unit, "departmentID": "u3", "Metrics": [{**good, "MaxScore": 6}]},  # spellings vary
                    ]
                },
            },
        },
    }
    for name, body in answers.items():
        (folder / name).write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    ingest_folder(db, "dvcqg_766", tmp_path)
    outcome = {
        location.rsplit("/", 1)[-1]: (status, message)
        for location, status, message in db.execute("select location, status, message from audit.batches")
    }
    assert outcome["tree.json"][0] == "rejected" and "parent/children carry raw parameters" in outcome["tree.json"][1]
    assert outcome["not_ok.json"] == ("rejected", "the portal answered code 'ERROR': rootDepartmentId không hợp lệ")
    assert (
        outcome["no_request.json"][0] == "rejected"
        and "without its request has no period" in outcome["no_request.json"][1]
    )
    assert outcome["rows.json"][0] == "loaded"
    quarantined = db.execute(
        "select cell, reason from raw.quarantine where cell is not null order by line_no"
    ).fetchall()
    assert quarantined == [
        ("data.evaluation[0].metrics[1]", "ratio: text in a numeric cell: 'bảy mươi'"),
        ("data.evaluation[0].metrics[2]", "data.evaluation[0].metrics[2]: expected an object"),
        ("data.evaluation[1]", "data.evaluation[1].metrics is not a list"),
    ]
    loaded = db.execute("select departmentid, code, ratio, maxscore from raw.dvcqg_766_scores order by 1").fetchall()
    assert loaded == [("u1", "ORIGINAL_RESULT_AVAILABLE", 75, None), ("u3", "ORIGINAL_RESULT_AVAILABLE", 75, 6)]


def test_the_simulator_writes_a_feed_with_planted_differences_from_the_command_line(compared, tmp_path):
    import os
    import subprocess
    import sys

    url = compared[0]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingestion.simulator",
            "official-766",
            "--landing",
            str(tmp_path),
            "--periods",
            "cal-2025-06",
            "--plant",
            "2",
        ],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "3 answers" in result.stdout and result.stdout.count("Planted(") == 2
    published = json.loads((tmp_path / "dvcqg_766" / "dossier-digitized_cal-2025-06.json").read_text())
    assert published["request"] == {
        "endpoint": "dossier-digitized",
        "year": 2025,
        "rootDepartmentId": "sim-root",
        "currentPage": 1,
        "timeType": "month",
        "month": 6,
    }


def test_an_official_pull_is_bounded_in_pages_and_in_time(compared, server_url, monkeypatch):
    import dataclasses
    import itertools

    from ingestion import official_766
    from ingestion.api import ApiClient
    from ingestion.limits import limits
    from ingestion.simulator.api import SourceApi

    files = compared[2]
    with (
        SourceApi(files[0].parent.parent, now=SPEC.as_of) as api,
        psycopg.connect(new_database(server_url, "official_bounds"), autocommit=True) as conn,
    ):
        ticks = itertools.count(0, 100)  # every look at the clock: 100 s later
        slow = ApiClient(api.url, bounds=dataclasses.replace(limits(), api_seconds=250), clock=lambda: next(ticks))
        timed = official_766.pull_official(conn, slow, "sim-root", [(2025, 6), (2025, 7)])
        monkeypatch.setattr(official_766, "PAGE_SIZE", 5)  # many pages per answer
        paged = official_766.pull_official(
            conn, ApiClient(api.url, bounds=dataclasses.replace(limits(), api_pages=3)), "sim-root", [(2025, 6)]
        )
    assert [b.status for b in timed.batches][-1] == "rejected"
    assert "still pulling after SOURCE_API_MAX_SECONDS (250 s)" in timed.batches[-1].message
    assert sum(b.status == "loaded" for b in timed.batches) == 2  # what came before the bound is kept
    rejected = [b for b in paged.batches if b.status == "rejected"]
    assert rejected and all("not a page count within SOURCE_API_MAX_PAGES" in b.message for b in rejected)
    assert not any(b.status == "loaded" for b in paged.batches)
