"""The extracts as administrative documents (Nghị định 30/2020/NĐ-CP): the heading, number, place and date,
title, addressee, the summary written from the data, recipients (Nơi nhận) and signature block, shared by the
workbook's first sheet, the PDF's first page and the Word draft the office edits and signs.

The summary sentences are made from marts.kpi_values and the extract's own tables, so that what the text says
and what the tables show cannot differ. The date is the data date, so a re-run gives the same document.
"""

from __future__ import annotations

import datetime as dt
import io

import psycopg

from warehouse.config import issuer

from .labels import LEVELS, number_vi, percent_vi, points_vi, target_vi
from .tables import Period, kpi_values, query_rows
from .workbook import Cover, Table, reproducible_zip

TITLES = {
    "so-noi-vu": "Số liệu phục vụ báo cáo cải cách hành chính: giải quyết thủ tục hành chính, dịch vụ công "
    "trực tuyến, phản ánh, kiến nghị",
    "thanh-tra-tinh": "Số liệu phục vụ báo cáo công tác tiếp công dân, giải quyết khiếu nại, tố cáo và phòng, "
    "chống tham nhũng",
}
NBSP = "\u00a0"  # kept by every renderer, where plain spaces collapse
SIGNERS = [("Người lập biểu", "(Ký, ghi rõ họ tên)"), ("Thủ trưởng đơn vị", "(Ký tên, đóng dấu)")]


