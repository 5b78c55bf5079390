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

from .labels import FILING_EVIDENCE, FILING_STATUS, GAP_KINDS, LEVELS, REPORT_TYPES, ROMAN, SEVERITY, target_vi
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
    year_before_period_id: str | None
    year_before_label: str  # "6 tháng đầu năm 2025"
    as_of: dt.datetime  # the data date: the latest delivery's moment (marts.data_date)

    @property
    def dates(self) -> str:
        return f"{self.start_date:%d/%m/%Y} – {self.end_date:%d/%m/%Y}"


class PeriodNotReady(ValueError):
    """The period cannot be published: unknown, not a six-month or annual period, or not over yet."""


def load_period(conn: psycopg.Connection, period_id: str) -> Period:
    row = conn.execute(
        "select p.period_id, p.period_kind, p.label_vi, p.start_date, p.end_date, p.previous_period_id,"
        " p.year_before_period_id, coalesce(y.label_vi, 'không có') from marts.dim_period p"
        " left join marts.dim_period y on y.period_id = p.year_before_period_id where p.period_id = %s",
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


def query_rows(conn: psycopg.Connection, sql: str, params: dict) -> list[dict]:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(sql, params).fetchall()


def kpis(conn: psycopg.Connection, where: str, params: dict) -> list[dict]:
    """Catalogue rows (dim_kpi) matching `where`, in display order."""
    return query_rows(conn, f"select * from marts.dim_kpi where {where} order by display_order", params)


KPI_VALUE = """
    select k.scope_key, k.numerator, k.denominator, k.value, k.year_before_value as year_before,
           k.change_from_year_before as change, k.target_operator as operator, k.target_value as target,
           k.is_target_met as met
    from marts.kpi_values k
    where k.kpi_id = %(kpi)s and k.scope = %(scope)s and k.period_id = %(p)s
"""


def kpi_values(conn, kpi_id: str, period: Period, scope: str = "agency") -> dict[str, dict]:
    """One KPI's rows of the period in a scope, by scope key (agency id, level, 'province')."""
    rows = query_rows(conn, KPI_VALUE, {"kpi": kpi_id, "scope": scope, "p": period.period_id})
    return {row.pop("scope_key"): row for row in rows}


BOLD_KINDS = ("total", "subtotal")
AGENCY_COLUMNS = [
    Column("stt", "STT", width=5),
    Column("agency_id", "Mã đơn vị", width=10),
    Column("agency_name", "Tên đơn vị", width=26),
]
COMPARISON_NOTE = (
    "Kỳ báo cáo 6 tháng và năm không có kỳ liền trước riêng (Nghị định 09/2019/NĐ-CP): số liệu được so sánh với "
    "cùng kỳ năm trước; chênh lệch của tỷ lệ tính bằng điểm phần trăm (điểm %)."
)


def rate_columns(period: Period, group: str) -> list[Column]:
    """A KPI's value with its comparison and target, under one upper header (the KPI's name)."""
    return [
        Column("value", "Kỳ này", "rate", 9, group),
        Column("year_before", f"Cùng kỳ năm trước ({period.year_before_label})", "rate", 11, group),
        Column("target_text", "Mục tiêu", width=8, group=group),
        Column("met", "Đạt/ Không đạt", "met", 9, group),
    ]


def _with_target(row: dict, unit: str = "share") -> dict:
    row["target_text"] = target_vi(row.get("operator"), row.get("target"), unit)
    return row


def grouped_by_level(
    rows: list[dict], sums: list[str], by_scope: dict[str, dict[str, dict]], total_label: str = "TỔNG CỘNG TOÀN TỈNH"
) -> list[dict]:
    """The official tables' order: a province total row, then per level (sở, ban, ngành / UBND cấp xã / chi nhánh
    VPĐKĐĐ) a subtotal row (STT I, II, …) and its agencies (STT 1, 2, …). Counts of total and subtotal rows
    are sums of the agency rows; their rates are the KPI's own values for the province and the level
    (`by_scope`: kpi values by scope and key), never an average of rates."""

    def summed(members: list[dict]) -> dict:
        return {key: sum(m.get(key) or 0 for m in members) for key in sums}

    out = [
        _with_target(
            {
                "stt": "",
                "agency_name": total_label,
                "_kind": "total",
                **summed(rows),
                **by_scope.get("province", {}).get("province", {}),
            }
        )
    ]
    levels = [level for level in LEVELS if any(r.get("agency_level") == level for r in rows)]
    for number, level in enumerate(levels):
        members = [r for r in rows if r.get("agency_level") == level]
        out.append(
            _with_target(
                {
                    "stt": ROMAN[number],
                    "agency_name": LEVELS[level],
                    "_kind": "subtotal",
                    "_level": level,
                    **summed(members),
                    **by_scope.get("agency_level", {}).get(level, {}),
                }
            )
        )
        out += [{**_with_target(r), "stt": n} for n, r in enumerate(members, start=1)]
    return out


def province_summary(conn, period: Period, recipient: str) -> Table:
    """The recipient's KPIs for the province: numerator, denominator, value, the same period a year before and
    the change in percentage points, target and met (the 766 scorecard has a table of its own)."""
    rows = query_rows(
        conn,
        """
        select d.label_vi as kpi, d.unit, k.numerator, k.denominator, k.value,
               k.year_before_value as year_before, k.change_from_year_before as change,
               k.target_operator as operator, k.target_value as target, k.is_target_met as met,
               coalesce(k.target_source, 'Không có mục tiêu cho năm này') as target_source
        from marts.dim_kpi d
        left join marts.kpi_values k on k.kpi_id = d.kpi_id and k.scope = 'province' and k.period_id = %(p)s
        where %(recipient)s = any(d.recipients) and d.family <> 'scorecard_766' and d.unit = 'share'
        order by d.display_order
        """,
        {"p": period.period_id, "recipient": recipient},
    )
    for number, row in enumerate(rows, start=1):
        _with_target(row)
        row["stt"], row["unit_vi"] = number, "%"
    return Table(
        "Tổng hợp tỉnh",
        "tong_hop_tinh",
        f"Các chỉ tiêu của tỉnh – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("kpi", "Chỉ tiêu", width=48),
            Column("unit_vi", "Đơn vị tính", width=8),
            Column("numerator", "Tử số", "int", 10),
            Column("denominator", "Mẫu số", "int", 10),
            Column("value", "Kỳ này", "rate", 9),
            Column("year_before", f"Cùng kỳ năm trước ({period.year_before_label})", "rate", 12),
            Column("change", "Tăng (+), giảm (−) so với cùng kỳ", "change", 13),
            Column("target_text", "Mục tiêu", width=8),
            Column("met", "Đạt/ Không đạt", "met", 9),
            Column("target_source", "Căn cứ mục tiêu", width=34),
        ],
        rows,
        note="Mục tiêu lấy theo kế hoạch, quyết định hoặc văn bản pháp luật của năm của kỳ; năm không có văn bản đặt "
        "mục tiêu thì không có mục tiêu (không lấy mục tiêu của năm khác). " + COMPARISON_NOTE,
        unit="tử số, mẫu số: hồ sơ, PAKN hoặc báo cáo; tỷ lệ: %",
        frozen_columns=2,
    )


