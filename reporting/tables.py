"""The tables of the six-monthly extracts, read from the marts (and dq) only: no personal data can reach them.

Every figure that is a KPI (its value, target, met or missed, previous period, change) comes from
`marts.kpi_values`, and what it is called from `marts.dim_kpi`: this module names KPIs by id and lays them out
(sheets, columns, headers, notes), nothing more. Sheet and column names are Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row

from expectations.blockers import period_gaps

from .workbook import Column, Table

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Period:
    period_id: str
    period_kind: str
    label: str
    start_date: dt.date
    end_date: dt.date
    previous_period_id: str | None
    as_of: dt.datetime  # the data date: the latest delivery's moment (marts.data_date)

    @property
    def dates(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"


class PeriodNotReady(ValueError):
    """The period cannot be published: unknown, not a six-month or annual period, or not over yet."""


def load_period(conn: psycopg.Connection, period_id: str) -> Period:
    row = conn.execute(
        "select period_id, period_kind, label_vi, start_date, end_date, previous_period_id from marts.dim_period"
        " where period_id = %s",
        (period_id,),
    ).fetchone()
    if not row:
        raise PeriodNotReady(f"unknown period {period_id!r}: use a six-month (2025-6T) or annual (2025-NAM) period")
    if row[1] not in ("six_months", "year"):
        raise PeriodNotReady(f"{period_id} is a {row[1]} period; the rollup publishes six-month and annual periods")
    state = conn.execute(
        "select bool_or(is_period_open), max(measured_until_date) from marts.kpi_values"
        " where period_id = %s and scope = 'province' and family = 'case_timeliness'",
        (period_id,),
    ).fetchone()
    if state[0] is None:
        raise PeriodNotReady(f"no data for {period_id} in the marts")
    if state[0]:
        raise PeriodNotReady(
            f"{period_id} is not over yet: the data reach {state[1]:%d/%m/%Y}, the cut-off is {row[4]:%d/%m/%Y}"
        )
    as_of = conn.execute("select as_of_at from marts.data_date").fetchone()[0]  # the latest delivery's moment
    return Period(*row, as_of=as_of.astimezone(LOCAL))


def _rows(conn: psycopg.Connection, sql: str, params: dict) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def kpis(conn: psycopg.Connection, where: str, params: dict) -> list[dict]:
    """Catalogue rows (dim_kpi) matching `where`, in display order."""
    return _rows(conn, f"select * from marts.dim_kpi where {where} order by display_order", params)


KPI_VALUE = """
    select k.scope_key, k.numerator, k.denominator, k.value, k.previous_value as previous,
           k.change_from_previous as change, k.target_operator as operator, k.target_value as target,
           k.is_target_met as met
    from marts.kpi_values k
    where k.kpi_id = %(kpi)s and k.scope = %(scope)s and k.period_id = %(p)s
"""


def kpi_values(conn, kpi_id: str, period: Period, scope: str = "agency") -> dict[str, dict]:
    """One KPI's rows of the period in a scope, by scope key (agency id, level, 'province')."""
    rows = _rows(conn, KPI_VALUE, {"kpi": kpi_id, "scope": scope, "p": period.period_id})
    return {row.pop("scope_key"): row for row in rows}


AGENCY_COLUMNS = [Column("agency_id", "Mã đơn vị", width=14), Column("agency_name", "Tên đơn vị", width=42)]
RATE_COLUMNS = [
    Column("previous", "Kỳ trước", "rate", 10),
    Column("change", "Thay đổi", "change", 10),
    Column("target", "Mục tiêu", "rate", 10),
    Column("met", "Đạt mục tiêu", "met", 12),
]


