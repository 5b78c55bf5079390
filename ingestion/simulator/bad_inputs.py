"""Deliberately bad deliveries, one per kind the contract lists, for tests and for trying the quarantine.

`write_bad_inputs(landing, agency, indicators)` adds to a landing folder (next to good data) and returns
what the loader is expected to do with each file: reject it whole, or quarantine given rows.
"""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from .reports import HEADER_LABELS, TABLE_COLUMNS, TABLE_HEADER_ROW


@dataclass(frozen=True)
class Expected:
    path: Path
    outcome: str  # "rejected" | "loaded"
    reason: str  # a fragment of the message the loader must give (file) or of the first quarantined row's reason
    quarantined_rows: tuple[int, ...] = ()  # lines (text) or sheet rows (workbooks) that must be quarantined
    loaded_rows: int = 0
    reasons: tuple[str, ...] = ()  # a fragment of each quarantined row's reason, in the order of the rows


def case_record(code: str, **changes) -> dict:
    """A case record in the contract shape that passes every check; `changes` make it bad."""
    record = {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "MaDonVi": "XA-22366",
        "KenhNop": 2,
        "MucDoDVC": "TOAN_TRINH",
        "NgayTiepNhan": "2025-08-04T09:00:00",
        "NgayHenTra": "2025-08-05T17:00:00",
        "NgayKetThuc": None,
        "NgayTraKetQua": None,
        "TrangThai": "DANG_XU_LY",
        "CoPhi": False,
        "ThanhToanTrucTuyen": False,
        "DaSoHoa": True,
        "KetQuaDienTu": False,
        "DongBoDVCQG": True,
        "CoThuXinLoi": False,
        "ChuHoSo": "Nguyễn Thị Hoa",
        "SoGiayTo": "056123456789",
        "SoDienThoai": "0905123456",
        "DiaChi": "Phường Nha Trang",
        "NgayCapNhat": "2025-08-04T09:00:00",
    }
    record.update(changes)
    return record


def _workbook(
    path: Path, header: dict[str, object], rows: list[list[object]], extra_sheet: bool = False, merge: str | None = None
) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "BaoCao"
    for offset, (label, cell) in enumerate(zip(HEADER_LABELS, ("B2", "B3", "B4", "B5"), strict=True), start=2):
        ws.cell(row=offset, column=1, value=label)
        ws[cell] = header.get(cell)
    for col, name in enumerate(TABLE_COLUMNS, start=1):
        ws.cell(row=TABLE_HEADER_ROW, column=col, value=name)
    for i, values in enumerate(rows, start=TABLE_HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            ws.cell(row=i, column=col, value=value)
    if merge:
        ws.merge_cells(merge)
    if extra_sheet:
        wb.create_sheet("GhiChu")["A1"] = "Ghi chú của đơn vị"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)