def _agencyrows(conn, period: Period, model: str, measures: dict[str, str]) -> list[dict]:
    """Per agency of the period, `sum(expression) as name` for each measure of a wide KPI mart."""
    listed = ", ".join(
        f"sum({' + '.join(f'k.{part.strip()}' for part in expression.split('+'))}) as {name}"
        for name, expression in measures.items()
    )
    return query_rows(
        conn,
        f"""
        select a.agency_id, a.agency_name, a.agency_level, branch.agency_name as land_branch_name, {listed}
        from marts.{model} k
        join marts.dim_agency a using (agency_id)
        left join marts.dim_agency branch on branch.agency_id = a.land_branch_id
        where k.period_id = %(p)s
        group by a.agency_id, a.agency_name, a.agency_level, branch.agency_name
        order by a.agency_id
        """,
        {"p": period.period_id},
    )


def _kpi_by_scope(conn, kpi_id: str, period: Period) -> dict[str, dict[str, dict]]:
    return {scope: kpi_values(conn, kpi_id, period, scope) for scope in ("agency", "agency_level", "province")}


@dataclass(frozen=True)
class Count:
    """A count column of an agency table: its mart expression (a column or `a + b`), header, upper header."""

    key: str
    header: str
    group: str | None = None
    expression: str | None = None  # default: the column `key` of the mart
    parts: tuple[str, ...] = ()  # the counts it is the total of (its column number says so)
    width: int = 7

    def column(self) -> Column:
        return Column(self.key, self.header, "int", self.width, self.group, self.parts)


def _agency_table(
    conn,
    period: Period,
    model: str,
    counts: list[Count],
    kpi_id: str,
    name: str,
    slug: str,
    title: str,
    unit: str,
    note: str | None = None,
    leading: list[Column] | None = None,
) -> Table:
    """An agency table in the forms' layout: STT, the agency, `counts` summed from a wide KPI mart, then one KPI's
    value, the same period a year before, target and met (kpi_values, under the KPI's name), with the province
    total first and a subtotal per level."""
    rows = _agencyrows(conn, period, model, {c.key: c.expression or c.key for c in counts})
    by_scope = _kpi_by_scope(conn, kpi_id, period)
    for row in rows:
        row.update(by_scope["agency"].get(row["agency_id"], {}))
    label = kpis(conn, "kpi_id = %(k)s", {"k": kpi_id})[0]["label_vi"]
    return Table(
        name,
        slug,
        f"{title} – {period.label} ({period.dates})",
        [*AGENCY_COLUMNS, *(leading or []), *[c.column() for c in counts], *rate_columns(period, label)],
        grouped_by_level(rows, [c.key for c in counts], by_scope),
        note=" ".join(part for part in (note, COMPARISON_NOTE) if part),
        unit=unit,
        frozen_columns=3,
    )