# -- Sở Nội vụ ----------------------------------------------------------------------------------------------
def province_summary(conn, period: Period, recipient: str) -> Table:
    """The recipient's KPIs for the province: numerator, denominator, value, previous period, change, target,
    met (the 766 scorecard has a table of its own)."""
    rows = _rows(
        conn,
        """
        select d.label_vi as kpi, k.numerator, k.denominator, k.value, k.previous_value as previous,
               k.change_from_previous as change, coalesce(k.target_operator, '') as operator,
               k.target_value as target, k.is_target_met as met,
               coalesce(k.target_source, 'Không có mục tiêu cho năm này') as target_source
        from marts.dim_kpi d
        left join marts.kpi_values k on k.kpi_id = d.kpi_id and k.scope = 'province' and k.period_id = %(p)s
        where %(recipient)s = any(d.recipients) and d.family <> 'scorecard_766' and d.unit = 'share'
        order by d.display_order
        """,
        {"p": period.period_id, "recipient": recipient},
    )
    return Table(
        "Tổng hợp tỉnh",
        "tong_hop_tinh",
        f"Các chỉ tiêu của tỉnh – {period.label} ({period.dates})",
        [
            Column("kpi", "Chỉ tiêu", width=60),
            Column("numerator", "Tử số", "int"),
            Column("denominator", "Mẫu số", "int"),
            Column("value", "Giá trị", "rate", 10),
            Column("previous", "Kỳ trước", "rate", 10),
            Column("change", "Thay đổi", "change", 10),
            Column("operator", "So sánh", width=8),
            Column("target", "Mục tiêu", "rate", 10),
            Column("met", "Đạt mục tiêu", "met", 12),
            Column("target_source", "Căn cứ mục tiêu", width=40),
        ],
        rows,
        note="Mục tiêu lấy theo kế hoạch, quyết định hoặc văn bản pháp luật của năm của kỳ; "
        "năm không có văn bản đặt mục tiêu thì không có mục tiêu (không lấy mục tiêu của năm khác).",
    )


def _agency_table(
    conn,
    period: Period,
    model: str,
    measures: list[tuple[str, str]],
    kpi_id: str,
    name: str,
    slug: str,
    title: str,
    rate_header: str = "Tỷ lệ",
    extra_columns: list[Column] | None = None,
    note: str | None = None,
) -> Table:
    """An agency table: `measures` (column, header) summed per agency from a wide KPI mart (a column may be a sum of
    columns, `a + b`: it takes the first one's name), then one KPI's value, previous period, change, target and met
    from kpi_values."""
    keys = [column.split(" + ")[0] for column, _ in measures]
    listed = ", ".join(
        f"sum({' + '.join(f'k.{part}' for part in column.split(' + '))}) as {key}"
        for (column, _), key in zip(measures, keys, strict=True)
    )
    rows = _rows(
        conn,
        f"""
        select a.agency_id, a.agency_name, a.land_branch_id, {listed}
        from marts.{model} k join marts.dim_agency a using (agency_id)
        where k.period_id = %(p)s
        group by a.agency_id, a.agency_name, a.land_branch_id, a.agency_level
        order by a.agency_level, a.agency_id
        """,
        {"p": period.period_id},
    )
    values = kpi_values(conn, kpi_id, period)
    for row in rows:
        row.update(values.get(row["agency_id"], {}))
    columns = [
        *AGENCY_COLUMNS,
        *(extra_columns or []),
        *[Column(key, header, "int") for (_, header), key in zip(measures, keys, strict=True)],
        Column("value", rate_header, "rate", 10),
        *RATE_COLUMNS,
    ]
    return Table(name, slug, f"{title} – {period.label} ({period.dates})", columns, rows, note)


def case_results(conn, period: Period) -> Table:
    return _agency_table(
        conn,
        period,
        "kpi_case_timeliness",
        [
            ("carried_over", "Tồn kỳ trước"),
            ("received_online", "Tiếp nhận trực tuyến"),
            ("received_direct", "Tiếp nhận trực tiếp"),
            ("received_postal", "Tiếp nhận qua bưu chính"),
            ("transferred_in", "Nhận chuyển giao"),
            ("resolved_early", "Giải quyết trước hạn"),
            ("resolved_on_time", "Giải quyết đúng hạn"),
            ("resolved_late", "Giải quyết quá hạn"),
            ("in_progress_within_due", "Đang giải quyết trong hạn"),
            ("in_progress_overdue", "Đang giải quyết quá hạn"),
            ("in_progress_waiting", "Đang chờ công dân bổ sung"),
            ("ended_with_supplement", "Có yêu cầu bổ sung"),
            ("ended_supplement_out_of_rule", "Trong đó yêu cầu bổ sung không đúng quy định"),
            ("returned + withdrawn", "Trả lại, rút hồ sơ"),
            ("ended_after_due", "Trong đó trả lại, rút sau khi quá hạn"),
            ("transferred_out", "Chuyển giao đi"),
        ],
        "case_on_time_rate",
        "Giải quyết TTHC",
        "giai_quyet_tthc",
        "Tình hình, kết quả giải quyết TTHC theo đơn vị",
        rate_header="Tỷ lệ đúng hạn",
        note=(
            "Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết; hồ sơ trả lại, rút hồ sơ không tính. "
            "Hồ sơ trả lại, rút sau khi quá hạn được tính là trễ hạn trong tỷ lệ trễ hạn kể cả hồ sơ đang quá hạn."
        ),
    )


