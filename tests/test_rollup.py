"""biannual_rollup through Airflow on the simulated province: the bundles' workbook, PDF, CSVs and manifest;
figures against the marts; formula injection; identical files on a re-run; blocking gaps; e-mail delivery."""

from __future__ import annotations

import email
import hashlib
import json
import socketserver
import subprocess
import threading
from pathlib import Path

import pytest
from conftest import ROLLUP_PERIOD as PERIOD  # the period the `published` fixture publishes
from conftest import warehouse_cli
from openpyxl import load_workbook
from pypdf import PdfReader

pytestmark = pytest.mark.slow


def rollup(env: dict, period: str | None = PERIOD) -> subprocess.CompletedProcess:
    return warehouse_cli(env, "rollup", *(["--period", period] if period else []))


def bundle(extracts: Path, slug: str) -> tuple[Path, dict]:
    folder = extracts / slug
    return folder, json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_each_recipient_gets_a_complete_bundle_with_a_true_manifest(published):
    _, _, extracts = published
    for slug in ("so-noi-vu", "thanh-tra-tinh"):
        folder, manifest = bundle(extracts, slug)
        assert folder.is_symlink()  # published by an atomic link swap
        names = {f["path"] for f in manifest["files"]}
        assert {f"{slug}_{PERIOD}.xlsx", f"{slug}_{PERIOD}.pdf"} <= names
        for entry in manifest["files"]:
            data = (folder / entry["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["bytes"]
        for table in manifest["tables"]:
            lines = (folder / table["csv"]).read_text(encoding="utf-8-sig").strip().splitlines()
            assert len(lines) == table["rows"] + 1
        assert manifest["period_start"] == "2024-12-15" and manifest["period_end"] == "2025-06-14"


def test_so_noi_vu_workbook_has_its_sheets_headers_and_the_marts_figures(published):
    conn, _, extracts = published
    folder, _ = bundle(extracts, "so-noi-vu")
    wb = load_workbook(folder / f"so-noi-vu_{PERIOD}.xlsx")
    assert wb.sheetnames == [
        "Nguồn và phạm vi",
        "Tổng hợp tỉnh",
        "Giải quyết TTHC",
        "Trực tuyến, số hóa",
        "Đất đai",
        "Xin lỗi",
        "PAKN",
        "Chỉ số 766",
        "Chỉ tiêu 766 chưa chấm",
        "Chế độ báo cáo",
        "Chất lượng dữ liệu",
    ]
    # the 766 total is read against what could be scored, and what could not is listed with its reason
    scored = {r[2]: r for r in wb["Chỉ số 766"].iter_rows(min_row=4, values_only=True)}
    assert scored["total"][4] <= scored["total"][5] < scored["total"][6] == 100
    unscored = {r[0]: r for r in wb["Chỉ tiêu 766 chưa chấm"].iter_rows(min_row=4, values_only=True)}
    assert {"3.5", "3.6B", "3.6C"} <= set(unscored) and "CSDL quốc gia về TTHC" in unscored["3.6B"][4]
    assert "2.1" not in unscored
    sheet = wb["Giải quyết TTHC"]
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Mã đơn vị", "Tên đơn vị", "Tồn kỳ trước", "Tiếp nhận trực tuyến"]
    assert sheet.freeze_panes == "A4"
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=4, values_only=True)}
    expected = conn.execute(
        "select agency_id, sum(carried_over), sum(received_online), sum(resolved_late),"
        " sum(on_time_numerator)::numeric / nullif(sum(on_time_denominator), 0)"
        " from marts.kpi_case_timeliness where period_id = %s group by agency_id",
        (PERIOD,),
    ).fetchall()
    assert set(rows) == {r[0] for r in expected}
    for agency, carried, online, late, rate in expected:
        row = rows[agency]
        assert (row["Tồn kỳ trước"], row["Tiếp nhận trực tuyến"], row["Giải quyết quá hạn"]) == (carried, online, late)
        assert (
            row["Tỷ lệ đúng hạn"] == pytest.approx(float(rate)) if rate is not None else row["Tỷ lệ đúng hạn"] is None
        )
    assert sheet.cell(row=4, column=sheet.max_column - 5 + 1).number_format == "0.00%"
    summary = {r[0]: r for r in wb["Tổng hợp tỉnh"].iter_rows(min_row=3, values_only=True)}
    on_time = summary["Tỷ lệ hồ sơ giải quyết đúng hạn (trước hạn + đúng hạn / đã giải quyết)"]
    totals = conn.execute(
        "select sum(on_time_numerator), sum(on_time_denominator) from marts.kpi_case_timeliness_province"
        " where period_id = %s",
        (PERIOD,),
    ).fetchone()
    assert (on_time[1], on_time[2]) == totals and on_time[3] == pytest.approx(totals[0] / totals[1])