def case_results(conn, period: Period) -> Table:
    """Biểu 06 (Thông tư 01/2020/TT-VPCP): cases to settle, settled, in progress, with the reorganisation's
    transfers and the supplement and refusal columns that the rules of Nghị định 118/2025 need."""
    to_settle, resolved, open_ = "Số hồ sơ nhận giải quyết", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết"
    ended, supplement = "Trả lại, rút hồ sơ, chuyển đi", "Yêu cầu bổ sung hồ sơ"
    received = ("carried_over", "received_online", "received_direct", "received_postal", "transferred_in")
    done = ("resolved_early", "resolved_on_time", "resolved_late", "resolved_unjudged")
    doing = ("in_progress_within_due", "in_progress_overdue", "in_progress_waiting", "in_progress_unjudged")
    counts = [
        Count("to_settle", "Tổng số", to_settle, "carried_over + received + transferred_in", received),
        Count("carried_over", "Kỳ trước chuyển sang", to_settle),
        Count("received_online", "Tiếp nhận trực tuyến", to_settle),
        Count("received_direct", "Tiếp nhận trực tiếp", to_settle),
        Count("received_postal", "Tiếp nhận qua dịch vụ bưu chính công ích", to_settle, width=10),
        Count("transferred_in", "Nhận chuyển giao từ đơn vị khác", to_settle, width=10),
        Count("resolved", "Tổng số", resolved, parts=done),
        Count("resolved_early", "Trước hạn", resolved),
        Count("resolved_on_time", "Đúng hạn", resolved),
        Count("resolved_late", "Quá hạn", resolved),
        Count("resolved_unjudged", "Chưa xác định được hạn", resolved, width=9),
        Count("in_progress", "Tổng số", open_, parts=doing),
        Count("in_progress_within_due", "Trong hạn", open_),
        Count("in_progress_overdue", "Quá hạn", open_),
        Count("in_progress_waiting", "Chờ công dân bổ sung", open_, width=9),
        Count("in_progress_unjudged", "Chưa xác định được hạn", open_, width=9),
        Count("returned_withdrawn", "Trả lại, rút hồ sơ", ended, "returned + withdrawn"),
        Count("ended_after_due", "Trong đó sau khi quá hạn", ended, width=9),
        Count("transferred_out", "Chuyển giao đi", ended),
        Count("ended_with_supplement", "Có yêu cầu bổ sung", supplement, width=9),
        Count("ended_supplement_out_of_rule", "Trong đó không đúng quy định", supplement, width=9),
    ]
    return _agency_table(
        conn,
        period,
        "kpi_case_timeliness",
        counts,
        "case_on_time_rate",
        "Giải quyết TTHC",
        "giai_quyet_tthc",
        "Tình hình, kết quả giải quyết TTHC theo đơn vị",
        "hồ sơ; tỷ lệ: %",
        note=(
            "Tổng số nhận giải quyết = đã giải quyết + đang giải quyết + trả lại, rút hồ sơ + chuyển giao đi. "
            "Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết có hạn giải quyết; hồ sơ trả lại, rút hồ sơ "
            "không tính; trả lại, rút sau khi quá hạn được tính là trễ hạn trong tỷ lệ trễ hạn kể cả hồ sơ đang "
            "quá hạn (bảng Tổng hợp tỉnh). Dòng tổng cộng là tổng các dòng đơn vị: hồ sơ chuyển giao giữa hai đơn "
            "vị (sắp xếp đơn vị hành chính từ 1/7/2025) có ở cả hai dòng; tỷ lệ của dòng tổng cộng là tỷ lệ của "
            "toàn tỉnh."
        ),
    )


def online_table(conn, period: Period) -> Table:
    received, resolved = "Hồ sơ tiếp nhận", "Hồ sơ đã giải quyết"
    return _agency_table(
        conn,
        period,
        "kpi_online_share",
        [
            Count("received", "Tổng số", received),
            Count("received_online", "Nộp trực tuyến", received),
            Count("received_fully_online", "Trong đó trực tuyến toàn trình", received, width=10),
            Count("received_with_fee", "Có phí, lệ phí", received),
            Count("received_paid_online", "Trong đó thanh toán trực tuyến", received, width=10),
            Count("resolved", "Tổng số", resolved),
            Count("resolved_with_electronic_result", "Có kết quả điện tử", resolved, width=9),
            Count("resolved_digitised", "Đã số hóa hồ sơ, kết quả", resolved, width=9),
        ],
        "online_submission_share",
        "Trực tuyến, số hóa",
        "truc_tuyen_so_hoa",
        "Dịch vụ công trực tuyến, thanh toán trực tuyến, số hóa theo đơn vị",
        "hồ sơ; tỷ lệ: %",
        note="Tỷ lệ nộp trực tuyến = hồ sơ nộp trực tuyến / hồ sơ tiếp nhận; các cột khác cho phép tính tỷ lệ "
        "thanh toán trực tuyến, kết quả điện tử, số hóa (bảng Tổng hợp tỉnh).",
    )


def land_table(conn, period: Period) -> Table:
    land = "Hồ sơ đất đai"
    return _agency_table(
        conn,
        period,
        "kpi_land_lateness",
        [
            Count("land_received", "Tiếp nhận", land),
            Count("land_resolved", "Đã giải quyết", land),
            Count("land_resolved_late", "Trong đó quá hạn", land),
            Count("land_in_progress_overdue", "Đang giải quyết quá hạn", land, width=9),
            Count("land_late_incl_overdue_numerator", "Trễ hạn (kể cả đang quá hạn)", land, width=10),
            Count("land_late_incl_overdue_denominator", "Được đánh giá trong kỳ", land, width=10),
        ],
        "land_late_rate_incl_overdue",
        "Đất đai",
        "dat_dai",
        "Hồ sơ đất đai trễ hạn theo đơn vị",
        "hồ sơ; tỷ lệ: %",
        note=(
            "Tỷ lệ trễ hạn = (giải quyết quá hạn + trả lại, rút sau khi quá hạn + đang giải quyết quá hạn) / "
            "hồ sơ được đánh giá trong kỳ; chỉ tính hồ sơ đã giải quyết thì tỷ lệ là quá hạn / "
            "đã giải quyết."
        ),
        leading=[Column("land_branch_name", "Chi nhánh VPĐKĐĐ", width=22)],
    )


def apology_table(conn, period: Period) -> Table:
    late = "Hồ sơ trễ hạn"
    return _agency_table(
        conn,
        period,
        "kpi_apology_compliance",
        [
            Count("became_late", "Tổng số", late, parts=("late_resolved", "overdue_in_progress")),
            Count("late_resolved", "Giải quyết quá hạn trong kỳ", late, width=10),
            Count("overdue_in_progress", "Đang giải quyết quá hạn cuối kỳ", late, width=10),
            Count("became_late_with_apology", "Có thư xin lỗi", "Thư xin lỗi", width=9),
            Count("became_late_with_timely_apology", "Gửi trước hạn ít nhất 01 ngày làm việc", "Thư xin lỗi", width=11),
        ],
        "apology_compliance_rate",
        "Xin lỗi",
        "xin_loi",
        "Hồ sơ trễ hạn có thư xin lỗi theo đơn vị",
        "hồ sơ; tỷ lệ: %",
        note="Hồ sơ trễ hạn = giải quyết quá hạn trong kỳ + đang giải quyết quá hạn cuối kỳ (Nghị định "
        "118/2025/NĐ-CP Điều 12.5: xin lỗi bằng văn bản chậm nhất 01 ngày làm việc trước ngày hết hạn).",
    )


