"""Agencies' periodic Excel reports (baocao) in the contract's template, some late, some missing."""

from __future__ import annotations

import csv
import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from warehouse.config import DBT_PROJECT_DIR

REQUIREMENTS_SEED = DBT_PROJECT_DIR / "seeds" / "ref_report_requirements.csv"

# MaChiTieu, LoaiBaoCao, TenChiTieu, DonViTinh, KieuGiaTri
INDICATORS = [
    ("PCTN01", "PCTN", "Số người phải kê khai tài sản, thu nhập trong kỳ", "Người", "SO_NGUYEN"),
    ("PCTN02", "PCTN", "Số người đã kê khai tài sản, thu nhập trong kỳ", "Người", "SO_NGUYEN"),
    ("PCTN03", "PCTN", "Số người thuộc diện chuyển đổi vị trí công tác theo kế hoạch", "Người", "SO_NGUYEN"),
    ("PCTN04", "PCTN", "Số người đã chuyển đổi vị trí công tác", "Người", "SO_NGUYEN"),
    ("PCTN05", "PCTN", "Số cuộc kiểm tra nội bộ về phòng, chống tham nhũng", "Cuộc", "SO_NGUYEN"),
    ("PCTN06", "PCTN", "Số vụ việc tham nhũng được phát hiện", "Vụ", "SO_NGUYEN"),
    ("PCTN07", "PCTN", "Số người có hành vi tham nhũng bị phát hiện", "Người", "SO_NGUYEN"),
    ("TCD01", "TCD_KNTC", "Số lượt tiếp công dân", "Lượt", "SO_NGUYEN"),
    ("TCD02", "TCD_KNTC", "Số người được tiếp", "Người", "SO_NGUYEN"),
    ("TCD03", "TCD_KNTC", "Số đoàn đông người được tiếp", "Đoàn", "SO_NGUYEN"),
    ("KN01", "TCD_KNTC", "Số đơn khiếu nại đã tiếp nhận", "Đơn", "SO_NGUYEN"),
    ("KN02", "TCD_KNTC", "Số vụ khiếu nại thuộc thẩm quyền", "Vụ", "SO_NGUYEN"),
    ("KN03", "TCD_KNTC", "Số vụ khiếu nại đã giải quyết", "Vụ", "SO_NGUYEN"),
    ("TC01", "TCD_KNTC", "Số đơn tố cáo đã tiếp nhận", "Đơn", "SO_NGUYEN"),
    ("TC02", "TCD_KNTC", "Số vụ tố cáo thuộc thẩm quyền", "Vụ", "SO_NGUYEN"),
    ("TC03", "TCD_KNTC", "Số vụ tố cáo đã giải quyết", "Vụ", "SO_NGUYEN"),
    ("CCHC01", "CCHC", "Số nhiệm vụ cải cách hành chính được giao trong kế hoạch", "Nhiệm vụ", "SO_NGUYEN"),
    ("CCHC02", "CCHC", "Số nhiệm vụ cải cách hành chính đã hoàn thành", "Nhiệm vụ", "SO_NGUYEN"),
    ("CCHC03", "CCHC", "Số cuộc kiểm tra công tác cải cách hành chính", "Cuộc", "SO_NGUYEN"),
    ("CCHC04", "CCHC", "Tỷ lệ văn bản đi được ký số", "%", "SO_THUC"),
]
HEADER_LABELS = ["Mã đơn vị", "Loại báo cáo", "Kỳ báo cáo", "Ngày lập"]
TABLE_HEADER_ROW = 8
TABLE_COLUMNS = ["MaChiTieu", "TenChiTieu", "DonViTinh", "GiaTri", "GhiChu"]


@dataclass(frozen=True)
class Requirement:
    report_type: str
    agency_kind: str
    period_kind: str
    deadline_days: int
    deadline_unit: str  # working_days | calendar_days
    valid_from: dt.date
    valid_to: dt.date | None


