"""The tables of the six-monthly extracts, read from the marts (and dq) only: no personal data can reach them.

Each function returns `Table`s for one period; agency rows come with the agency's name, the previous period's
value of the main rate, the change and whether the target is met. Sheet and column names are Vietnamese.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import psycopg
from psycopg.rows import dict_row

from .workbook import Column, Table

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")

# The indicators of the agencies' reports that the inspectorate's tables show (codes of the dm_chitieu
# catalogue the province uses; a province with other codes changes them here).
RECEPTION = [("TCD01", "Lượt tiếp công dân"), ("TCD02", "Người được tiếp"), ("TCD03", "Đoàn đông người")]
COMPLAINTS = [
    ("KN01", "Đơn khiếu nại tiếp nhận"),
    ("KN02", "Vụ khiếu nại thuộc thẩm quyền"),
    ("KN03", "Vụ khiếu nại đã giải quyết"),
    ("TC01", "Đơn tố cáo tiếp nhận"),
    ("TC02", "Vụ tố cáo thuộc thẩm quyền"),
    ("TC03", "Vụ tố cáo đã giải quyết"),
]
ANTI_CORRUPTION = [
    ("PCTN01", "Người phải kê khai tài sản"),
    ("PCTN02", "Người đã kê khai tài sản"),
    ("PCTN03", "Người phải chuyển đổi vị trí"),
    ("PCTN04", "Người đã chuyển đổi vị trí"),
    ("PCTN05", "Cuộc kiểm tra nội bộ"),
    ("PCTN06", "Vụ việc tham nhũng phát hiện"),
    ("PCTN07", "Người vi phạm phát hiện"),
]


@dataclass(frozen=True)
class Period:
    period_id: str
    period_kind: str
    label: str
    start_date: dt.date
    end_date: dt.date
    previous_period_id: str | None
    as_of: dt.datetime  # the data's last change (what the marts describe)

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
        "select bool_or(is_period_open), max(measured_until_date) from marts.kpi_case_timeliness_province"
        " where period_id = %s",
        (period_id,),
    ).fetchone()
    if state[0] is None:
        raise PeriodNotReady(f"no data for {period_id} in the marts")
    if state[0]:
        raise PeriodNotReady(
            f"{period_id} is not over yet: the data reach {state[1]:%d/%m/%Y}, the cut-off is {row[4]:%d/%m/%Y}"
        )
    as_of = conn.execute(
        "select greatest((select max(source_updated_at) from marts.fct_cases),"
        " (select max(source_updated_at) from marts.fct_feedback),"
        " (select max(submitted_at) from marts.fct_report_submissions))"
    ).fetchone()[0]
    return Period(*row, as_of=as_of.astimezone(LOCAL))


def _rows(conn: psycopg.Connection, sql: str, params: dict) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def _change(rows: list[dict], value: str, previous: str, change: str) -> list[dict]:
    for row in rows:
        row[change] = None if row.get(value) is None or row.get(previous) is None else row[value] - row[previous]
    return rows


AGENCY_COLUMNS = [Column("agency_id", "Mã đơn vị", width=14), Column("agency_name", "Tên đơn vị", width=42)]
TARGET_COLUMNS = [Column("target", "Mục tiêu", "rate", 10), Column("met", "Đạt mục tiêu", "met", 12)]


def province_target(conn, kpi: str, period: Period) -> tuple:
    """(operator, target value) of a KPI for the year the period ends in; (None, None) without a target."""
    found = conn.execute(
        "select operator, target_value from marts.dim_kpi_target where kpi = %s and scope = 'province' and year = %s",
        (kpi, period.end_date.year),
    ).fetchone()
    return tuple(found) if found else (None, None)


def _met(value, operator, target):
    if value is None or target is None:
        return None
    return {">=": value >= target, ">": value > target, "<=": value <= target, "<": value < target}[operator]


# -- Sở Nội vụ ----------------------------------------------------------------------------------------------
def province_summary(conn, period: Period) -> Table:
    """Every KPI for the province: numerator, denominator, value, previous period, change, target, met."""
    params = {"p": period.period_id, "q": period.previous_period_id}
    specs = [
        (
            "Tỷ lệ hồ sơ giải quyết đúng hạn (trước hạn + đúng hạn / đã giải quyết)",
            "kpi_case_timeliness_province",
            "on_time_numerator",
            "on_time_denominator",
            "case_on_time_rate",
            ">=",
        ),
        (
            "Tỷ lệ trễ hạn kể cả hồ sơ đang quá hạn",
            "kpi_case_timeliness_province",
            "late_incl_overdue_numerator",
            "late_incl_overdue_denominator",
            None,
            None,
        ),
        (
            "Tỷ lệ hồ sơ nộp trực tuyến",
            "kpi_online_share_province",
            "received_online",
            "received",
            "online_submission_share",
            ">=",
        ),
        (
            "Tỷ lệ hồ sơ thanh toán trực tuyến (trên hồ sơ có phí)",
            "kpi_online_share_province",
            "received_paid_online",
            "received_with_fee",
            "online_payment_share",
            ">=",
        ),
        (
            "Tỷ lệ hồ sơ có kết quả điện tử",
            "kpi_online_share_province",
            "resolved_with_electronic_result",
            "resolved",
            None,
            None,
        ),
        (
            "Tỷ lệ số hóa hồ sơ, kết quả",
            "kpi_online_share_province",
            "resolved_digitised",
            "resolved",
            "digitisation_rate",
            ">=",
        ),
        (
            "Tỷ lệ hồ sơ đất đai trễ hạn",
            "kpi_land_lateness_province",
            "land_resolved_late",
            "land_resolved",
            "land_late_rate",
            "<",
        ),
        (
            "Tỷ lệ hồ sơ trễ hạn có thư xin lỗi",
            "kpi_apology_compliance_province",
            "late_resolved_with_apology",
            "late_resolved",
            "apology_compliance",
            ">=",
        ),
        (
            "Tỷ lệ PAKN trả lời đúng hạn",
            "kpi_feedback_handling_province",
            "due_answered_on_time",
            "due",
            "feedback_on_time_rate",
            ">=",
        ),
        (
            "Tỷ lệ PAKN được công khai",
            "kpi_feedback_handling_province",
            "answered_published",
            "answered",
            "feedback_published_share",
            ">=",
        ),
        (
            "Tỷ lệ hài lòng về xử lý PAKN",
            "kpi_feedback_handling_province",
            "satisfied",
            "satisfaction_base",
            "feedback_satisfaction_rate",
            ">=",
        ),
        (
            "Tỷ lệ cơ quan gửi báo cáo định kỳ đúng hạn",
            "kpi_report_compliance_province",
            "filed_on_time",
            "required",
            "report_compliance_rate",
            ">=",
        ),
    ]
    rows = []
    for label, model, numerator, denominator, kpi, operator in specs:
        current, previous = (
            conn.execute(
                f"select sum({numerator}), sum({denominator}) from marts.{model} where period_id = %s", (pid,)
            ).fetchone()
            if pid
            else (None, None)
            for pid in (params["p"], params["q"])
        )
        goal = province_target(conn, kpi, period)[1] if kpi else None
        value = current[0] / current[1] if current[1] else None
        before = previous[0] / previous[1] if previous and previous[1] else None
        rows.append(
            {
                "kpi": label,
                "numerator": current[0],
                "denominator": current[1],
                "value": value,
                "previous": before,
                "change": value - before if value is not None and before is not None else None,
                "target": goal,
                "operator": operator or "",
                "met": _met(value, operator, goal),
            }
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
            *TARGET_COLUMNS,
        ],
        rows,
    )


def case_results(conn, period: Period) -> Table:
    rows = _rows(
        conn,
        """
        with k as (
            select period_id, agency_id, sum(carried_over) as carried_over, sum(received_online) as received_online,
                   sum(received_direct) as received_direct, sum(received_postal) as received_postal,
                   sum(transferred_in) as transferred_in, sum(resolved_early) as resolved_early,
                   sum(resolved_on_time) as resolved_on_time, sum(resolved_late) as resolved_late,
                   sum(in_progress_within_due) as in_progress_within_due,
                   sum(in_progress_overdue) as in_progress_overdue, sum(returned + withdrawn) as returned,
                   sum(transferred_out) as transferred_out, sum(on_time_numerator) as num,
                   sum(on_time_denominator) as den, max(on_time_target) as target,
                   max(on_time_target_operator) as operator
            from marts.kpi_case_timeliness where period_id in (%(p)s, %(q)s) group by period_id, agency_id)
        select a.agency_id, a.agency_name, k.carried_over, k.received_online, k.received_direct, k.received_postal,
               k.transferred_in, k.resolved_early, k.resolved_on_time, k.resolved_late, k.in_progress_within_due,
               k.in_progress_overdue, k.returned, k.transferred_out,
               case when k.den > 0 then k.num::numeric / k.den end as value,
               case when p.den > 0 then p.num::numeric / p.den end as previous, k.target, k.operator
        from k join marts.dim_agency a using (agency_id)
        left join k p on p.agency_id = k.agency_id and p.period_id = %(q)s
        where k.period_id = %(p)s order by a.agency_level, a.agency_id
    """,
        {"p": period.period_id, "q": period.previous_period_id},
    )
    for row in _change(rows, "value", "previous", "change"):
        row["met"] = _met(row["value"], row["operator"], row["target"])
    return Table(
        "Giải quyết TTHC",
        "giai_quyet_tthc",
        f"Tình hình, kết quả giải quyết TTHC theo đơn vị – {period.label} ({period.dates})",
        [
            *AGENCY_COLUMNS,
            Column("carried_over", "Tồn kỳ trước", "int"),
            Column("received_online", "Tiếp nhận trực tuyến", "int"),
            Column("received_direct", "Tiếp nhận trực tiếp", "int"),
            Column("received_postal", "Tiếp nhận qua bưu chính", "int"),
            Column("transferred_in", "Nhận chuyển giao", "int"),
            Column("resolved_early", "Giải quyết trước hạn", "int"),
            Column("resolved_on_time", "Giải quyết đúng hạn", "int"),
            Column("resolved_late", "Giải quyết quá hạn", "int"),
            Column("in_progress_within_due", "Đang giải quyết trong hạn", "int"),
            Column("in_progress_overdue", "Đang giải quyết quá hạn", "int"),
            Column("returned", "Trả lại, rút hồ sơ", "int"),
            Column("transferred_out", "Chuyển giao đi", "int"),
            Column("value", "Tỷ lệ đúng hạn", "rate", 10),
            Column("previous", "Kỳ trước", "rate", 10),
            Column("change", "Thay đổi", "change", 10),
            *TARGET_COLUMNS,
        ],
        rows,
        note="Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết; hồ sơ trả lại, rút hồ sơ không tính.",
    )


def _agency_rate_table(
    conn,
    period: Period,
    model: str,
    sums: list[tuple[str, str]],
    numerator: str,
    denominator: str,
    target_kpi: str | None,
    name: str,
    slug: str,
    title: str,
    extra_columns: list[Column] | None = None,
    note: str | None = None,
) -> Table:
    """An agency table from a KPI mart: sums of `sums`, the rate numerator/denominator, previous, change, target."""
    listed = ", ".join(f"sum({column}) as {column}" for column, _ in sums)
    rows = _rows(
        conn,
        f"""
        with k as (select period_id, agency_id, {listed}, sum({numerator}) as num, sum({denominator}) as den
                   from marts.{model} where period_id in (%(p)s, %(q)s) group by period_id, agency_id)
        select a.agency_id, a.agency_name, a.land_branch_id, {", ".join(f"k.{c}" for c, _ in sums)},
               case when k.den > 0 then k.num::numeric / k.den end as value,
               case when p.den > 0 then p.num::numeric / p.den end as previous
        from k join marts.dim_agency a using (agency_id)
        left join k p on p.agency_id = k.agency_id and p.period_id = %(q)s
        where k.period_id = %(p)s order by a.agency_level, a.agency_id
    """,
        {"p": period.period_id, "q": period.previous_period_id},
    )
    operator, target = province_target(conn, target_kpi, period) if target_kpi else (None, None)
    for row in _change(rows, "value", "previous", "change"):
        row["target"], row["met"] = target, _met(row["value"], operator, target)
    columns = [
        *AGENCY_COLUMNS,
        *(extra_columns or []),
        *[Column(c, h, "int") for c, h in sums],
        Column("value", "Tỷ lệ", "rate", 10),
        Column("previous", "Kỳ trước", "rate", 10),
        Column("change", "Thay đổi", "change", 10),
        *TARGET_COLUMNS,
    ]
    return Table(name, slug, f"{title} – {period.label} ({period.dates})", columns, rows, note)


def online_table(conn, period: Period) -> Table:
    return _agency_rate_table(
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
        "received_online",
        "received",
        "online_submission_share",
        "Trực tuyến, số hóa",
        "truc_tuyen_so_hoa",
        "Dịch vụ công trực tuyến, thanh toán trực tuyến, số hóa theo đơn vị",
        note="Tỷ lệ = hồ sơ nộp trực tuyến / hồ sơ tiếp nhận; các cột khác cho phép tính tỷ lệ thanh toán, số hóa.",
    )


def land_table(conn, period: Period) -> Table:
    return _agency_rate_table(
        conn,
        period,
        "kpi_land_lateness",
        [
            ("land_received", "Hồ sơ đất đai tiếp nhận"),
            ("land_resolved", "Hồ sơ đất đai đã giải quyết"),
            ("land_resolved_late", "Trong đó quá hạn"),
        ],
        "land_resolved_late",
        "land_resolved",
        "land_late_rate",
        "Đất đai",
        "dat_dai",
        "Hồ sơ đất đai trễ hạn theo đơn vị (mục tiêu dưới 2%)",
        extra_columns=[Column("land_branch_id", "Chi nhánh VPĐKĐĐ", width=14)],
    )


def apology_table(conn, period: Period) -> Table:
    return _agency_rate_table(
        conn,
        period,
        "kpi_apology_compliance",
        [
            ("late_resolved", "Hồ sơ quá hạn"),
            ("late_resolved_with_apology", "Có thư xin lỗi"),
            ("late_resolved_with_timely_apology", "Xin lỗi trước hạn"),
        ],
        "late_resolved_with_apology",
        "late_resolved",
        "apology_compliance",
        "Xin lỗi",
        "xin_loi",
        "Hồ sơ quá hạn có thư xin lỗi theo đơn vị",
    )


def feedback_table(conn, period: Period) -> Table:
    return _agency_rate_table(
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
        "due_answered_on_time",
        "due",
        "feedback_on_time_rate",
        "PAKN",
        "pakn",
        "Tiếp nhận, xử lý phản ánh, kiến nghị theo đơn vị",
        note="Tỷ lệ = PAKN trả lời đúng hạn / PAKN đến hạn trong kỳ.",
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
            Column("points", "Điểm", "points", 8),
            Column("points_max_scored", "Điểm tối đa đã tính", "points"),
            Column("group_max_points", "Điểm tối đa", "points", 10),
        ],
        rows,
        note="Điểm chỉ tính cho chỉ tiêu đã kiểm chứng công thức; chỉ tiêu khác chỉ có tỷ lệ.",
    )


def report_compliance(conn, period: Period, types: tuple[str, ...]) -> Table:
    rows = _rows(
        conn,
        """
        select r.agency_id, a.agency_name, r.report_type,
               case r.filing_status when 'on_time' then 'Đúng hạn' when 'late' then 'Trễ hạn'
                    when 'missing' then 'Chưa gửi' else 'Chưa đến hạn' end as status,
               r.deadline_date, r.submitted_date, r.days_late
        from marts.kpi_report_compliance r join marts.dim_agency a using (agency_id)
        where r.period_id = %(p)s and r.report_type = any(%(types)s)
        order by case r.filing_status when 'missing' then 0 when 'late' then 1 else 2 end, r.agency_id, r.report_type
    """,
        {"p": period.period_id, "types": list(types)},
    )
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
    exists = conn.execute("select to_regclass('dq.open_gaps')").fetchone()[0]
    rows = (
        []
        if not exists
        else _rows(
            conn,
            """
        select g.severity, g.kind, g.agency_id, g.period_id, g.rows_affected, g.description,
               g.first_seen_at::date as first_seen, g.last_seen_at::date as last_seen
        from dq.open_gaps g left join marts.dim_period p on p.period_id = g.period_id
        where g.period_id is null or p.period_id is null
           or (p.start_date <= %(end)s and p.end_date >= %(start)s)
        order by g.severity, g.kind, g.agency_id, g.period_id
    """,
            {"start": period.start_date, "end": period.end_date},
        )
    )
    for row in rows:
        row["severity"] = "Nghiêm trọng" if row["severity"] == "critical" else "Cảnh báo"
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
def _report_values(
    conn,
    period: Period,
    indicators: list[tuple[str, str]],
    name: str,
    slug: str,
    title: str,
    rates: list[tuple[str, str, str, str]],
) -> Table:
    """Reported values per agency (latest submission) for `indicators`, with rates done / required."""
    pivot = ", ".join(f"sum(value) filter (where indicator_id = '{code}') as {code.lower()}" for code, _ in indicators)
    rows = _rows(
        conn,
        f"""
        select v.agency_id, a.agency_name, {pivot}
        from marts.fct_report_values v join marts.dim_agency a using (agency_id)
        where v.period_id = %(p)s group by v.agency_id, a.agency_name order by v.agency_id
    """,
        {"p": period.period_id},
    )
    for row in rows:
        for key, numerator, denominator, _ in rates:
            num, den = row.get(numerator), row.get(denominator)
            row[key] = None if not den else num / den
    columns = [
        *AGENCY_COLUMNS,
        *[Column(code.lower(), header, "number") for code, header in indicators],
        *[Column(key, header, "rate", 12) for key, _, _, header in rates],
    ]
    return Table(
        name,
        slug,
        f"{title} – {period.label} ({period.dates})",
        columns,
        rows,
        note="Số liệu từ báo cáo định kỳ của các cơ quan (lần gửi gần nhất của mỗi cơ quan).",
    )


def inspectorate_summary(conn, period: Period) -> Table:
    codes = [c for c, _ in RECEPTION + COMPLAINTS + ANTI_CORRUPTION]
    names = dict(RECEPTION + COMPLAINTS + ANTI_CORRUPTION)
    totals = {}
    for pid in (period.period_id, period.previous_period_id):
        totals[pid] = (
            dict(
                conn.execute(
                    "select indicator_id, sum(value) from marts.fct_report_values where period_id = %s"
                    " and indicator_id = any(%s) group by 1",
                    (pid, codes),
                ).fetchall()
            )
            if pid
            else {}
        )
    rows = [
        {
            "code": code,
            "name": names[code],
            "value": totals[period.period_id].get(code),
            "previous": totals.get(period.previous_period_id, {}).get(code),
        }
        for code in codes
    ]
    _change(rows, "value", "previous", "change")
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
        province_summary(conn, period),
        case_results(conn, period),
        online_table(conn, period),
        land_table(conn, period),
        apology_table(conn, period),
        feedback_table(conn, period),
        scorecard_766(conn, period),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC", "CCHC")),
        open_gaps(conn, period),
    ]
    return [sources(conn, period, "Sở Nội vụ tỉnh Khánh Hòa", tables), *tables]


def thanh_tra_tables(conn, period: Period) -> list[Table]:
    tables = [
        inspectorate_summary(conn, period),
        _report_values(conn, period, RECEPTION, "Tiếp công dân", "tiep_cong_dan", "Tiếp công dân theo đơn vị", []),
        _report_values(
            conn,
            period,
            COMPLAINTS,
            "Khiếu nại, tố cáo",
            "khieu_nai_to_cao",
            "Tiếp nhận, giải quyết khiếu nại, tố cáo theo đơn vị",
            [
                ("kn_rate", "kn03", "kn02", "Tỷ lệ giải quyết khiếu nại"),
                ("tc_rate", "tc03", "tc02", "Tỷ lệ giải quyết tố cáo"),
            ],
        ),
        _report_values(
            conn,
            period,
            ANTI_CORRUPTION,
            "Phòng, chống tham nhũng",
            "pctn",
            "Kết quả phòng, chống tham nhũng theo đơn vị",
            [
                ("declared_rate", "pctn02", "pctn01", "Tỷ lệ kê khai tài sản"),
                ("rotated_rate", "pctn04", "pctn03", "Tỷ lệ chuyển đổi vị trí"),
            ],
        ),
        feedback_table(conn, period),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC")),
        open_gaps(conn, period),
    ]
    return [sources(conn, period, "Thanh tra tỉnh Khánh Hòa", tables), *tables]