def feedback_table(conn, period: Period) -> Table:
    received, due, answered = "PAKN tiếp nhận", "PAKN đến hạn trả lời trong kỳ", "PAKN đã trả lời trong kỳ"
    return _agency_table(
        conn,
        period,
        "kpi_feedback_handling",
        [
            Count("received", "Tổng số", received),
            Count("passed_on", "Chuyển đơn vị khác", received, width=9),
            Count("due", "Tổng số", due),
            Count("due_answered_on_time", "Trả lời đúng hạn", due, width=9),
            Count("answered", "Tổng số", answered),
            Count("answered_published", "Đã công khai", answered),
            Count("satisfaction_base", "PAKN tính mức độ hài lòng", "Mức độ hài lòng", width=10),
            Count("unsatisfied", "Không hài lòng, trả lời trễ hoặc quá hạn chưa trả lời", "Mức độ hài lòng", width=12),
        ],
        "feedback_on_time_rate",
        "PAKN",
        "pakn",
        "Tiếp nhận, xử lý phản ánh, kiến nghị theo đơn vị",
        "PAKN; tỷ lệ: %",
        note="Tỷ lệ đúng hạn = PAKN trả lời đúng hạn / PAKN đến hạn trong kỳ. PAKN đến hạn trong kỳ có thể đã "
        "được trả lời ở kỳ trước, nên số trả lời đúng hạn có thể lớn hơn số đã trả lời trong kỳ.",
    )


def feedback_by_channel(conn, period: Period) -> Table:
    """The province's feedback (PAKN) per channel received: the hotline, the portals, the desk, letters."""
    rows = query_rows(
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
    for number, row in enumerate(rows, start=1):
        row["stt"] = number
    if rows:
        total = {
            k: sum(r[k] or 0 for r in rows)
            for k in ("received", "passed_on", "due", "due_answered_on_time", "overdue_open_at_end")
        }
        total["on_time_rate"] = total["due_answered_on_time"] / total["due"] if total["due"] else None
        rows.insert(0, {"stt": "", "channel": "TỔNG CỘNG TOÀN TỈNH", "_kind": "total", **total})
    return Table(
        "PAKN theo kênh",
        "pakn_theo_kenh",
        f"Phản ánh, kiến nghị theo kênh tiếp nhận (toàn tỉnh) – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("channel", "Kênh tiếp nhận", width=36),
            Column("received", "Tiếp nhận", "int", 10),
            Column("passed_on", "Chuyển đơn vị khác", "int", 10),
            Column("due", "Đến hạn", "int", 10),
            Column("due_answered_on_time", "Trả lời đúng hạn", "int", 10),
            Column("on_time_rate", "Tỷ lệ đúng hạn", "rate", 10),
            Column("overdue_open_at_end", "Quá hạn chưa trả lời cuối kỳ", "int", 12),
        ],
        rows,
        note="Tỷ lệ đúng hạn = PAKN trả lời đúng hạn / PAKN đến hạn trong kỳ; quá hạn chưa trả lời cuối kỳ "
        "gồm cả PAKN tiếp nhận từ các kỳ trước.",
        unit="PAKN; tỷ lệ: %",
        frozen_columns=2,
    )


def scorecard_766(conn, period: Period) -> Table:
    """Decision 766 points per group for each calendar quarter that ended within the period: the points, what
    could be scored from our sources, and the Decision's maximum."""
    rows = query_rows(
        conn,
        """
        select p.label_vi, t.group_id, t.group_name_vi, t.points, t.points_max_scored, t.group_max_points
        from marts.kpi_766_scorecard_totals t join marts.dim_period p using (period_id)
        where t.scope = 'province' and p.period_kind = 'calendar_quarter'
          and p.end_date between %(start)s and %(end)s
        order by p.start_date, t.group_id = 'total', t.group_id
    """,
        {"start": period.start_date, "end": period.end_date},
    )
    for row in rows:
        row["label_vi"] = row["label_vi"].replace(" (dương lịch)", "")
        if row["group_id"] == "total":
            row.update(group_id="", group_name_vi="Tổng điểm", _kind="total")
    return Table(
        "Chỉ số 766",
        "chi_so_766",
        f"Bộ chỉ số phục vụ người dân, doanh nghiệp (Quyết định 766/QĐ-TTg) của tỉnh, theo quý dương lịch kết thúc "
        f"trong kỳ – {period.label} ({period.dates})",
        [
            Column("label_vi", "Quý", width=12),
            Column("group_id", "Nhóm", width=7),
            Column("group_name_vi", "Tên nhóm chỉ số", width=40),
            Column("points", "Điểm đạt được", "points", 10),
            Column("points_max_scored", "Điểm tối đa chấm được từ nguồn dữ liệu của tỉnh", "points", 14),
            Column("group_max_points", "Điểm tối đa theo Quyết định 766", "points", 12),
        ],
        rows,
        note="Bộ chỉ số 766 được tính theo quý, năm dương lịch. Điểm chỉ gồm các chỉ tiêu có công thức đã kiểm chứng "
        "và có đủ dữ liệu trong nguồn của tỉnh, mỗi nhóm không vượt điểm tối đa của nhóm: đọc điểm đạt được so với "
        "điểm tối đa chấm được, không so với 100; đây không phải điểm chính thức trên Cổng Dịch vụ công quốc gia. "
        "Các chỉ tiêu chưa chấm điểm và lý do: bảng «Chỉ tiêu 766 chưa chấm».",
        unit="điểm",
    )