def test_thanh_tra_workbook_sums_the_agencies_reports(published):
    conn, _, extracts = published
    folder, _ = bundle(extracts, "thanh-tra-tinh")
    wb = load_workbook(folder / f"thanh-tra-tinh_{PERIOD}.xlsx")
    assert {
        "Tiếp công dân",
        "Khiếu nại, tố cáo",
        "Phòng, chống tham nhũng",
        "PAKN",
        "Chế độ báo cáo",
        "Chất lượng dữ liệu",
    } <= set(wb.sheetnames)
    # feedback per channel: the hotline beside the portals, adding up to the province's feedback table
    channels = list(wb["PAKN theo kênh"].iter_rows(min_row=4, values_only=True))
    received = conn.execute(
        "select sum(received) from marts.kpi_feedback_handling_province where period_id = %s", (PERIOD,)
    ).fetchone()[0]
    assert sum(r[1] for r in channels) == received and len(channels) >= 3
    summary = {r[0]: r for r in wb["Tổng hợp tỉnh"].iter_rows(min_row=3, values_only=True)}
    reported = dict(
        conn.execute(
            "select indicator_id, sum(value) from marts.fct_report_values where period_id = %s group by 1", (PERIOD,)
        ).fetchall()
    )
    assert summary["TCD01"][2] == pytest.approx(float(reported["TCD01"]))
    assert summary["PCTN02"][2] == pytest.approx(float(reported["PCTN02"]))
    missing = conn.execute(
        "select count(*) from marts.kpi_report_compliance where period_id = %s"
        " and report_type in ('PCTN', 'TCD_KNTC') and filing_status = 'missing'",
        (PERIOD,),
    ).fetchone()[0]
    statuses = [r[3] for r in wb["Chế độ báo cáo"].iter_rows(min_row=4, values_only=True)]
    assert statuses.count("Chưa gửi") == missing


def test_the_pdf_reads_without_excel_and_carries_the_period_and_totals(published):
    conn, _, extracts = published
    folder, _ = bundle(extracts, "so-noi-vu")
    text = " ".join(page.extract_text() for page in PdfReader(folder / f"so-noi-vu_{PERIOD}.pdf").pages)
    assert "6 tháng đầu năm 2025" in text and "15/12/2024 – 14/06/2025" in text
    numerator = conn.execute(
        "select sum(on_time_numerator) from marts.kpi_case_timeliness_province where period_id = %s", (PERIOD,)
    ).fetchone()[0]
    assert f"{numerator:,}".replace(",", ".") in text
    assert len(PdfReader(folder / f"so-noi-vu_{PERIOD}.pdf").pages) >= 2  # tables, then the charts


def test_no_formula_and_no_personal_data_reaches_a_workbook(published):
    _, _, extracts = published
    texts = []
    for slug in ("so-noi-vu", "thanh-tra-tinh"):
        folder, _ = bundle(extracts, slug)
        wb = load_workbook(folder / f"{slug}_{PERIOD}.xlsx")
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                    if isinstance(cell.value, str):
                        assert not cell.value.startswith(("=", "+", "-", "@")), f"{ws.title}!{cell.coordinate}"
                        texts.append(cell.value)
        texts += [(folder / p).read_text(encoding="utf-8-sig") for p in (folder / "tables").iterdir()]
    joined = "\n".join(texts)
    assert '\'=HYPERLINK("http://x.invalid","Sở Tư pháp")' in joined  # the agency's name, neutralised
    assert "bấm vào đây" not in joined and "Lê Văn Nam" not in joined and "0905000123" not in joined


def test_re_running_a_period_gives_byte_identical_files(published):
    _, env, extracts = published
    before = {slug: bundle(extracts, slug)[1]["files"] for slug in ("so-noi-vu", "thanh-tra-tinh")}
    again = rollup(env)
    assert again.returncode == 0, again.stdout[-3000:]
    after = {slug: bundle(extracts, slug)[1]["files"] for slug in ("so-noi-vu", "thanh-tra-tinh")}
    assert after == before


