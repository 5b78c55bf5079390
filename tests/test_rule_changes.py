"""A change of rules reaches history (DOMAIN.md): when a seed changes - here the unconfirmed 24/11 holiday of 2026 is
flipped - the next night recomputes every period it affects, closed ones too, without a manual full refresh.

One case, received Friday 20/11/2026 at the desk for a 3-working-day procedure with no due date on record: with
24/11 a holiday its due date is Thursday 26/11, without it Wednesday 25/11. It is finished on 26/11: on time, or one
day late. Month 2026-T12 (15/11-14/12/2026) is closed: another case arrives on 16/12. After the flip, every mart and
intermediate table equals a full rebuild of the same data with the new seed."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from zoneinfo import ZoneInfo

import psycopg
import pytest
from conftest import mart_tables, new_database

from warehouse.config import DBT_PROJECT_DIR

pytestmark = pytest.mark.slow

AGENCIES = [["SO-TP", "Sở Tư pháp", "SO", "", "2019-01-01", "", ""]]
PROCEDURES = [["P3", "Cấp bản sao trích lục hộ tịch", "HT", "Hộ tịch", "3", "XA", "true"]]


def _case(code: str, received: str, updated: str, status: str, finished: str | None) -> dict:
    return {
        "MaHoSo": code,
        "MaTTHC": "P3",
        "MaDonVi": "SO-TP",
        "KenhNop": 1,
        "MucDoDVC": None,
        "NgayTiepNhan": received,
        "NgayHenTra": None,
        "NgayKetThuc": finished,
        "NgayTraKetQua": None,
        "TrangThai": status,
        "CoPhi": False,
        "ThanhToanTrucTuyen": False,
        "DaSoHoa": True,
        "KetQuaDienTu": False,
        "DongBoDVCQG": True,
        "CoThuXinLoi": False,
        "ChuHoSo": "Nguyễn Văn Thử",
        "SoGiayTo": "056000000002",
        "SoDienThoai": "0905000002",
        "DiaChi": "Nha Trang",
        "NgayCapNhat": updated,
    }


CASES = [
    _case("H1", "2026-11-20T09:00:00", "2026-11-26T10:00:00", "DA_XU_LY", "2026-11-26T10:00:00"),
    _case("H2", "2026-12-16T09:00:00", "2026-12-16T09:00:00", "DANG_XU_LY", None),
]


def _write_landing(root):
    motcua = root / "landing" / "motcua"
    motcua.mkdir(parents=True)
    for name, header, rows in (
        (
            "dm_donvi.csv",
            ["MaDonVi", "TenDonVi", "LoaiDonVi", "MaDonViCha", "HieuLucTu", "HieuLucDen", "MaDonViKeThua"],
            AGENCIES,
        ),
        (
            "dm_tthc.csv",
            ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "SoNgayGiaiQuyet", "CapThucHien", "CoTrucTuyenToanTrinh"],
            PROCEDURES,
        ),
    ):
        with open(motcua / name, "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])
    (motcua / "hoso_nov.jsonl").write_text("\n".join(json.dumps(c, ensure_ascii=False) for c in CASES) + "\n")
    return root / "landing"


def _flip_24_november_2026(project) -> None:
    seed = project / "seeds" / "ref_calendar_exceptions.csv"
    text = seed.read_text(encoding="utf-8")
    assert "2026-11-24,false,holiday," in text
    seed.write_text(text.replace("2026-11-24,false,holiday,", "2026-11-24,true,holiday,"), encoding="utf-8")


def test_flipping_a_holiday_recomputes_a_closed_period_on_the_next_night(server_url, tmp_path, monkeypatch):
    import warehouse.dbt
    from warehouse import nightly

    project = tmp_path / "dbt_project"  # the project as deployed, whose seed an operator edits
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    monkeypatch.setattr(warehouse.dbt, "DBT_PROJECT_DIR", project)
    url = new_database(server_url, "rule_changes")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LANDING_DIR", str(_write_landing(tmp_path)))
    monkeypatch.setenv("OUTPUT_DIR", str(tmp_path / "output"))
    monkeypatch.setenv("PII_HASH_KEY", "one-key-for-both-databases")  # hashes must compare equal
    # the night of 17/12/2026 delivers the data (its delivery moment is the data date: T12 is over)
    nightly.prepare("night-1", dt.datetime(2026, 12, 17, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    nightly.ingest("motcua", run_id="night-1")
    nightly.build_marts(run_id="night-1")

    def month_t12():
        with psycopg.connect(url) as conn:
            return conn.execute(
                "select is_period_open, resolved_on_time, resolved_late from marts.kpi_case_timeliness"
                " where period_id = '2026-T12' and agency_id = 'SO-TP'"
            ).fetchone()

    assert month_t12() == (False, 1, 0)  # due 26/11 with the holiday: finished that day, on time
    nightly.build_marts(run_id="night-2")  # a night with nothing new: the closed month is left as it is
    assert month_t12() == (False, 1, 0)

    _flip_24_november_2026(project)  # 24/11/2026 turns out not to be a day off
    nightly.ingest("motcua", run_id="night-3")  # no new file
    nightly.build_marts(run_id="night-3")
    assert month_t12() == (False, 0, 1)  # due 25/11 now: finished a day late
    with psycopg.connect(url) as conn:
        due = conn.execute("select judging_due_date::text from marts.fct_cases where case_id = 'H1'").fetchone()
    assert due == ("2026-11-25",)

    rebuilt = new_database(server_url, "rule_changes_full")
    monkeypatch.setenv("DATABASE_URL", rebuilt)
    nightly.prepare("night-1", dt.datetime(2026, 12, 17, 1, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    nightly.ingest("motcua", run_id="night-1")
    nightly.build_marts(run_id="night-1")
    schemas = ("marts", "intermediate")
    after_the_flip, full = mart_tables(url, schemas), mart_tables(rebuilt, schemas)
    assert after_the_flip.keys() == full.keys()
    assert [t for t in full if after_the_flip[t] != full[t]] == []