def online_table(conn, period: Period) -> Table:
    return _agency_table(
        conn,
        period,
        "kpi_online_share",
        [
            ("received", "Hồ sơ tiếp nhận"),
            ("received_online", "Nộp trực tuyến"),
            ("received_fully_online", "Trực tuyến toàn trình"),
            ("received_with_fee", "Hồ sơ có phí"),
            ("received_paid_online", "Thanh toán trực tuyến"),
            ("resolved", "Hồ sơ đã giải quyết"),
            ("resolved_with_electronic_result", "Có kết quả điện tử"),
            ("resolved_digitised", "Đã số hóa"),
        ],
        "online_submission_share",
        "Trực tuyến, số hóa",
        "truc_tuyen_so_hoa",
        "Dịch vụ công trực tuyến, thanh toán trực tuyến, số hóa theo đơn vị",
        note="Tỷ lệ = hồ sơ nộp trực tuyến / hồ sơ tiếp nhận; các cột khác cho phép tính tỷ lệ thanh toán, số hóa.",
    )


def land_table(conn, period: Period) -> Table:
    return _agency_table(
        conn,
        period,
        "kpi_land_lateness",
        [
            ("land_received", "Hồ sơ đất đai tiếp nhận"),
            ("land_resolved", "Hồ sơ đất đai đã giải quyết"),
            ("land_resolved_late", "Trong đó quá hạn"),
            ("land_in_progress_overdue", "Đang giải quyết quá hạn"),
            ("land_late_incl_overdue_numerator", "Hồ sơ trễ hạn (kể cả đang quá hạn)"),
            ("land_late_incl_overdue_denominator", "Hồ sơ được đánh giá"),
        ],
        "land_late_rate_incl_overdue",
        "Đất đai",
        "dat_dai",
        "Hồ sơ đất đai trễ hạn theo đơn vị",
        rate_header="Tỷ lệ trễ hạn",
        extra_columns=[Column("land_branch_id", "Chi nhánh VPĐKĐĐ", width=14)],
        note=(
            "Tỷ lệ trễ hạn = (giải quyết quá hạn + trả lại, rút sau khi quá hạn + đang giải quyết quá hạn) / "
            "hồ sơ được đánh giá trong kỳ; chỉ tính hồ sơ đã giải quyết thì tỷ lệ là quá hạn / đã giải quyết."
        ),
    )


def apology_table(conn, period: Period) -> Table:
    return _agency_table(
        conn,
        period,
        "kpi_apology_compliance",
        [
            ("late_resolved", "Giải quyết quá hạn"),
            ("overdue_in_progress", "Đang giải quyết quá hạn"),
            ("became_late", "Hồ sơ trễ hạn"),
            ("became_late_with_apology", "Có thư xin lỗi"),
            ("became_late_with_timely_apology", "Xin lỗi trước hạn ít nhất 01 ngày làm việc"),
        ],
        "apology_compliance_rate",
        "Xin lỗi",
        "xin_loi",
        "Hồ sơ trễ hạn có thư xin lỗi theo đơn vị",
        note="Hồ sơ trễ hạn = giải quyết quá hạn trong kỳ + đang giải quyết quá hạn cuối kỳ.",
    )


def feedback_table(conn, period: Period) -> Table:
    return _agency_table(
        conn,
        period,
        "kpi_feedback_handling",
        [
            ("received", "PAKN tiếp nhận"),
            ("passed_on", "Chuyển đơn vị khác"),
            ("due", "Đến hạn trong kỳ"),
            ("due_answered_on_time", "Trả lời đúng hạn"),
            ("answered", "Đã trả lời"),
            ("answered_published", "Đã công khai"),
            ("satisfaction_base", "Cơ sở tính hài lòng"),
            ("unsatisfied", "Không hài lòng hoặc trễ"),
        ],
        "feedback_on_time_rate",
        "PAKN",
        "pakn",
        "Tiếp nhận, xử lý phản ánh, kiến nghị theo đơn vị",
        note="Tỷ lệ = PAKN trả lời đúng hạn / PAKN đến hạn trong kỳ.",
    )