def test_a_critical_gap_blocks_publication_and_warnings_do_not(published):
    conn, env, extracts = published
    warnings = conn.execute("select count(*) from dq.open_gaps where severity = 'warning'").fetchone()[0]
    assert warnings > 0  # the first publication went through with warnings open
    target = (extracts / "so-noi-vu").resolve()
    conn.execute(
        "insert into dq.gaps (gap_key, suite_name, check_name, kind, severity, target, agency_id, period_id,"
        " rows_affected, example_keys) values ('test|blocking', 'mart_case_kpis', 'cases_balance',"
        " 'unbalanced_counts', 'critical', 'marts.kpi_case_timeliness', 'SO-TP', '2025-T03', 4, '[\"x\"]')"
    )
    blocked = rollup(env)
    assert blocked.returncode != 0
    assert "critical data-quality gap" in blocked.stdout and "SO-TP, period 2025-T03" in blocked.stdout
    cli = warehouse_cli(env, "blockers", "--period", PERIOD)
    assert cli.returncode == 1 and "unbalanced_counts" in cli.stdout
    assert (extracts / "so-noi-vu").resolve() == target  # nothing was republished
    conn.execute("update dq.gaps set closed_at = now() where gap_key = 'test|blocking'")
    assert warehouse_cli(env, "blockers", "--period", "2025-NAM").returncode == 0


class _SmtpSink(socketserver.StreamRequestHandler):
    messages: list[bytes] = []

    def handle(self):
        self.wfile.write(b"220 sink\r\n")
        data = None
        while line := self.rfile.readline():
            if data is not None:
                if line == b".\r\n":
                    self.messages.append(b"".join(data))
                    data = None
                    self.wfile.write(b"250 ok\r\n")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line.strip().upper()
            if command.startswith(b"DATA"):
                data = []
                self.wfile.write(b"354 go\r\n")
            elif command.startswith(b"QUIT"):
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def test_delivery_is_off_by_default_and_mails_the_bundle_when_configured(published, monkeypatch):
    _, env, _ = published
    from warehouse.rollup import send

    for key in ("OUTPUT_DIR", "DATABASE_URL", "AIRFLOW_HOME"):
        monkeypatch.setenv(key, env[key])
    monkeypatch.delenv("EXTRACT_EMAIL_SO_NOI_VU", raising=False)
    monkeypatch.delenv("EXTRACT_EMAIL_THANH_TRA_TINH", raising=False)
    assert send(PERIOD) == {"so-noi-vu": [], "thanh-tra-tinh": []}
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSink)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_PORT", str(server.server_address[1]))
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_STARTTLS", "False")
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_SSL", "False")
        monkeypatch.setenv("AIRFLOW__SMTP__SMTP_MAIL_FROM", "kho-du-lieu@khanhhoa.invalid")
        monkeypatch.setenv("EXTRACT_EMAIL_SO_NOI_VU", "snv@khanhhoa.invalid")
        assert send(PERIOD) == {"so-noi-vu": ["snv@khanhhoa.invalid"], "thanh-tra-tinh": []}
    finally:
        server.shutdown()
        server.server_close()
    message = email.message_from_bytes(_SmtpSink.messages[-1])
    attachments = sorted(part.get_filename() for part in message.walk() if part.get_filename())
    assert attachments == ["manifest.json", f"so-noi-vu_{PERIOD}.pdf", f"so-noi-vu_{PERIOD}.xlsx"]
    assert "snv@khanhhoa.invalid" in message["To"]


def test_the_rollup_finds_the_due_period_by_itself(published):
    _, env, extracts = published
    log = Path(env["OUTPUT_DIR"]) / "logs" / "biannual_rollup_due.log"
    run = rollup(env, period=None)  # the data reach 20/09/2025: 2025-6T is due, and already published
    assert run.returncode == 0, run.stdout[-3000:]
    assert "none due" in log.read_text()
    (extracts / "so-noi-vu").unlink()  # as if it had never been published
    run = rollup(env, period=None)
    assert run.returncode == 0, run.stdout[-3000:]
    assert f"period to publish: {PERIOD}" in log.read_text() and (extracts / "so-noi-vu" / "manifest.json").exists()