def load_requirements(path: Path = REQUIREMENTS_SEED) -> list[Requirement]:
    with open(path, encoding="utf-8") as handle:
        return [
            Requirement(
                r["report_type"],
                r["agency_kind"],
                r["period_kind"],
                int(r["deadline_days"]),
                r["deadline_unit"],
                dt.date.fromisoformat(r["valid_from"]),
                dt.date.fromisoformat(r["valid_to"]) if r["valid_to"] else None,
            )
            for r in csv.DictReader(handle)
        ]


def values_for(rng: random.Random, report_type: str, big: bool) -> list[tuple[str, str, str, float | int]]:
    scale = 4 if big else 1
    out: dict[str, float | int] = {}
    if report_type == "PCTN":
        due = rng.randint(5, 40) * scale
        planned = rng.randint(0, 6) * scale
        out = {
            "PCTN01": due,
            "PCTN02": due - (rng.random() < 0.15) * rng.randint(1, 3),
            "PCTN03": planned,
            "PCTN04": max(0, planned - rng.randint(0, 2)),
            "PCTN05": rng.randint(0, 3),
            "PCTN06": int(rng.random() < 0.05),
            "PCTN07": 0,
        }
        out["PCTN07"] = out["PCTN06"] * rng.randint(1, 2)
    elif report_type == "TCD_KNTC":
        visits = rng.randint(2, 60) * scale
        complaints, denunciations = rng.randint(0, 12) * scale, rng.randint(0, 4) * scale
        kn_own, tc_own = rng.randint(0, complaints), rng.randint(0, denunciations)
        out = {
            "TCD01": visits,
            "TCD02": visits + rng.randint(0, visits),
            "TCD03": rng.randint(0, 2),
            "KN01": complaints,
            "KN02": kn_own,
            "KN03": rng.randint(0, kn_own),
            "TC01": denunciations,
            "TC02": tc_own,
            "TC03": rng.randint(0, tc_own),
        }
    else:
        tasks = rng.randint(8, 30)
        out = {
            "CCHC01": tasks,
            "CCHC02": tasks - rng.randint(0, 4),
            "CCHC03": rng.randint(0, 4),
            "CCHC04": round(rng.uniform(85, 100), 1),
        }
    return indicator_rows(out)


def indicator_rows(values: dict[str, float | int]) -> list[tuple[str, str, str, float | int]]:
    """A workbook's table rows for `values` by indicator code: code, name and unit from INDICATORS, value."""
    names = {code: (name, unit) for code, _, name, unit, _ in INDICATORS}
    return [(code, *names[code], value) for code, value in values.items()]


def write_indicator_catalogue(baocao: Path) -> None:
    """dm_chitieu.csv: the indicators the workbooks carry."""
    with open(baocao / "dm_chitieu.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["MaChiTieu", "LoaiBaoCao", "TenChiTieu", "DonViTinh", "KieuGiaTri"])
        writer.writerows(INDICATORS)


def write_register(baocao: Path, entries: list[tuple[str, str, str, str, str]]) -> None:
    """so_den.csv, the office's incoming register: (agency, report type, period, arrival, register number)."""
    with open(baocao / "so_den.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["MaDonVi", "LoaiBaoCao", "KyBaoCao", "NgayDen", "SoDen"])
        writer.writerows(entries)


def write_workbook(
    path: Path,
    agency: str,
    report_type: str,
    period: str,
    made_on: dt.date,
    rows: list[tuple[str, str, str, float | int]],
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    ws["A1"] = f"BÁO CÁO {report_type} - KỲ {period}"
    for offset, (label, value) in enumerate(
        zip(HEADER_LABELS, [agency, report_type, period, made_on], strict=False), start=2
    ):
        ws.cell(row=offset, column=1, value=label)
        ws.cell(row=offset, column=2, value=value)
    for col, name in enumerate(TABLE_COLUMNS, start=1):
        ws.cell(row=TABLE_HEADER_ROW, column=col, value=name)
    for i, (code, name, unit, value) in enumerate(rows, start=TABLE_HEADER_ROW + 1):
        for col, cell in enumerate([code, name, unit, value, None], start=1):
            ws.cell(row=i, column=col, value=cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
