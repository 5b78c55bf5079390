"""The extracts' document form without a database: Vietnamese number and date style, the forms' two-level
headers and column numbers, the print setup of every sheet, the Word draft, and a label for every gap kind.
The published bundles themselves are checked in test_rollup.py."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

from docx import Document
from openpyxl import load_workbook

from expectations.definitions import load, suite_names
from reporting.document import date_line, write_docx
from reporting.labels import GAP_KINDS, number_vi, percent_vi, points_vi, target_vi
from reporting.workbook import Column, Cover, Table, column_numbers, write_csv, write_workbook

AS_OF = dt.datetime(2026, 6, 30, 7, 0)
COVER = Cover(
    issuer_parent="UBND TỈNH KHÁNH HÒA",
    issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
    number="Số: /BC-SKHCN",
    place_date="Khánh Hòa, ngày 30 tháng 6 năm 2026",
    title="BÁO CÁO",
    subtitle="Số liệu 6 tháng đầu năm 2026",
    addressee="Sở Nội vụ tỉnh Khánh Hòa",
    paragraphs=["Toàn tỉnh có 2.093 hồ sơ nhận giải quyết; tỷ lệ đúng hạn đạt 92,27 %."],
    recipients=["Như trên;", "Lưu: VT."],
    signers=[("Người lập biểu", "(Ký, ghi rõ họ tên)"), ("Thủ trưởng đơn vị", "(Ký tên, đóng dấu)")],
)
GROUP = "Số hồ sơ đã giải quyết"
TABLE = Table(
    "Giải quyết TTHC",
    "giai_quyet_tthc",
    "Tình hình, kết quả giải quyết TTHC theo đơn vị",
    [
        Column("stt", "STT", width=5),
        Column("agency_name", "Tên đơn vị", width=30),
        Column("resolved", "Tổng số", "int", 8, GROUP, sums=("early", "late")),
        Column("early", "Trước hạn", "int", 8, GROUP),
        Column("late", "Quá hạn", "int", 8, GROUP),
        Column("rate", "Tỷ lệ", "rate", 9),
        Column("change", "Tăng, giảm", "change", 9),
    ],
    [
        {"stt": "", "agency_name": "TỔNG CỘNG TOÀN TỈNH", "_kind": "total", "resolved": 3, "early": 2, "late": 1},
        {"stt": 1, "agency_name": "Sở Tư pháp", "resolved": 3, "early": 2, "late": 1, "rate": 2 / 3, "change": -0.05},
    ],
    note="Ghi chú.",
    unit="hồ sơ",
    frozen_columns=2,
)


def test_numbers_dates_and_targets_are_written_the_vietnamese_way():
    assert number_vi(1234567) == "1.234.567" and number_vi(92.4812, 2) == "92,48"
    assert percent_vi(0.9248) == "92,48 %" and percent_vi(None) == ""
    assert points_vi(-0.0476) == "−4,76 điểm %" and points_vi(0.1) == "+10,00 điểm %"
    assert target_vi(">=", 0.95) == "≥ 95 %" and target_vi("<", 0.02) == "< 2 %" and target_vi(None, None) == ""
    # Nghị định 30/2020, Phụ lục I: a 0 before days under 10 and before months 1 and 2
    assert date_line("Khánh Hòa", dt.date(2026, 2, 5)) == "Khánh Hòa, ngày 05 tháng 02 năm 2026"
    assert date_line("Khánh Hòa", dt.date(2026, 6, 30)) == "Khánh Hòa, ngày 30 tháng 6 năm 2026"


def test_a_total_column_says_which_columns_it_adds_up():
    assert column_numbers(TABLE) == ["(1)", "(2)", "(3)=(4)+(5)", "(4)", "(5)", "(6)", "(7)"]


def test_a_sheet_has_the_forms_two_level_header_and_prints_on_a4_landscape_fitted_to_the_width():
    wb = load_workbook(io.BytesIO(write_workbook([TABLE], AS_OF, COVER)))
    assert wb.sheetnames == ["Báo cáo", "Giải quyết TTHC"]
    cover = wb["Báo cáo"]
    texts = [c.value for row in cover.iter_rows() for c in row if isinstance(c.value, str)]
    assert {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Nơi nhận:"} <= set(texts)
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "Số: /BC-SKHCN", "Kính gửi: Sở Nội vụ tỉnh Khánh Hòa"} <= set(texts)
    ws = wb["Giải quyết TTHC"]
    assert ws["A2"].value == "Đơn vị tính: hồ sơ" and ws["A3"].value == "Ghi chú."
    assert [ws.cell(4, c).value for c in range(1, 8)] == ["STT", "Tên đơn vị", GROUP, None, None, "Tỷ lệ", "Tăng, giảm"]
    assert [ws.cell(5, c).value for c in range(3, 6)] == ["Tổng số", "Trước hạn", "Quá hạn"]
    assert {"C4:E4", "A4:A5", "B4:B5", "F4:F5"} <= {str(r) for r in ws.merged_cells.ranges}
    assert ws.cell(6, 3).value == "(3)=(4)+(5)"
    assert ws.cell(7, 2).value == "TỔNG CỘNG TOÀN TỈNH" and ws.cell(7, 2).font.b and not ws.cell(8, 2).font.b
    assert ws.cell(8, 7).number_format == '+0.00" điểm %";-0.00" điểm %";0.00" điểm %"'
    setup = ws.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.print_title_rows == "$4:$6"
    assert ws.freeze_panes == "C7" and ws.print_area == "'Giải quyết TTHC'!$A$1:$G$8"
    assert "&P" in ws.oddFooter.center.text and ws.cell(8, 2).font.name == "Times New Roman"


def test_the_csv_has_one_header_line_with_the_upper_header_in_it():
    lines = list(csv.reader(io.StringIO(write_csv(TABLE).decode("utf-8-sig"))))
    assert lines[0] == [
        "STT",
        "Tên đơn vị",
        f"{GROUP} – Tổng số",
        f"{GROUP} – Trước hạn",
        f"{GROUP} – Quá hạn",
        "Tỷ lệ",
        "Tăng, giảm",
    ]
    assert lines[2] == ["1", "Sở Tư pháp", "3", "2", "1", "0.666667", "-0.05"] and len(lines) == 3


def test_the_word_draft_is_the_same_document_and_the_same_bytes_on_a_re_run():
    data = write_docx(COVER, AS_OF)
    assert data == write_docx(COVER, AS_OF)
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zipfile.ZipFile(io.BytesIO(data)).infolist())
    document = Document(io.BytesIO(data))
    heading = [c.text for row in document.tables[0].rows for c in row.cells]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc" in [t.strip() for t in heading]
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Kính gửi: Sở Nội vụ tỉnh Khánh Hòa." in text and "92,27 %" in text
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and document.styles["Normal"].font.name == "Times New Roman"


def test_every_kind_of_data_quality_gap_has_words_for_the_reader():
    kinds = {check.kind for name in suite_names() for check in load(name).checks}  # the contracts' checks too
    assert kinds and kinds <= set(GAP_KINDS), sorted(kinds - set(GAP_KINDS))
