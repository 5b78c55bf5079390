"""Build the officials' site into OUTPUT_DIR/site/: static HTML and CSS, inline SVG, no script, nothing fetched
when a page is viewed, so it opens from the file system, any static server, or an operations-centre screen.

Pages: the province (index.html), a league table per KPI (xep-hang/), a page per agency (don-vi/), the
data-quality view of every validation (chat-luong-du-lieu.html), the published documents (van-ban/) and the
engineers' pages (ky-thuat/: dbt docs as one file, GX Data Docs as raw detail). Every table has its CSV beside
it (csv/). Read as the `analyst` role; rebuilt from scratch every night into a new folder that replaces the old.
"""

from __future__ import annotations

import csv
import io
import logging
import os
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from jinja2 import Environment, FileSystemLoader, select_autoescape

from reporting.labels import FILING_STATUS, GAP_KINDS, LEVELS, REPORT_TYPES, SEVERITY, number_vi, target_vi

from . import data
from .charts import shown, sparkline

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
WARNING = {"near_due": "Sắp đến hạn", "overdue": "Quá hạn"}
CHANNELS = {"online": "Trực tuyến", "direct": "Trực tiếp", "postal": "Bưu chính"}


@dataclass
class SiteTable:
    """A table of a page and its CSV: `columns` are (key, header), rows hold display texts (`cells`) and the raw
    values for the CSV (`values`)."""

    caption: str
    csv_name: str
    columns: list[tuple[str, str]]
    rows: list[dict] = field(default_factory=list)
    numeric: tuple[str, ...] = ()  # right-aligned columns

    def csv_bytes(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([header for _, header in self.columns])
        for row in self.rows:
            values = row.get("values", row)
            writer.writerow(["" if values.get(key) is None else values.get(key) for key, _ in self.columns])
        return ("\ufeff" + out.getvalue()).encode("utf-8")


def _date(value) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"


def _kpi_row(kpi: dict, value: dict | None, trend: str, gaps: list[dict], current: dict | None, prefix: str) -> dict:
    unit = kpi["unit"]
    value = value or {}
    target = target_vi(value.get("target_operator"), value.get("target_value"), unit)
    met = value.get("is_target_met")
    cells = {
        "kpi": kpi["label_vi"],
        "value": shown(value.get("value"), unit),
        "fraction": (
            f"{number_vi(value.get('numerator'))}/{number_vi(value.get('denominator'))}"
            if unit == "share" and value.get("denominator") is not None
            else ""
        ),
        "target": target or "không có",
        "met": "" if met is None else ("Đạt" if met else "Không đạt"),
        "previous": shown(value.get("previous_value"), unit),
        "year_before": shown(value.get("year_before_value"), unit),
        "current": shown((current or {}).get("value"), unit),
        "trend": trend,
    }
    values = {
        "kpi": kpi["label_vi"],
        "value": value.get("value"),
        "fraction": cells["fraction"],
        "target": target,
        "met": cells["met"],
        "previous": value.get("previous_value"),
        "year_before": value.get("year_before_value"),
        "current": (current or {}).get("value"),
    }
    return {
        "cells": cells,
        "values": values,
        "missed": met is False,
        "gaps": [f"{prefix}chat-luong-du-lieu.html#gap-{g['gap_id']}" for g in gaps],
    }


class Site:
    def __init__(self, conn: psycopg.Connection, out: Path, extracts: Path | None, tech: dict[str, Path]):
        self.conn, self.out, self.extracts, self.tech = conn, out, extracts, tech
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
        self.periods = data.periods(conn)
        self.kpis = data.catalogue(conn)
        self.gaps = data.open_gaps(conn)
        self.gaps_by_family = data.gaps_by_family(self.gaps)
        # every agency's name, former ones included (a gap may name a commune merged away): read once
        self.names = dict(conn.execute("select agency_id, agency_name from marts.dim_agency").fetchall())
        self.month_ids = [p["period_id"] for p in self.periods.months]
        self.csv_written: list[str] = []

    # -- helpers -----------------------------------------------------------------------------------------------
    def _write(self, name: str, template: str, **context) -> None:
        prefix = "../" * name.count("/")
        page = self.env.get_template(template).render(
            prefix=prefix,
            periods=self.periods,
            as_of=f"{self.periods.as_of:%H:%M} ngày {self.periods.as_of:%d/%m/%Y}",
            date=_date,
            **context,
        )
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(page, encoding="utf-8")

    def _csv(self, table: SiteTable) -> None:
        path = self.out / "csv" / f"{table.csv_name}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(table.csv_bytes())
        self.csv_written.append(table.csv_name)

    def _kpi_table(self, scope: str, key: str, caption: str, csv_name: str, prefix: str, agency: str | None = None):
        last, current = self.periods.last_month["period_id"], self.periods.current_month["period_id"]
        found = data.values(self.conn, scope, [*self.month_ids, current], key)
        table = SiteTable(
            caption,
            csv_name,
            [
                ("kpi", "Chỉ tiêu"),
                ("value", f"{self.periods.last_month['label_vi']}"),
                ("fraction", "Tử số/mẫu số"),
                ("target", "Mục tiêu"),
                ("met", "Đạt/không đạt"),
                ("previous", "Tháng trước"),
                ("year_before", "Cùng kỳ năm trước"),
                ("current", f"{self.periods.current_month['label_vi']} (chưa hết kỳ)"),
                ("trend", "Xu hướng 12 tháng"),
            ],
            numeric=("value", "fraction", "previous", "year_before", "current"),
        )
        for kpi in self.kpis:
            value = found.get((kpi["kpi_id"], key, last))
            if value is None and not any((kpi["kpi_id"], key, p) in found for p in self.month_ids):
                continue  # not measured for this scope
            points = [
                (
                    p["label_vi"].replace("Tháng ", "T"),
                    (found.get((kpi["kpi_id"], key, p["period_id"])) or {}).get("value"),
                )
                for p in self.periods.months
            ]
            target = (value or {}).get("target_value")
            gaps = self.gaps_by_family.get((kpi["family"], agency), []) + self.gaps_by_family.get(
                (kpi["family"], None), []
            )
            table.rows.append(
                _kpi_row(
                    kpi,
                    value,
                    sparkline(points, kpi["unit"], target),
                    gaps,
                    found.get((kpi["kpi_id"], key, current)),
                    prefix,
                )
            )
        self._csv(table)
        return table

    def _half_table(self, scope: str, key: str, csv_name: str) -> SiteTable:
        """Every KPI over the reporting periods of Nghị định 09/2019: the six-month period of the data date and
        the years before it, each with numerator/denominator, target and met."""
        half = self.periods.current_half
        ids = [half["period_id"], *[p["period_id"] for p in self.periods.years]]
        labels = {half["period_id"]: half["label_vi"], **{p["period_id"]: p["label_vi"] for p in self.periods.years}}
        found = data.values(self.conn, scope, ids, key)
        columns = [("kpi", "Chỉ tiêu")]
        for pid in ids:
            columns += [(f"{pid}_value", labels[pid]), (f"{pid}_fraction", "Tử số/mẫu số"), (f"{pid}_met", "Mục tiêu")]
        table = SiteTable(
            "Các chỉ tiêu theo kỳ báo cáo 6 tháng, năm"
            + (" (kỳ chưa kết thúc: tính đến ngày của số liệu)" if half["is_period_open"] else ""),
            csv_name,
            columns,
            numeric=tuple(c for c, _ in columns if c.endswith(("_value", "_fraction"))),
        )
        for kpi in self.kpis:
            if not any((kpi["kpi_id"], key, pid) in found for pid in ids):
                continue
            values = {"kpi": kpi["label_vi"]}
            missed = False
            for pid in ids:
                v = found.get((kpi["kpi_id"], key, pid)) or {}
                values[f"{pid}_value"] = shown(v.get("value"), kpi["unit"])
                values[f"{pid}_fraction"] = (
                    f"{number_vi(v.get('numerator'))}/{number_vi(v.get('denominator'))}"
                    if kpi["unit"] == "share" and v.get("denominator") is not None
                    else ""
                )
                target = target_vi(v.get("target_operator"), v.get("target_value"), kpi["unit"])
                met = v.get("is_target_met")
                values[f"{pid}_met"] = (
                    f"{target}: {'đạt' if met else 'không đạt'}" if target and met is not None else ""
                )
                missed = missed or (pid == half["period_id"] and met is False)
            table.rows.append({"cells": values, "values": values, "missed": missed})
        self._csv(table)
        return table

    def _near_due_table(self, cases: list[dict], caption: str, csv_name: str) -> SiteTable:
        table = SiteTable(
            caption,
            csv_name,
            [
                ("case_id", "Mã hồ sơ"),
                ("warning", "Cảnh báo"),
                ("procedure_name", "Thủ tục"),
                ("field_name", "Lĩnh vực"),
                ("channel", "Hình thức nộp"),
                ("received_date", "Ngày tiếp nhận"),
                ("due_date", "Ngày hẹn trả"),
                ("working_days_left", "Số ngày làm việc còn lại (âm: đã quá)"),
                ("waiting", "Chờ công dân bổ sung"),
            ],
            numeric=("working_days_left",),
        )
        for row in cases:
            values = {
                **row,
                "warning": WARNING[row["warning"]],
                "channel": CHANNELS.get(row["channel"], row["channel"]),
                "waiting": "Có" if row["is_waiting_for_citizen"] else "Không",
                "received_date": _date(row["received_date"]),
                "due_date": _date(row["due_date"]),
            }
            table.rows.append({"cells": values, "values": values, "missed": row["warning"] == "overdue"})
        self._csv(table)
        return table

    def _reports_table(self, reports: list[dict], caption: str, csv_name: str) -> SiteTable:
        table = SiteTable(
            caption,
            csv_name,
            [
                ("period_label", "Kỳ báo cáo"),
                ("agency_name", "Đơn vị"),
                ("report", "Báo cáo"),
                ("status", "Tình trạng"),
                ("deadline", "Hạn gửi"),
                ("submitted", "Ngày gửi"),
                ("days_late", "Số ngày trễ"),
            ],
            numeric=("days_late",),
        )
        for row in reports:
            values = {
                **row,
                "report": REPORT_TYPES[row["report_type"]],
                "status": FILING_STATUS[row["filing_status"]],
                "deadline": _date(row["deadline_date"]),
                "submitted": _date(row["submitted_date"]),
            }
            table.rows.append({"cells": values, "values": values, "missed": row["filing_status"] == "missing"})
        self._csv(table)
        return table

    def _gaps_table(self, gaps: list[dict], caption: str, csv_name: str, prefix: str) -> SiteTable:
        names = self.names
        table = SiteTable(
            caption,
            csv_name,
            [
                ("kind", "Vấn đề"),
                ("severity", "Mức độ"),
                ("agency", "Đơn vị"),
                ("period_id", "Kỳ"),
                ("rows_affected", "Số bản ghi"),
                ("first_seen", "Ngày kiểm tra phát hiện lần đầu"),
                ("last_seen", "Ngày kiểm tra gần nhất còn thấy"),
            ],
            numeric=("rows_affected",),
        )
        for gap in gaps:
            values = {
                "kind": GAP_KINDS.get(gap["kind"], gap["kind"]),
                "severity": SEVERITY.get(gap["severity"], gap["severity"]),
                "agency": names.get(gap["agency_id"], gap["agency_id"] or "Toàn tỉnh"),
                "period_id": gap["period_id"] or "",
                "rows_affected": gap["rows_affected"],
                "first_seen": _date(gap["first_seen_at"]),
                "last_seen": _date(gap["last_seen_at"]),
            }
            table.rows.append({"cells": values, "values": values, "anchor": f"gap-{gap['gap_id']}"})
        self._csv(table)
        return table

    # -- pages -------------------------------------------------------------------------------------------------
    def build(self) -> None:
        shutil.copy(HERE / "static" / "site.css", self.out / "site.css")
        agencies = [a for a in data.agencies(self.conn) if a["is_current"]]
        documents = self._documents()
        tech = self._tech()
        # read once for the whole province, then shown per agency
        near_due, reports = defaultdict(list), defaultdict(list)
        for row in data.near_due(self.conn):
            near_due[row["agency_id"]].append(row)
        for row in data.reports_not_on_time(self.conn):
            reports[row["agency_id"]].append(row)
        by_agency = {
            aid: {kind: sum(r["warning"] == kind for r in rows) for kind in ("near_due", "overdue")}
            for aid, rows in near_due.items()
        }
        names = {a["agency_id"]: a for a in agencies}
        watch = sorted(by_agency.items(), key=lambda kv: (-kv[1]["overdue"], -kv[1]["near_due"], kv[0]))[:10]
        self._write(
            "index.html",
            "province.html",
            title="Toàn tỉnh",
            kpis=self._kpi_table(
                "province", "province", "Các chỉ tiêu của tỉnh theo tháng thống kê", "tinh_chi_tieu", ""
            ),
            halves=self._half_table("province", "province", "tinh_chi_tieu_6_thang_nam"),
            near_due=sum(c["near_due"] for c in by_agency.values()),
            overdue=sum(c["overdue"] for c in by_agency.values()),
            watch=[(names.get(a, {"agency_name": a}), a, c) for a, c in watch],
            documents=documents,
        )
        self._league(agencies)
        self._write("don-vi/index.html", "agencies.html", title="Các đơn vị", levels=LEVELS, agencies=agencies)
        for agency in agencies:
            aid = agency["agency_id"]
            own_gaps = [g for g in self.gaps if g["agency_id"] == aid]
            self._write(
                f"don-vi/{aid}.html",
                "agency.html",
                title=agency["agency_name"],
                agency=agency,
                level=LEVELS.get(agency["agency_level"], agency["agency_level"]),
                kpis=self._kpi_table(
                    "agency", aid, f"Các chỉ tiêu của {agency['agency_name']}", f"{aid}_chi_tieu", "../", aid
                ),
                halves=self._half_table("agency", aid, f"{aid}_chi_tieu_6_thang_nam"),
                near_due=self._near_due_table(near_due[aid], "Hồ sơ sắp đến hạn và quá hạn", f"{aid}_sap_den_han"),
                reports=self._reports_table(reports[aid], "Báo cáo định kỳ chưa gửi hoặc gửi trễ", f"{aid}_bao_cao"),
                gaps=self._gaps_table(own_gaps, "Vấn đề chất lượng dữ liệu còn mở", f"{aid}_chat_luong", "../"),
            )
        checks = SiteTable(
            "Kết quả kiểm tra gần nhất của từng quy tắc",
            "kiem_tra",
            [
                ("suite", "Bộ kiểm tra"),
                ("check", "Quy tắc"),
                ("target", "Bảng"),
                ("severity", "Mức độ"),
                ("result", "Kết quả"),
                ("unexpected", "Bản ghi không đạt"),
                ("at", "Thời điểm kiểm tra"),
            ],
            numeric=("unexpected",),
        )
        for v in data.validations(self.conn):
            values = {
                "suite": v["suite_name"],
                "check": v["check_name"],
                "target": v["target"],
                "severity": SEVERITY.get(v["severity"], v["severity"]),
                "result": "Đạt" if v["success"] else "Không đạt",
                "unexpected": v["unexpected_count"],
                "at": f"{v['validated_at'].astimezone(data.LOCAL):%d/%m/%Y %H:%M}",
            }
            checks.rows.append({"cells": values, "values": values, "missed": not v["success"]})
        self._csv(checks)
        self._write(
            "chat-luong-du-lieu.html",
            "quality.html",
            title="Chất lượng dữ liệu",
            gaps=self._gaps_table(self.gaps, "Các vấn đề chất lượng dữ liệu còn mở", "chat_luong", ""),
            checks=checks,
            tech=tech,
        )

    def _league(self, agencies: list[dict]) -> None:
        last = self.periods.last_month
        found = data.values(self.conn, "agency", [last["period_id"]])
        names = {a["agency_id"]: a for a in agencies}
        listed = []
        for kpi in self.kpis:
            if kpi["unit"] != "share":
                continue
            ranked = [v for (k, _, _), v in found.items() if k == kpi["kpi_id"] and v["agency_id"] in names]
            if not ranked:
                continue
            higher = kpi["direction"] != "lower"
            ranked.sort(key=lambda v: ((-(v["value"] or 0)) if higher else (v["value"] or 0), v["agency_id"]))
            table = SiteTable(
                f"{kpi['label_vi']} – {last['label_vi']}",
                f"xep_hang_{kpi['kpi_id']}",
                [
                    ("rank", "Hạng"),
                    ("agency", "Đơn vị"),
                    ("level", "Cấp"),
                    ("value", "Kết quả"),
                    ("fraction", "Tử số/mẫu số"),
                    ("target", "Mục tiêu"),
                    ("met", "Đạt/không đạt"),
                ],
                numeric=("rank", "value", "fraction"),
            )
            for rank, v in enumerate(ranked, start=1):
                agency = names[v["agency_id"]]
                values = {
                    "rank": rank,
                    "agency": agency["agency_name"],
                    "agency_id": v["agency_id"],
                    "level": LEVELS.get(agency["agency_level"], agency["agency_level"]),
                    "value": shown(v["value"], "share"),
                    "fraction": f"{number_vi(v['numerator'])}/{number_vi(v['denominator'])}",
                    "target": target_vi(v["target_operator"], v["target_value"]) or "không có",
                    "met": "" if v["is_target_met"] is None else ("Đạt" if v["is_target_met"] else "Không đạt"),
                }
                table.rows.append(
                    {
                        "cells": values,
                        "values": values,
                        "missed": v["is_target_met"] is False,
                        "link": f"../don-vi/{v['agency_id']}.html",
                    }
                )
            self._csv(table)
            missed = sum(r["missed"] for r in table.rows)
            listed.append((kpi, len(ranked), missed, any(v["target_value"] is not None for v in ranked)))
            self._write(f"xep-hang/{kpi['kpi_id']}.html", "league.html", title=kpi["label_vi"], kpi=kpi, ranked=table)
        self._write("xep-hang/index.html", "leagues.html", title="Xếp hạng đơn vị", listed=listed, period=last)

    def _documents(self) -> list[dict]:
        """Every published bundle's documents, copied into van-ban/ so the site carries them wherever it goes."""
        found = []
        if self.extracts is None or not self.extracts.is_dir():
            return found
        for bundle in sorted(self.extracts.glob("*/*"), reverse=True):
            if bundle.parent.name.startswith(".") or not (bundle / "manifest.json").exists():
                continue
            period, recipient = bundle.parent.name, bundle.name
            files = []
            for path in sorted(bundle.glob(f"{recipient}_{period}.*")):
                target = self.out / "van-ban" / period / path.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target)
                files.append(
                    {
                        "name": path.name,
                        "href": f"van-ban/{period}/{path.name}",
                        "kind": path.suffix[1:].upper(),
                        "size": f"{number_vi(path.stat().st_size / 1024, 0)} KB",
                    }
                )
            found.append({"period": period, "recipient": recipient, "files": files})
        return found

    def _tech(self) -> dict[str, str]:
        """The engineers' pages copied under ky-thuat/: dbt docs as one file, GX Data Docs as raw detail."""
        links = {}
        folder = self.out / "ky-thuat"
        folder.mkdir(parents=True, exist_ok=True)
        dbt_docs = self.tech.get("dbt_docs")
        if dbt_docs and dbt_docs.exists():
            shutil.copy(dbt_docs, folder / "dbt-docs.html")
            links["dbt"] = "ky-thuat/dbt-docs.html"
        gx_docs = self.tech.get("gx_docs")
        if gx_docs and gx_docs.exists():
            shutil.copytree(gx_docs.parent, folder / "gx", dirs_exist_ok=True)
            links["gx"] = "ky-thuat/gx/index.html"
        return links


def build_site(
    conn: psycopg.Connection, site_dir: Path, extracts: Path | None = None, tech: dict[str, Path] | None = None
) -> Path:
    """Build the whole site in a new folder beside `site_dir`, then swap it in: a reader never sees half a site."""
    site_dir = Path(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".site-", dir=site_dir.parent))
    try:
        Site(conn, staging, extracts, tech or {}).build()
        staging.chmod(0o755)
        old = site_dir.with_name(f".{site_dir.name}.old")
        if site_dir.exists():
            os.replace(site_dir, old)
        os.replace(staging, site_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    log.info("site: %s", site_dir / "index.html")
    return site_dir