def scorecard_766_unscored(conn, period: Period) -> Table:
    """The 766 indicators without points in the period's last quarter, and why (the data or rule missing)."""
    rows = query_rows(
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
    for number, row in enumerate(rows, start=1):
        row["stt"] = number
    return Table(
        "Chỉ tiêu 766 chưa chấm",
        "chi_so_766_chua_cham",
        f"Chỉ tiêu của Bộ chỉ số 766 chưa chấm điểm và lý do – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("indicator_id", "Chỉ tiêu", width=9),
            Column("indicator_name_vi", "Tên chỉ tiêu", width=40),
            Column("max_points", "Điểm tối đa", "points", 9),
            Column("rate", "Tỷ lệ (nếu tính được)", "rate", 11),
            Column("not_scored_reason_vi", "Lý do chưa chấm điểm", width=80),
        ],
        rows,
        unit="điểm; tỷ lệ: %",
        frozen_columns=3,
    )


def _filings(conn, period: Period, types: tuple[str, ...]) -> list[dict]:
    return query_rows(
        conn,
        """
        select r.agency_id, a.agency_name, a.agency_level, r.report_type, r.filing_status,
               r.deadline_date, r.submitted_date, r.days_late, r.filing_evidence
        from marts.kpi_report_compliance r join marts.dim_agency a using (agency_id)
        where r.period_id = %(p)s and r.report_type = any(%(types)s)
        order by r.agency_id, r.report_type
    """,
        {"p": period.period_id, "types": list(types)},
    )


def report_compliance(conn, period: Period, types: tuple[str, ...]) -> Table:
    """Every agency that must file one of `types`, a row each, with each report's status, filing day and days
    late under the report's name and deadline; per level, how many were filed on time."""
    filings = _filings(conn, period, types)
    present = [t for t in types if any(f["report_type"] == t for f in filings)]
    agencies: dict[str, dict] = {}
    for f in filings:
        row = agencies.setdefault(
            f["agency_id"],
            {"agency_id": f["agency_id"], "agency_name": f["agency_name"], "agency_level": f["agency_level"]},
        )
        t = f["report_type"]
        row[f"{t}_status"] = FILING_STATUS[f["filing_status"]]
        row[f"{t}_on_time"] = int(f["filing_status"] == "on_time")
        row[f"{t}_required"] = 1
        row.update({f"{t}_date": f["submitted_date"], f"{t}_late": f["days_late"] or None})
        row[f"{t}_evidence"] = FILING_EVIDENCE.get(f["filing_evidence"], "")
    sums = [f"{t}_{k}" for t in present for k in ("on_time", "required")]
    rows = grouped_by_level(list(agencies.values()), sums, {})
    for row in rows:
        if row.get("_kind") in BOLD_KINDS:
            for t in present:
                row[f"{t}_status"] = f"{row[f'{t}_on_time']}/{row[f'{t}_required']} đúng hạn"
    columns = [*AGENCY_COLUMNS]
    for t in present:
        deadline = next(f["deadline_date"] for f in filings if f["report_type"] == t)
        group = f"Báo cáo {REPORT_TYPES[t].lower()} (hạn gửi {deadline:%d/%m/%Y})"
        columns += [
            Column(f"{t}_status", "Tình trạng", width=11, group=group),
            Column(f"{t}_date", "Ngày gửi", "date", 10, group),
            Column(f"{t}_late", "Số ngày trễ", "int", 6, group),
            Column(f"{t}_evidence", "Căn cứ ngày gửi", width=11, group=group),
        ]
    return Table(
        "Chế độ báo cáo",
        "che_do_bao_cao",
        f"Tình hình gửi báo cáo định kỳ – {period.label} ({period.dates})",
        columns,
        rows,
        note="Hạn gửi: ngày làm việc thứ 2 sau ngày chốt số liệu (Quyết định 01/2023/QĐ-UBND tỉnh Khánh Hòa). "
        "Chưa gửi: quá hạn mà không nhận được báo cáo. Trễ hạn: nhận sau hạn gửi; số ngày trễ tính theo ngày dương "
        "lịch. Ngày gửi: ngày ghi trong sổ văn bản đến, hoặc ngày kho dữ liệu nhận tệp báo cáo nếu sớm hơn. Ô trống: "
        "đơn vị không phải gửi báo cáo đó.",
        unit="báo cáo; ngày",
        frozen_columns=3,
    )


def late_or_missing_reports(conn, period: Period, types: tuple[str, ...]) -> Table:
    """The reports not filed, then those filed late: the list the PDF prints."""
    filings = [f for f in _filings(conn, period, types) if f["filing_status"] in ("missing", "late")]
    filings.sort(key=lambda f: (f["filing_status"] != "missing", f["agency_id"], f["report_type"]))
    for number, f in enumerate(filings, start=1):
        f.update(stt=number, status=FILING_STATUS[f["filing_status"]], report=REPORT_TYPES[f["report_type"]])
    return Table(
        "Chưa gửi, gửi trễ",
        "bao_cao_chua_gui_gui_tre",
        f"Báo cáo định kỳ chưa gửi hoặc gửi trễ hạn – {period.label}",
        [
            *AGENCY_COLUMNS,
            Column("report", "Báo cáo", width=24),
            Column("status", "Tình trạng", width=10),
            Column("deadline_date", "Hạn gửi", "date", 10),
            Column("submitted_date", "Ngày gửi", "date", 10),
            Column("days_late", "Số ngày trễ", "int", 7),
        ],
        filings,
        unit="báo cáo; ngày",
    )