def date_line(place: str, day: dt.date) -> str:
    """ "Khánh Hòa, ngày 05 tháng 02 năm 2026": a 0 before days under 10 and months 1 and 2 (Nghị định 30/2020)."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _kpi(conn, kpi_id: str, period: Period, scope: str = "province", key: str = "province") -> dict:
    return kpi_values(conn, kpi_id, period, scope).get(key, {})


def _rate_sentence(conn, kpi_id: str, period: Period, what: str) -> str:
    """ "<what> đạt 92,48 % (1.795/1.941), cùng kỳ năm trước 96,93 %, giảm 4,45 điểm %; mục tiêu ≥ 95 %: không đạt"."""
    k = _kpi(conn, kpi_id, period)
    if k.get("value") is None:
        return f"{what}: không có số liệu trong kỳ"
    text = f"{what} đạt {percent_vi(k['value'])} ({number_vi(k['numerator'])}/{number_vi(k['denominator'])})"
    if k.get("year_before") is not None:
        text += f", cùng kỳ năm trước {percent_vi(k['year_before'])} ({points_vi(k['change'])})"
    if k.get("target") is not None:
        text += f"; mục tiêu {target_vi(k['operator'], k['target'])}: {'đạt' if k['met'] else 'không đạt'}"
    return text


def _below_target(conn, kpi_id: str, period: Period) -> tuple[int, int]:
    rows = kpi_values(conn, kpi_id, period, "agency").values()
    judged = [r for r in rows if r.get("met") is not None]
    return sum(not r["met"] for r in judged), len(judged)


def _reports(conn, period: Period, types: tuple[str, ...]) -> str:
    missing, late = conn.execute(
        "select count(*) filter (where filing_status = 'missing'), count(*) filter (where filing_status = 'late')"
        " from marts.kpi_report_compliance where period_id = %s and report_type = any(%s)",
        (period.period_id, list(types)),
    ).fetchone()
    if not missing and not late:
        return "Các cơ quan, đơn vị đã gửi đầy đủ, đúng hạn báo cáo định kỳ của kỳ."
    return (
        f"Còn {number_vi(missing)} báo cáo định kỳ chưa gửi và {number_vi(late)} báo cáo gửi trễ hạn "
        "(danh sách tại bảng «Chế độ báo cáo»)."
    )


def _gaps(tables: list[Table]) -> str:
    gaps = next((t for t in tables if t.slug == "chat_luong_du_lieu"), None)
    if gaps is None or not gaps.rows:
        return "Không còn vấn đề chất lượng dữ liệu nào mở ảnh hưởng đến số liệu của kỳ."
    severe = sum(r["severity"] == "Nghiêm trọng" for r in gaps.rows)
    return (
        f"Còn {number_vi(len(gaps.rows))} vấn đề chất lượng dữ liệu chưa xử lý ({number_vi(severe)} nghiêm trọng), "
        "chi tiết tại bảng «Chất lượng dữ liệu»; số liệu liên quan cần được kiểm tra trước khi sử dụng."
    )


def so_noi_vu_paragraphs(conn: psycopg.Connection, period: Period, tables: list[Table]) -> list[str]:
    # the province's own counts: a case passed between two agencies (the 1/7/2025 reorganisation) is in both
    # agencies' rows of the table, once here
    cases = query_rows(
        conn,
        """
        select sum(carried_over + received) as to_settle, sum(carried_over) as carried_over,
               sum(received) filter (where channel = 'online') as received_online,
               sum(received) filter (where channel = 'direct') as received_direct,
               sum(received) filter (where channel = 'postal') as received_postal,
               sum(resolved) as resolved, sum(in_progress) as in_progress,
               sum(in_progress_overdue) as in_progress_overdue
        from marts.kpi_case_timeliness_province where period_id = %(p)s
        """,
        {"p": period.period_id},
    )[0]
    levels = kpi_values(conn, "case_on_time_rate", period, "agency_level")
    below, judged = _below_target(conn, "case_on_time_rate", period)
    by_level = "; ".join(
        f"{LEVELS[level]} {percent_vi(levels[level]['value'])}"
        for level in LEVELS
        if levels.get(level, {}).get("value") is not None
    )
    return [
        f"1. Kết quả giải quyết thủ tục hành chính. Trong kỳ (từ ngày {period.start_date:%d/%m/%Y} đến ngày "
        f"{period.end_date:%d/%m/%Y}), toàn tỉnh có {number_vi(cases['to_settle'])} hồ sơ nhận giải quyết "
        f"({number_vi(cases['carried_over'])} hồ sơ kỳ trước chuyển sang; tiếp nhận mới "
        f"{number_vi(cases['received_online'])} hồ sơ trực tuyến, {number_vi(cases['received_direct'])} hồ sơ trực "
        f"tiếp, {number_vi(cases['received_postal'])} hồ sơ qua dịch vụ bưu chính công ích); đã giải quyết "
        f"{number_vi(cases['resolved'])} hồ sơ, đang giải quyết {number_vi(cases['in_progress'])} hồ sơ, trong đó "
        f"{number_vi(cases['in_progress_overdue'])} hồ sơ quá hạn. "
        + _rate_sentence(conn, "case_on_time_rate", period, "Tỷ lệ giải quyết trước hạn, đúng hạn")
        + (f". Theo cấp: {by_level}." if by_level else ".")
        + (f" Có {number_vi(below)}/{number_vi(judged)} đơn vị chưa đạt mục tiêu." if judged else ""),
        "2. Dịch vụ công trực tuyến, số hóa. "
        + _rate_sentence(conn, "online_submission_share", period, "Tỷ lệ hồ sơ nộp trực tuyến")
        + ". "
        + _rate_sentence(conn, "online_payment_share", period, "Tỷ lệ hồ sơ có phí thanh toán trực tuyến")
        + ". "
        + _rate_sentence(conn, "digitisation_rate", period, "Tỷ lệ số hóa hồ sơ, kết quả")
        + ".",
        "3. Hồ sơ đất đai, xin lỗi. "
        + _rate_sentence(
            conn, "land_late_rate_incl_overdue", period, "Tỷ lệ hồ sơ đất đai trễ hạn (kể cả đang quá hạn)"
        )
        + ". "
        + _rate_sentence(conn, "apology_compliance_rate", period, "Tỷ lệ hồ sơ trễ hạn có thư xin lỗi")
        + ".",
        "4. Phản ánh, kiến nghị. "
        + _rate_sentence(conn, "feedback_on_time_rate", period, "Tỷ lệ PAKN trả lời đúng hạn")
        + ".",
        "5. Chế độ báo cáo và chất lượng dữ liệu. "
        + _reports(conn, period, ("PCTN", "TCD_KNTC", "CCHC"))
        + " "
        + _gaps(tables),
    ]


def thanh_tra_paragraphs(conn: psycopg.Connection, period: Period, tables: list[Table]) -> list[str]:
    summary = {r["kpi_id"]: r for r in next(t for t in tables if t.slug == "tong_hop_tinh").rows}

    def count(kpi_id: str) -> str:
        return number_vi(summary[kpi_id].get("count_value"))

    reported = summary["citizen_receptions"]["reported"]
    declared = summary["asset_declarations_made"]["reported"]
    return [
        f"1. Tiếp công dân, khiếu nại, tố cáo. Theo báo cáo của {reported} cơ quan, đơn vị (đã gửi / phải gửi), "
        f"trong kỳ đã tiếp {count('citizen_receptions')} lượt với {count('citizens_received')} người, "
        f"{count('crowd_delegations')} đoàn đông người; tiếp nhận {count('complaints_received')} đơn khiếu nại, "
        f"{count('denunciations_received')} đơn tố cáo. "
        + _rate_sentence(conn, "complaint_resolution_rate", period, "Tỷ lệ giải quyết khiếu nại thuộc thẩm quyền")
        + ". "
        + _rate_sentence(conn, "denunciation_resolution_rate", period, "Tỷ lệ giải quyết tố cáo thuộc thẩm quyền")
        + ".",
        f"2. Phòng, chống tham nhũng. Theo báo cáo của {declared} cơ quan, đơn vị: "
        + _rate_sentence(conn, "asset_declaration_rate", period, "tỷ lệ kê khai tài sản, thu nhập")
        + "; "
        + _rate_sentence(conn, "job_rotation_rate", period, "tỷ lệ chuyển đổi vị trí công tác")
        + f"; phát hiện {count('corruption_cases_detected')} vụ việc tham nhũng với "
        f"{count('corruption_offenders_detected')} người vi phạm.",
        "3. Phản ánh, kiến nghị. "
        + _rate_sentence(conn, "feedback_on_time_rate", period, "Tỷ lệ PAKN trả lời đúng hạn")
        + ".",
        "4. Chế độ báo cáo và chất lượng dữ liệu. "
        + _reports(conn, period, ("PCTN", "TCD_KNTC"))
        + " Số liệu tổng hợp chỉ gồm các đơn vị đã gửi báo cáo. "
        + _gaps(tables),
    ]


PARAGRAPHS = {"so-noi-vu": so_noi_vu_paragraphs, "thanh-tra-tinh": thanh_tra_paragraphs}


def make_cover(conn: psycopg.Connection, period: Period, slug: str, addressee: str, tables: list[Table]) -> Cover:
    who = issuer()
    closing = (
        f"Số liệu được trích xuất tự động từ kho dữ liệu chỉ số của tỉnh, cập nhật đến {period.as_of:%H:%M} ngày "
        f"{period.as_of:%d/%m/%Y}, chưa qua thẩm định; chi tiết theo đơn vị, định nghĩa và căn cứ của từng chỉ tiêu "
        "tại các biểu kèm theo."
    )
    return Cover(
        issuer_parent=who["issuer_parent"],
        issuer=who["issuer"],
        number=f"Số:{NBSP * 10}/BC-{who['issuer_code']}",  # the number is given when the document is issued
        place_date=date_line(who["place"], period.as_of.date()),
        title="BÁO CÁO",
        subtitle=f"{TITLES[slug]} {period.label[:1].lower()}{period.label[1:]} "
        f"(từ ngày {period.start_date:%d/%m/%Y} đến ngày {period.end_date:%d/%m/%Y})",
        addressee=addressee,
        paragraphs=[*PARAGRAPHS[slug](conn, period, tables), closing],
        recipients=["Như trên;", "Lưu: VT."],
        signers=SIGNERS,
    )


def _widths(table, widths) -> None:
    """Word and LibreOffice honour a column's width only when the grid and every cell of it say so."""
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def write_docx(cover: Cover, as_of: dt.datetime) -> bytes:
    """The report as a Word draft for the office to edit and sign: A4 portrait, Times New Roman 13-14 pt, the
    heading in a borderless two-column table, the signature block beside Nơi nhận (Nghị định 30/2020, Phụ lục I)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(1.5)
    normal = document.styles["Normal"]
    normal.font.name, normal.font.size = "Times New Roman", Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")

    def line(cell_or_doc, text: str, size=13, bold=False, italic=False, center=True, underline=False):
        paragraph = cell_or_doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.space_after = Pt(0)
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic, run.underline = Pt(size), bold, italic, underline
        return paragraph

    heading = document.add_table(rows=2, cols=2)
    heading.autofit = False
    left, right = heading.cell(0, 0), heading.cell(0, 1)
    left.paragraphs[0].text = ""
    line(left, cover.issuer_parent, 12)
    line(left, cover.issuer, 12, bold=True, underline=True)
    line(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, bold=True)
    line(right, "Độc lập - Tự do - Hạnh phúc", 13, bold=True, underline=True)
    line(heading.cell(1, 0), cover.number, 13)
    line(heading.cell(1, 1), cover.place_date, 13, italic=True)
    _widths(heading, (Cm(7), Cm(9.5)))
    document.add_paragraph()
    line(document, cover.title, 14, bold=True)
    line(document, cover.subtitle, 14, bold=True)
    line(document, f"Kính gửi: {cover.addressee}.", 14)
    for text in cover.paragraphs:
        paragraph = line(document, text, 14, center=False)
        paragraph.paragraph_format.first_line_indent = Cm(1)
        paragraph.paragraph_format.space_after = Pt(6)
    document.add_paragraph()
    closing = document.add_table(rows=1, cols=1 + len(cover.signers))
    closing.autofit = False
    recipients = closing.cell(0, 0)
    recipients.paragraphs[0].text = ""
    line(recipients, "Nơi nhận:", 12, bold=True, italic=True, center=False)
    for name in cover.recipients:
        line(recipients, f"- {name}", 11, center=False)
    for n, (role, hint) in enumerate(cover.signers, start=1):
        signature = closing.cell(0, n)
        signature.paragraphs[0].text = ""
        line(signature, role.upper(), 13, bold=True)
        line(signature, hint, 12, italic=True)
    _widths(closing, (Cm(5.5),) * (1 + len(cover.signers)))
    properties = document.core_properties
    properties.author = properties.last_modified_by = cover.issuer
    properties.title = f"{cover.title} {cover.subtitle}"
    properties.created = properties.modified = properties.last_printed = as_of.replace(tzinfo=None, microsecond=0)
    properties.revision = 1
    buffer = io.BytesIO()
    document.save(buffer)
    return reproducible_zip(buffer.getvalue(), as_of)