def feedback_by_channel(conn, period: Period) -> Table:
    """The province's feedback (PAKN) per channel received: the hotline, the portals, the desk, letters."""
    rows = _rows(
        conn,
        """
        select channel_label_vi as channel, received, passed_on, due, due_answered_on_time, on_time_rate,
               overdue_open_at_end
        from marts.kpi_feedback_handling_province
        where period_id = %(p)s
        order by received desc, channel
    """,
        {"p": period.period_id},
    )
    return Table(
        "PAKN theo kênh",
        "pakn_theo_kenh",
        f"Phản ánh, kiến nghị theo kênh tiếp nhận (toàn tỉnh) – {period.label}",
        [
            Column("channel", "Kênh tiếp nhận", width=36),
            Column("received", "Tiếp nhận", "int"),
            Column("passed_on", "Chuyển đơn vị khác", "int"),
            Column("due", "Đến hạn", "int"),
            Column("due_answered_on_time", "Trả lời đúng hạn", "int"),
            Column("on_time_rate", "Tỷ lệ đúng hạn", "rate", 12),
            Column("overdue_open_at_end", "Quá hạn chưa trả lời cuối kỳ", "int"),
        ],
        rows,
        note="Tỷ lệ đúng hạn = PAKN trả lời đúng hạn / PAKN đến hạn trong kỳ; quá hạn chưa trả lời cuối kỳ "
        "gồm cả PAKN tiếp nhận từ các kỳ trước.",
    )


def scorecard_766(conn, period: Period) -> Table:
    """Decision 766 points per group for each calendar quarter that ended within the period."""
    rows = _rows(
        conn,
        """
        select t.period_id, p.label_vi, t.group_id, t.group_name_vi, t.points, t.points_max_scored, t.group_max_points
        from marts.kpi_766_scorecard_totals t join marts.dim_period p using (period_id)
        where t.scope = 'province' and p.period_kind = 'calendar_quarter'
          and p.end_date between %(start)s and %(end)s
        order by p.start_date, t.group_id
    """,
        {"start": period.start_date, "end": period.end_date},
    )
    return Table(
        "Chỉ số 766",
        "chi_so_766",
        f"Bộ chỉ số 766/QĐ-TTg của tỉnh theo quý – {period.label}",
        [
            Column("period_id", "Kỳ", width=12),
            Column("label_vi", "Quý", width=24),
            Column("group_id", "Nhóm", width=8),
            Column("group_name_vi", "Tên nhóm", width=32),
            Column("points", "Điểm đạt được", "points", 8),
            Column("points_max_scored", "Điểm tối đa chấm được", "points"),
            Column("group_max_points", "Điểm tối đa theo Quyết định 766", "points", 10),
        ],
        rows,
        note="Điểm chỉ gồm các chỉ tiêu có công thức đã kiểm chứng và có đủ dữ liệu trong nguồn của tỉnh; "
        "đọc điểm đạt được so với điểm tối đa chấm được, không so với 100. "
        "Các chỉ tiêu chưa chấm điểm và lý do: bảng «Chỉ tiêu 766 chưa chấm».",
    )


def scorecard_766_unscored(conn, period: Period) -> Table:
    """The 766 indicators without points in the period's last quarter, and why (the data or rule missing)."""
    rows = _rows(
        conn,
        """
        select distinct on (s.indicator_id) s.indicator_id, s.indicator_name_vi, s.max_points, s.rate,
               s.not_scored_reason_vi
        from marts.kpi_766_scorecard_province s join marts.dim_period p using (period_id)
        where p.period_kind = 'calendar_quarter' and p.end_date between %(start)s and %(end)s
          and s.points is null and s.not_scored_reason_vi is not null
        order by s.indicator_id, p.end_date desc
    """,
        {"start": period.start_date, "end": period.end_date},
    )
    return Table(
        "Chỉ tiêu 766 chưa chấm",
        "chi_so_766_chua_cham",
        f"Chỉ tiêu của Bộ chỉ số 766 chưa chấm điểm và lý do – {period.label}",
        [
            Column("indicator_id", "Chỉ tiêu", width=10),
            Column("indicator_name_vi", "Tên chỉ tiêu", width=44),
            Column("max_points", "Điểm tối đa", "points", 10),
            Column("rate", "Tỷ lệ (nếu tính được)", "rate", 12),
            Column("not_scored_reason_vi", "Lý do chưa chấm điểm", width=100),
        ],
        rows,
    )


FILING_STATUS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa gửi", "not_yet_due": "Chưa đến hạn"}