def below_target(conn, period: Period, recipient: str) -> Table:
    """For every KPI of the recipient with a target in the period's year, the agencies that miss it, worst first,
    with numerator and denominator (kpi_values, scope agency)."""
    rows = query_rows(
        conn,
        """
        select d.label_vi as kpi, d.direction, k.agency_id, a.agency_name, k.numerator, k.denominator, k.value,
               k.target_operator as operator, k.target_value as target, k.target_source
        from marts.kpi_values k
        join marts.dim_kpi d using (kpi_id)
        join marts.dim_agency a using (agency_id)
        where k.scope = 'agency' and k.period_id = %(p)s and %(recipient)s = any(d.recipients)
          and d.family <> 'scorecard_766' and not k.is_target_met
        order by d.display_order, case when d.direction = 'lower' then -k.value else k.value end, k.agency_id
        """,
        {"p": period.period_id, "recipient": recipient},
    )
    for number, row in enumerate(rows, start=1):
        _with_target(row)
        row["stt"] = number
    return Table(
        "Chưa đạt mục tiêu",
        "don_vi_chua_dat_muc_tieu",
        f"Đơn vị chưa đạt mục tiêu theo từng chỉ tiêu – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("kpi", "Chỉ tiêu", width=34),
            Column("target_text", "Mục tiêu", width=8),
            Column("agency_id", "Mã đơn vị", width=10),
            Column("agency_name", "Tên đơn vị", width=26),
            Column("value", "Kết quả", "rate", 9),
            Column("numerator", "Tử số", "int", 8),
            Column("denominator", "Mẫu số", "int", 8),
            Column("target_source", "Căn cứ mục tiêu", width=34),
        ],
        rows,
        note="Chỉ gồm các chỉ tiêu có mục tiêu cho năm của kỳ (bảng «Định nghĩa chỉ tiêu»); đơn vị xếp từ kết quả "
        "thấp nhất (với tỷ lệ trễ hạn: cao nhất).",
        unit="tỷ lệ: %; tử số, mẫu số: hồ sơ, PAKN hoặc báo cáo",
        frozen_columns=2,
    )


def open_gaps(conn, period: Period) -> Table:
    """The data-quality gaps still open for the period, in a reader's words (late and missing reports have
    their own table, «Chế độ báo cáo», and are left out here)."""
    names = dict(conn.execute("select agency_id, agency_name from marts.dim_agency").fetchall())
    rows = []
    for gap in period_gaps(conn, period.period_id):
        if gap.kind in ("report_missing", "report_late"):
            continue
        rows.append(
            {
                "stt": len(rows) + 1,
                "severity": SEVERITY.get(gap.severity, gap.severity),
                "kind": GAP_KINDS.get(gap.kind, gap.kind),
                "agency_id": gap.agency_id,
                "agency_name": names.get(gap.agency_id, ""),
                "rows_affected": gap.rows_affected,
            }
        )
    return Table(
        "Chất lượng dữ liệu",
        "chat_luong_du_lieu",
        f"Các vấn đề chất lượng dữ liệu còn mở của kỳ – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("agency_id", "Mã đơn vị", width=11),
            Column("agency_name", "Tên đơn vị", width=30),
            Column("severity", "Mức độ", width=12),
            Column("kind", "Vấn đề", width=60),
            Column("rows_affected", "Số bản ghi liên quan", "int", 10),
        ],
        rows,
        note=f"Tình trạng tại thời điểm số liệu cập nhật ({period.as_of:%d/%m/%Y %H:%M}). Mức độ nghiêm trọng: "
        "số liệu của kỳ không được công bố cho đến khi xử lý xong; cảnh báo: số liệu được công bố, cần kiểm tra. "
        "Báo cáo định kỳ chưa gửi hoặc gửi trễ: bảng «Chế độ báo cáo».",
        unit="bản ghi",
        frozen_columns=3,
    )


# -- Thanh tra tỉnh -----------------------------------------------------------------------------------------
# the report that carries each family of reported indicators
REPORTED_FAMILIES = {"citizen_reception": "TCD_KNTC", "complaints_denunciations": "TCD_KNTC", "anti_corruption": "PCTN"}


def _units(conn) -> dict[str, str]:
    """Each indicator's unit (DonViTinh of the indicator catalogue, lower-cased as in the forms), filed or not."""
    rows = conn.execute("select indicator_id, unit from marts.dim_indicator").fetchall()
    return {code: (unit or "").lower() for code, unit in rows}


def _filed(conn, period: Period, report_type: str) -> tuple[list[dict], int, int]:
    """Every agency required to file `report_type` for the period (kpi_report_compliance) with its status."""
    rows = query_rows(
        conn,
        """
        select r.agency_id, a.agency_name, a.agency_level, r.filing_status
        from marts.kpi_report_compliance r join marts.dim_agency a using (agency_id)
        where r.period_id = %(p)s and r.report_type = %(t)s
        order by r.agency_id
        """,
        {"p": period.period_id, "t": report_type},
    )
    filed = sum(r["filing_status"] in ("on_time", "late") for r in rows)
    return rows, filed, len(rows)