def write_bad_inputs(landing: Path, agency: str, period: str = "2025-6T") -> list[Expected]:
    """Bad files for every case in the contract's list. `agency` must exist in the agency catalogue."""
    motcua, pakn, baocao = landing / "motcua", landing / "pakn", landing / "baocao" / "bad"
    for folder in (motcua, pakn, baocao):
        folder.mkdir(parents=True, exist_ok=True)
    expected: list[Expected] = []

    # JSON Lines with some bad rows among good ones
    lines = [
        json.dumps(case_record("BAD-0001")),  # 1 good
        '{"MaHoSo": "BAD-0002", "MaTTHC": ',  # 2 broken JSON
        json.dumps(case_record("BAD-0003", TrangThai="DA_XONG")),  # 3 unknown status
        json.dumps(case_record("BAD-0004", KenhNop="trực tuyến")),  # 4 text in an integer field
        json.dumps(case_record("BAD-0005", NgayTiepNhan="04/08/2025 09:00")),  # 5 not ISO-8601
        json.dumps({k: v for k, v in case_record("BAD-0006").items() if k != "MaDonVi"}),  # 6 missing required field
        json.dumps(case_record("BAD-0007", ChuHoSo=unicodedata.normalize("NFD", "Trần Thị Ánh"))),  # 7 good, NFD text
        "[1, 2, 3]",  # 8 not an object
    ]
    path = motcua / "hoso_bad_rows.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reasons = (
        "invalid JSON",
        "TrangThai: 'DA_XONG' is not one of",
        "KenhNop: expected a whole number, got 'trực tuyến'",
        "NgayTiepNhan: not an ISO-8601 timestamp",
        "MaDonVi: required field is missing",
        "expected a JSON object, got list",
    )
    expected.append(Expected(path, "loaded", "invalid JSON", (2, 3, 4, 5, 6, 8), loaded_rows=2, reasons=reasons))

    path = motcua / "hoso_windows1258.jsonl"  # not UTF-8 at all
    text = unicodedata.normalize("NFD", json.dumps(case_record("BAD-0100"), ensure_ascii=False))
    path.write_bytes(text.encode("cp1258", errors="replace") + b"\n")
    expected.append(Expected(path, "rejected", "not UTF-8"))

    path = motcua / "hoso_not_json.jsonl"  # a CSV export saved under the wrong name
    path.write_text("MaHoSo,MaTTHC\nBAD-0200,1.001193\n", encoding="utf-8")
    expected.append(Expected(path, "rejected", "not JSON Lines"))

    path = motcua / "sukien_no_header.csv"  # data rows without the header line
    path.write_text("BAD-0001,2025-08-04T09:00:00,TIEP_NHAN,XA-22366,2025-08-05T17:00:00,\n", encoding="utf-8")
    expected.append(Expected(path, "rejected", "missing header columns"))

    path = motcua / "sukien_ragged.csv"  # one row with a column too many
    path.write_text(
        "MaHoSo,ThoiDiem,LoaiSuKien,MaDonVi,NgayHenTraMoi,GhiChu\n"
        "BAD-0001,2025-08-04T09:00:00,TIEP_NHAN,XA-22366,2025-08-05T17:00:00,\n"
        "BAD-0001,2025-08-04T09:30:00,CHUYEN_XU_LY,XA-22366,,,extra\n",
        encoding="utf-8",
    )
    expected.append(
        Expected(path, "loaded", "7 columns where the header has 6", (3,), loaded_rows=1, reasons=("7 columns",))
    )

    # values PostgreSQL cannot store, and records no reader should hold in memory: each costs its row only
    lines = [
        json.dumps(case_record("BAD-0301")),  # 1 good
        json.dumps(case_record("BAD-0302", ChuHoSo="Nguyễn\u0000Văn")),  # 2 a NUL character in text
        json.dumps(case_record("BAD-0303", KenhNop=2**31)),  # 3 a whole number beyond PostgreSQL's integer
        json.dumps(case_record("BAD-0304", DiaChi="x" * (1 << 20))),  # 4 a record longer than MAX_RECORD_BYTES
        "[" * 100_000 + "]" * 100_000,  # 5 nested beyond any parser's depth
        json.dumps(case_record("BAD-0306", KenhNop=1e400)),  # 6 an infinite number
    ]
    path = motcua / "hoso_hostile.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reasons = (
        "ChuHoSo: contains a NUL character",
        "KenhNop: 2147483648 is outside the whole numbers PostgreSQL stores",
        "record longer than MAX_RECORD_BYTES",
        "invalid JSON: depth limit exceeded",
        "invalid JSON",  # Infinity is not JSON
    )
    expected.append(Expected(path, "loaded", "NUL character", (2, 3, 4, 5, 6), loaded_rows=1, reasons=reasons))

    path = motcua / "sukien_nul.csv"
    path.write_text(
        "MaHoSo,ThoiDiem,LoaiSuKien,MaDonVi,NgayHenTraMoi,GhiChu\n"
        "BAD-0301,2025-08-04T09:00:00,TIEP_NHAN,XA-22366,2025-08-05T17:00:00,\n"
        "BAD-0301,2025-08-04T09:30:00,CHUYEN_XU_LY,XA-22366,,chuyển\x00 phòng\n",
        encoding="utf-8",
    )
    expected.append(
        Expected(path, "loaded", "GhiChu: contains a NUL character", (3,), loaded_rows=1, reasons=("GhiChu: contains",))
    )

    path = pakn / "pakn_bad_rows.jsonl"
    feedback = {
        "MaPAKN": "BAD-P-1",
        "KenhTiepNhan": "CONG_DVCQG",
        "LoaiPAKN": "TTHC",
        "MaTTHC": "1.001193",
        "MaDonViXuLy": agency,
        "NgayTiepNhan": "2025-08-04T09:00:00",
        "HanXuLy": "2025-08-25T17:00:00",
        "NgayTraLoi": None,
        "TrangThai": "MOI",
        "CongKhai": False,
        "DanhGia": None,
        "TieuDe": '=HYPERLINK("http://x","bấm vào đây")',
        "NoiDung": "Nội dung",
        "NguoiGui": "Lê Văn Nam",
        "DienThoaiNguoiGui": "0905000000",
        "NgayCapNhat": "2025-08-04T09:00:00",
    }
    path.write_text(
        json.dumps(feedback, ensure_ascii=False)
        + "\n"
        + json.dumps({**feedback, "MaPAKN": "BAD-P-2", "CongKhai": "có lẽ"}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    expected.append(
        Expected(path, "loaded", "CongKhai: expected true/false", (2,), loaded_rows=1, reasons=("CongKhai: expected",))
    )

    # report workbooks
    good_header = {"B2": agency, "B3": "PCTN", "B4": period, "B5": dt.date(2025, 6, 16)}
    good_rows = [
        ["PCTN01", "Số người phải kê khai", "Người", 12, None],
        ["PCTN02", "Số người đã kê khai", "Người", 11, None],
    ]

    path = baocao / "missing_header.xlsx"
    _workbook(path, {**good_header, "B3": None}, good_rows)
    expected.append(Expected(path, "rejected", "missing header: cell B3"))

    path = baocao / "unknown_agency.xlsx"
    _workbook(path, {**good_header, "B2": "SO-KHONG-CO"}, good_rows)
    expected.append(Expected(path, "rejected", "unknown agency code"))

    path = baocao / "wrong_period.xlsx"
    _workbook(path, {**good_header, "B4": "2021-6T"}, good_rows)
    expected.append(Expected(path, "rejected", "wrong period"))

    path = baocao / "not_a_workbook.xlsx"
    path.write_text("Đây không phải tệp Excel", encoding="utf-8")
    expected.append(Expected(path, "rejected", "not an Excel workbook"))

    path = baocao / "no_baocao_sheet.xlsx"
    wb = Workbook()
    wb.active.title = "Sheet1"
    wb.save(path)
    expected.append(Expected(path, "rejected", "no sheet named 'BaoCao'"))

    path = baocao / "bad_rows.xlsx"
    rows = [
        ["PCTN01", "Số người phải kê khai", "Người", 12, None],  # row 9 good
        ["PCTN99", "Chỉ tiêu lạ", "Người", 1, None],  # row 10 unknown indicator
        ["PCTN02", "Số người đã kê khai", "Người", "mười một", None],  # row 11 text in a numeric cell
        ["PCTN01", "Số người phải kê khai", "Người", 13, None],  # row 12 duplicated indicator
        ["PCTN05", "Số cuộc kiểm tra", "Cuộc", "=SUM(D9:D10)", None],  # row 13 a formula
        ["TCD01", "Số lượt tiếp công dân", "Lượt", 4, None],  # row 14 indicator of another report type
        ["PCTN06", "Số vụ việc tham nhũng", "Vụ", 0, None],  # row 15 merged with row 16
        ["PCTN07", "Số người", "Người", 0, None],  # row 16
    ]
    _workbook(path, good_header, rows, extra_sheet=True, merge="E15:E16")
    reasons = (
        "unknown indicator code 'PCTN99'",
        "GiaTri: text in a numeric cell",
        "duplicated indicator PCTN01 (first on row 9)",
        "GiaTri: a formula (=SUM(D9:D10))",
        "indicator TCD01 belongs to TCD_KNTC, not PCTN",
        "merged cells E15:E16",
        "merged cells E15:E16",
    )
    expected.append(
        Expected(path, "loaded", "unknown indicator code", (10, 11, 12, 13, 14, 15, 16), loaded_rows=1, reasons=reasons)
    )
    return expected


def portal_record(code: str, identifier: str, **changes) -> dict:
    """A DongBoHoSoMC record (the portal's sync shape) that passes every check; `changes` make it bad."""
    record = {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "MaDinhDanhDV": identifier,
        "KenhThucHien": 2,
        "NgayTiepNhan": "20250804090000",
        "NgayHenTra": "05/08/2025 17:00:00",
        "TrangThaiHoSo": 4,
        "DanhSachLePhi": [],
        "DanhSachHoSoBoSung": [],
        "ChuHoSo": "Nguyễn Thị Hoa",
        "MaDoiTuong": "056123456789",
        "Email": "hoa@example.vn",
        "TrichYeuHoSo": "Xin cấp bản sao trích lục",
        "NgayCapNhat": "20250804090000",
    }
    record.update(changes)
    return {k: v for k, v in record.items() if v is not ...}


def write_portal_bad_inputs(landing: Path, identifier: str) -> list[Expected]:
    """Bad files in the dvcqg dialect (docs/sources.md §4). `identifier` must be an agency's MaDinhDanh."""
    motcua = landing / "motcua"
    motcua.mkdir(parents=True, exist_ok=True)
    expected: list[Expected] = []

    records = [
        portal_record("BADP-01", identifier),  # 1 good
        portal_record("BADP-02", identifier, TrangThaiHoSo=11),  # 2 an unknown status code
        portal_record("BADP-03", identifier, NgayTiepNhan="2025.08.04 09:00"),  # 3 a timestamp in none of the forms
        portal_record("BADP-04", identifier, KenhNop=1),  # 4 both dialects' fields, disagreeing
        portal_record("BADP-05", "000.99.99.H99"),  # 5 an agency identifier not in the catalogue
        portal_record("BADP-06", identifier, TrangThai="DA_XU_LY"),  # 6 the portal's status and the contract's disagree
        portal_record("BADP-07", identifier, DanhSachHoSoBoSung=[{"NgayTiepNhanBoSung": "20250805080000"}]),  # 7
        portal_record("BADP-08", identifier, NgayTiepNhan="31/02/2025 08:00:00"),  # 8 no such day
        "not a record",  # 9
        portal_record("BADP-10", identifier, TrangThaiHoSo=3, KenhNop=2),  # 10 good: refused at receipt, agreeing
    ]
    path = motcua / "DongBoHoSoMC_bad_rows.json"
    path.write_text(
        json.dumps({"service": "DongBoHoSoMC", "isUpdating": True, "data": records}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    reasons = (
        "TrangThaiHoSo: 11 is not one of the portal's codes",
        "NgayTiepNhan: '2025.08.04 09:00' is in none of the forms",
        "KenhThucHien (2) and KenhNop (1) disagree",
        "MaDinhDanhDV: '000.99.99.H99' is not in the agency catalogue",
        "TrangThaiHoSo (4: Đang xử lý) and TrangThai ('DA_XU_LY') disagree",
        "DanhSachHoSoBoSung[0].NgayBoSung: required field is missing",
        "NgayTiepNhan: '31/02/2025 08:00:00' looks like dd/MM/yyyy HH:mm:ss but is no such moment",
        "data[8]: expected an object, got str",
    )
    expected.append(Expected(path, "loaded", reasons[0], (2, 3, 4, 5, 6, 7, 8, 9), loaded_rows=2, reasons=reasons))

    path = motcua / "DongBoHoSoMC_data_not_a_list.json"
    path.write_text(json.dumps({"service": "DongBoHoSoMC", "isUpdating": False, "data": {"MaHoSo": "X"}}), "utf-8")
    expected.append(Expected(path, "rejected", "envelope `data` is a dict, not a list of records"))

    path = motcua / "DongBoHoSoMC_wrong_service.json"
    path.write_text(json.dumps({"service": "CapNhatTienDoHoSoMC", "data": []}) + "\n", "utf-8")
    expected.append(
        Expected(path, "rejected", "envelope service 'CapNhatTienDoHoSoMC': a hoso file carries DongBoHoSoMC")
    )

    path = motcua / "hoso_contract_shape.jsonl"  # the other dialect, unambiguous
    path.write_text(json.dumps(case_record("BADP-20")) + "\n", "utf-8")
    expected.append(Expected(path, "rejected", "the file is in the standard shape (the fields of its first record)"))

    path = motcua / "hoso_portal.csv"
    path.write_text(
        "MaHoSo,MaTTHC,MaDinhDanhDV,NgayTiepNhan,TrangThaiHoSo\nBADP-30,1.001193,x,20250804090000,4\n", "utf-8"
    )
    expected.append(Expected(path, "rejected", "the dvcqg dialect is JSON"))

    updates = [
        {"MaHoSo": "BADP-01", "MaDinhDanhDV": identifier, "ThoiDiemXuLy": "20250804093000", "TrangThai": 4},  # 1 good
        {"MaHoSo": "BADP-01", "MaDinhDanhDV": identifier, "ThoiDiemXuLy": "20250804100000", "TrangThai": 3},  # 2
        {
            "MaHoSo": "BADP-01",
            "MaDinhDanhDV": identifier,
            "ThoiDiemXuLy": "20250805100000",
            "TrangThai": 9,
            "LoaiSuKien": "TRA_LAI",
        },  # 3 the portal's code and the contract's event disagree
        {
            "MaHoSo": "BADP-01",
            "MaDinhDanhDV": identifier,
            "ThoiDiemXuLy": "20250805110000",
            "LoaiSuKien": "XIN_LOI",
            "NgayKetThucTheoQuyDinh": "20250808170000",
        },  # 4 good: an apology, by contract name
    ]
    path = motcua / "CapNhatTienDoHoSoMC_bad_rows.jsonl"
    path.write_text("\n".join(json.dumps(u, ensure_ascii=False) for u in updates) + "\n", "utf-8")
    reasons = (
        "TrangThai: 3 is Không được tiếp nhận: no event of a case",
        "TrangThai (9: Đã xử lý xong) and LoaiSuKien ('TRA_LAI') disagree",
    )
    expected.append(Expected(path, "loaded", reasons[0], (2, 3), loaded_rows=2, reasons=reasons))
    return expected