def report_compliance(conn, period: Period, types: tuple[str, ...]) -> Table:
    rows = _rows(
        conn,
        """
        select r.agency_id, a.agency_name, r.report_type, r.filing_status as status,
               r.deadline_date, r.submitted_date, r.days_late
        from marts.kpi_report_compliance r join marts.dim_agency a using (agency_id)
        where r.period_id = %(p)s and r.report_type = any(%(types)s)
        order by case r.filing_status when 'missing' then 0 when 'late' then 1 else 2 end, r.agency_id, r.report_type
    """,
        {"p": period.period_id, "types": list(types)},
    )
    for row in rows:
        row["status"] = FILING_STATUS[row["status"]]
    return Table(
        "Chế độ báo cáo",
        "che_do_bao_cao",
        f"Tình hình gửi báo cáo định kỳ – {period.label}",
        [
            *AGENCY_COLUMNS,
            Column("report_type", "Loại báo cáo", width=12),
            Column("status", "Tình trạng", width=14),
            Column("deadline_date", "Hạn gửi", "date", 12),
            Column("submitted_date", "Ngày gửi", "date", 12),
            Column("days_late", "Số ngày trễ", "int", 10),
        ],
        rows,
        note="Chưa gửi: quá hạn mà không nhận được báo cáo. Trễ hạn: nhận sau hạn gửi.",
    )


def open_gaps(conn, period: Period) -> Table:
    rows = [
        {
            "severity": "Nghiêm trọng" if gap.severity == "critical" else "Cảnh báo",
            "kind": gap.kind,
            "agency_id": gap.agency_id,
            "period_id": gap.period_id,
            "rows_affected": gap.rows_affected,
            "description": gap.description,
            "first_seen": gap.first_seen_at.date(),
            "last_seen": gap.last_seen_at.date(),
        }
        for gap in period_gaps(conn, period.period_id)
    ]
    return Table(
        "Chất lượng dữ liệu",
        "chat_luong_du_lieu",
        f"Các vấn đề chất lượng dữ liệu còn mở của kỳ – {period.label}",
        [
            Column("severity", "Mức độ", width=14),
            Column("kind", "Loại", width=24),
            Column("agency_id", "Mã đơn vị", width=14),
            Column("period_id", "Kỳ", width=10),
            Column("rows_affected", "Số bản ghi", "int", 10),
            Column("description", "Mô tả", width=60),
            Column("first_seen", "Phát hiện lần đầu", "date", 12),
            Column("last_seen", "Phát hiện gần nhất", "date", 12),
        ],
        rows,
    )


# -- Thanh tra tỉnh -----------------------------------------------------------------------------------------
def reported_table(conn, period: Period, family: str, name: str, slug: str, title: str) -> Table:
    """What each agency that filed a report for the period reported for one family of indicators (its latest
    submission), a column per KPI of the family (dim_kpi), counts first, then their rates."""
    family_kpis = kpis(conn, "family = %(family)s", {"family": family})
    rows = _rows(
        conn,
        """
        select distinct v.agency_id, a.agency_name
        from marts.fct_report_values v join marts.dim_agency a using (agency_id)
        where v.period_id = %(p)s order by v.agency_id
        """,
        {"p": period.period_id},
    )
    for kpi in family_kpis:
        values = kpi_values(conn, kpi["kpi_id"], period)
        for row in rows:
            row[kpi["kpi_id"]] = values.get(row["agency_id"], {}).get("value")
    columns = [
        *AGENCY_COLUMNS,
        *[
            Column(k["kpi_id"], k["label_vi"], *(("number", 14) if k["unit"] == "count" else ("rate", 12)))
            for k in family_kpis
        ],
    ]
    return Table(
        name,
        slug,
        f"{title} – {period.label} ({period.dates})",
        columns,
        rows,
        note="Số liệu từ báo cáo định kỳ của các cơ quan (lần gửi gần nhất của mỗi cơ quan).",
    )


REPORTED_FAMILIES = ("citizen_reception", "complaints_denunciations", "anti_corruption")