def reported_table(conn, period: Period, family: str, name: str, slug: str, title: str) -> Table:
    """What each agency required to file the family's report reported (its latest submission): a column per KPI
    of the family (dim_kpi), counts first, then their rates; agencies that did not file say so in their row;
    the total and subtotal rows count the agencies that reported, since their sums leave the others out."""
    report_type = REPORTED_FAMILIES[family]
    family_kpis = kpis(conn, "family = %(family)s", {"family": family})
    units = _units(conn)
    rows, _, _ = _filed(conn, period, report_type)
    by_kpi = {k["kpi_id"]: _kpi_by_scope(conn, k["kpi_id"], period) for k in family_kpis}
    for row in rows:
        reported = row["filing_status"] in ("on_time", "late")
        row["filing"] = FILING_STATUS[row["filing_status"]] if reported else "Chưa gửi báo cáo"
        for kpi in family_kpis:
            row[kpi["kpi_id"]] = by_kpi[kpi["kpi_id"]]["agency"].get(row["agency_id"], {}).get("value")
    counts = [k["kpi_id"] for k in family_kpis if k["unit"] == "count"]
    table_rows = grouped_by_level(rows, counts, {})
    for row in table_rows:
        if row.get("_kind") in BOLD_KINDS:
            scope, key = ("province", "province") if row["_kind"] == "total" else ("agency_level", row["_level"])
            members = rows if row["_kind"] == "total" else [r for r in rows if r["agency_level"] == key]
            done = sum(r["filing_status"] in ("on_time", "late") for r in members)
            row["filing"] = f"{done}/{len(members)} đơn vị đã báo cáo"
            for kpi in family_kpis:
                if kpi["unit"] != "count":
                    row[kpi["kpi_id"]] = by_kpi[kpi["kpi_id"]][scope].get(key, {}).get("value")
    columns = [
        *AGENCY_COLUMNS,
        Column("filing", "Tình trạng báo cáo", width=19),
        *[
            Column(
                k["kpi_id"],
                k["label_vi"] + (f" ({units.get(k['numerator_column'], '')})" if k["unit"] == "count" else " (%)"),
                *(("number", 10) if k["unit"] == "count" else ("rate", 10)),
            )
            for k in family_kpis
        ],
    ]
    return Table(
        name,
        slug,
        f"{title} – {period.label} ({period.dates})",
        columns,
        table_rows,
        note="Số liệu từ báo cáo định kỳ của các cơ quan (lần gửi gần nhất của mỗi cơ quan). Dòng tổng cộng và cộng "
        "theo cấp chỉ gồm các đơn vị đã gửi báo cáo (số đơn vị ở cột Tình trạng báo cáo); tỷ lệ của các dòng này "
        "tính trên tổng tử số và tổng mẫu số.",
        unit="theo từng cột (lượt, người, đoàn, đơn, vụ, cuộc); tỷ lệ: %",
        frozen_columns=3,
    )


def inspectorate_summary(conn, period: Period) -> Table:
    """The province's totals of what the agencies reported, each with how many agencies reported it, and the
    same period a year before; then the rates (resolution of complaints and denunciations, asset declaration,
    job rotation) with their numerators and denominators."""
    rows = query_rows(
        conn,
        """
        select d.kpi_id, d.family, d.unit, d.numerator_column as code, d.denominator_column, d.label_vi as name,
               k.numerator,
               k.denominator, k.value, k.year_before_value as year_before, k.change_from_year_before as change,
               k.target_operator as operator, k.target_value as target, k.is_target_met as met
        from marts.dim_kpi d
        left join marts.kpi_values k on k.kpi_id = d.kpi_id and k.scope = 'province' and k.period_id = %(p)s
        where d.family = any(%(families)s)
        order by d.unit = 'share', d.display_order
        """,
        {"p": period.period_id, "families": list(REPORTED_FAMILIES)},
    )
    units = _units(conn)
    filed = {t: _filed(conn, period, t)[1:] for t in set(REPORTED_FAMILIES.values())}
    for number, row in enumerate(rows, start=1):
        done, required = filed[REPORTED_FAMILIES[row["family"]]]
        row.update(stt=number, reported=f"{done}/{required}")
        row["unit_vi"] = units.get(row["code"], "") if row["unit"] == "count" else "%"
        if row["unit"] == "count":
            row["count_value"], row["count_year_before"] = row.pop("value"), row.pop("year_before")
            row["change_count"] = row.pop("change")
        else:
            row["rate_value"], row["rate_year_before"] = row.pop("value"), row.pop("year_before")
            row["code"] = f"{row['code']}/{row['denominator_column']}"
        _with_target(row)
    return Table(
        "Tổng hợp tỉnh",
        "tong_hop_tinh",
        f"Tổng hợp số liệu báo cáo của các cơ quan – {period.label} ({period.dates})",
        [
            Column("stt", "STT", width=5),
            Column("code", "Mã chỉ tiêu", width=11),
            Column("name", "Chỉ tiêu", width=34),
            Column("unit_vi", "Đơn vị tính", width=7),
            Column("reported", "Số đơn vị đã báo cáo / phải báo cáo", width=11),
            Column("count_value", "Kỳ này", "number", 10, "Số lượng"),
            Column("count_year_before", f"Cùng kỳ năm trước ({period.year_before_label})", "number", 11, "Số lượng"),
            Column("change_count", "Tăng (+), giảm (−)", "delta", 10, "Số lượng"),
            Column("rate_value", "Kỳ này", "rate", 9, "Tỷ lệ"),
            Column("rate_year_before", "Cùng kỳ năm trước", "rate", 10, "Tỷ lệ"),
            Column("change", "Tăng (+), giảm (−)", "change", 11, "Tỷ lệ"),
            Column("target_text", "Mục tiêu", width=8),
            Column("met", "Đạt/ Không đạt", "met", 9),
        ],
        rows,
        note="Tổng của các đơn vị đã gửi báo cáo: chưa bao gồm các đơn vị chưa gửi (cột Số đơn vị đã báo cáo; danh "
        "sách ở bảng «Chế độ báo cáo»). Cùng kỳ năm trước gồm các đơn vị của kỳ đó (trước ngày 1/7/2025 là cấp "
        "huyện), nên so sánh chỉ mang tính tham khảo. " + COMPARISON_NOTE,
        unit="theo cột Đơn vị tính",
        frozen_columns=3,
    )