def inspectorate_summary(conn, period: Period) -> Table:
    """The province's totals of what the agencies reported, against the previous period."""
    rows = _rows(
        conn,
        """
        select d.numerator_column as code, d.label_vi as name, k.value, k.previous_value as previous,
               k.change_from_previous as change
        from marts.dim_kpi d
        left join marts.kpi_values k on k.kpi_id = d.kpi_id and k.scope = 'province' and k.period_id = %(p)s
        where d.family = any(%(families)s) and d.unit = 'count'
        order by d.display_order
        """,
        {"p": period.period_id, "families": list(REPORTED_FAMILIES)},
    )
    return Table(
        "Tổng hợp tỉnh",
        "tong_hop_tinh",
        f"Tổng hợp số liệu báo cáo của các cơ quan – {period.label}",
        [
            Column("code", "Mã chỉ tiêu", width=12),
            Column("name", "Chỉ tiêu", width=40),
            Column("value", "Kỳ này", "number", 12),
            Column("previous", "Kỳ trước", "number", 12),
            Column("change", "Thay đổi", "number", 12),
        ],
        rows,
    )


def sources(conn, period: Period, recipient: str, tables: list[Table]) -> Table:
    """Where the numbers come from, the cut-off dates, and what was left out."""
    rejected, dropped, quarantined = conn.execute(
        "select count(*) filter (where status = 'rejected'), count(*) filter (where status = 'excluded'),"
        " coalesce(sum(rows_quarantined), 0) from marts.fct_load_batches"
    ).fetchone()
    rows = [
        {"item": "Đơn vị nhận", "value": recipient},
        {"item": "Kỳ báo cáo", "value": f"{period.label} ({period.period_id})"},
        {
            "item": "Thời gian chốt số liệu",
            "value": f"Từ {period.start_date:%d/%m/%Y} đến {period.end_date:%d/%m/%Y}"
            " (Nghị định 09/2019/NĐ-CP, Điều 12)",
        },
        {"item": "Số liệu cập nhật đến", "value": f"{period.as_of:%d/%m/%Y %H:%M}"},
        {"item": "Kỳ so sánh", "value": period.previous_period_id or "(không có)"},
        {
            "item": "Nguồn dữ liệu",
            "value": "Hệ thống thông tin giải quyết TTHC tỉnh (hồ sơ, sự kiện); hệ thống tiếp "
            "nhận, trả lời PAKN; báo cáo định kỳ của các cơ quan (tệp Excel)",
        },
        {
            "item": "Dữ liệu bị loại",
            "value": f"{rejected} tệp bị từ chối, {dropped} lô bị loại bởi người vận hành, "
            f"{quarantined} bản ghi sai quy cách (chi tiết: raw.quarantine)",
        },
        {
            "item": "Dữ liệu cá nhân",
            "value": "Không có: họ tên, số giấy tờ, điện thoại, địa chỉ, nội dung PAKN không được đưa vào báo cáo",
        },
        {"item": "Các bảng", "value": "; ".join(t.name for t in tables)},
    ]
    return Table(
        "Nguồn và phạm vi",
        "nguon_va_pham_vi",
        "Nguồn số liệu, thời gian chốt và dữ liệu bị loại",
        [Column("item", "Mục", width=28), Column("value", "Nội dung", width=110)],
        rows,
    )


def so_noi_vu_tables(conn, period: Period) -> list[Table]:
    tables = [
        province_summary(conn, period, "so-noi-vu"),
        case_results(conn, period),
        online_table(conn, period),
        land_table(conn, period),
        apology_table(conn, period),
        feedback_table(conn, period),
        scorecard_766(conn, period),
        scorecard_766_unscored(conn, period),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC", "CCHC")),
        open_gaps(conn, period),
    ]
    return [sources(conn, period, "Sở Nội vụ tỉnh Khánh Hòa", tables), *tables]


def thanh_tra_tables(conn, period: Period) -> list[Table]:
    tables = [
        inspectorate_summary(conn, period),
        reported_table(
            conn, period, "citizen_reception", "Tiếp công dân", "tiep_cong_dan", "Tiếp công dân theo đơn vị"
        ),
        reported_table(
            conn,
            period,
            "complaints_denunciations",
            "Khiếu nại, tố cáo",
            "khieu_nai_to_cao",
            "Tiếp nhận, giải quyết khiếu nại, tố cáo theo đơn vị",
        ),
        reported_table(
            conn,
            period,
            "anti_corruption",
            "Phòng, chống tham nhũng",
            "pctn",
            "Kết quả phòng, chống tham nhũng theo đơn vị",
        ),
        feedback_table(conn, period),
        feedback_by_channel(conn, period),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC")),
        open_gaps(conn, period),
    ]
    return [sources(conn, period, "Thanh tra tỉnh Khánh Hòa", tables), *tables]