def sources(conn, period: Period, recipient: str, tables: list[Table]) -> Table:
    """Where the numbers come from, the cut-off dates, and what was left out."""
    rejected, dropped, quarantined = conn.execute(
        "select count(*) filter (where status = 'rejected'), count(*) filter (where status = 'excluded'),"
        " coalesce(sum(rows_quarantined), 0) from marts.fct_load_batches"
    ).fetchone()
    rows = [
        {"item": "Đơn vị nhận", "value": recipient},
        {"item": "Kỳ báo cáo", "value": period.label},
        {
            "item": "Thời gian chốt số liệu",
            "value": f"Từ ngày {period.start_date:%d/%m/%Y} đến ngày {period.end_date:%d/%m/%Y}"
            " (Nghị định 09/2019/NĐ-CP, Điều 12)",
        },
        {"item": "Số liệu cập nhật đến", "value": f"{period.as_of:%H:%M} ngày {period.as_of:%d/%m/%Y}"},
        {"item": "Kỳ so sánh", "value": f"Cùng kỳ năm trước: {period.year_before_label}"},
        {
            "item": "Nguồn dữ liệu",
            "value": "Hệ thống thông tin giải quyết TTHC tỉnh (hồ sơ, quá trình xử lý); hệ thống tiếp "
            "nhận, trả lời PAKN; báo cáo định kỳ của các cơ quan (tệp Excel) và sổ văn bản đến",
        },
        {
            "item": "Dữ liệu không được sử dụng",
            "value": f"Trong toàn bộ dữ liệu đã nhận: {rejected} tệp bị từ chối vì sai quy cách, {dropped} lô dữ "
            f"liệu bị loại theo quyết định của cán bộ vận hành, {quarantined} bản ghi sai quy cách được lưu riêng "
            "để các đơn vị cung cấp dữ liệu sửa",
        },
        {
            "item": "Dữ liệu cá nhân",
            "value": "Không có: họ tên, số giấy tờ, điện thoại, địa chỉ, nội dung PAKN không được đưa vào báo cáo",
        },
        {"item": "Định nghĩa các chỉ tiêu", "value": "Bảng «Định nghĩa chỉ tiêu»"},
        {"item": "Các bảng", "value": "; ".join(t.name for t in tables)},
    ]
    for number, row in enumerate(rows, start=1):
        row["stt"] = number
    return Table(
        "Nguồn và phạm vi",
        "nguon_va_pham_vi",
        f"Nguồn số liệu, thời gian chốt và dữ liệu không được sử dụng – {period.label}",
        [Column("stt", "STT", width=5), Column("item", "Mục", width=28), Column("value", "Nội dung", width=100)],
        rows,
    )


def definitions(conn, period: Period, recipient: str) -> Table:
    """What every KPI of the recipient's documents is: formula (numerator, denominator), unit, the rule or plan
    it comes from, and the target of the period's year with its source (marts.dim_kpi, kpi_values)."""
    rows = query_rows(
        conn,
        """
        select d.label_vi as kpi, d.unit, d.numerator_label_vi as numerator, d.denominator_label_vi as denominator,
               d.source, k.target_operator as operator, k.target_value as target, k.target_source
        from marts.dim_kpi d
        left join marts.kpi_values k on k.kpi_id = d.kpi_id and k.scope = 'province' and k.period_id = %(p)s
        where %(recipient)s = any(d.recipients) and d.family <> 'scorecard_766'
        order by d.unit = 'count', d.display_order
        """,
        {"p": period.period_id, "recipient": recipient},
    )
    for number, row in enumerate(rows, start=1):
        _with_target(row, row["unit"])
        row["stt"] = number
        row["unit_vi"] = {"share": "%", "count": "theo báo cáo", "days": "ngày"}.get(row["unit"], row["unit"])
        row["target_text"] = (
            f"{row['target_text']} ({row['target_source']})" if row["target_text"] else "Không có mục tiêu"
        )
    return Table(
        "Định nghĩa chỉ tiêu",
        "dinh_nghia_chi_tieu",
        f"Định nghĩa, căn cứ và mục tiêu của các chỉ tiêu – {period.label}",
        [
            Column("stt", "STT", width=5),
            Column("kpi", "Chỉ tiêu", width=34),
            Column("unit_vi", "Đơn vị tính", width=8),
            Column("numerator", "Tử số", width=34),
            Column("denominator", "Mẫu số", width=34),
            Column("source", "Căn cứ", width=44),
            Column("target_text", f"Mục tiêu năm {period.end_date.year} và căn cứ", width=40),
        ],
        rows,
        note="Tỷ lệ = tử số / mẫu số. Chỉ tiêu Bộ chỉ số 766: bảng «Chỉ số 766» và «Chỉ tiêu 766 chưa chấm».",
        frozen_columns=2,
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
        below_target(conn, period, "so-noi-vu"),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC", "CCHC")),
        open_gaps(conn, period),
        definitions(conn, period, "so-noi-vu"),
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
        below_target(conn, period, "thanh-tra-tinh"),
        report_compliance(conn, period, ("PCTN", "TCD_KNTC")),
        open_gaps(conn, period),
        definitions(conn, period, "thanh-tra-tinh"),
    ]
    return [sources(conn, period, "Thanh tra tỉnh Khánh Hòa", tables), *tables]
