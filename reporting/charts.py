"""The charts of the PDF summaries: trends over the periods before the cut-off, and agencies below target."""

from __future__ import annotations

import psycopg

from .pdf import chart_png
from .tables import Period, province_target


def _months(conn: psycopg.Connection, period: Period, count: int = 12) -> list[str]:
    rows = conn.execute(
        "select period_id from marts.dim_period where period_kind = 'month' and end_date <= %s"
        " order by end_date desc limit %s",
        (period.end_date, count),
    ).fetchall()
    return [r[0] for r in reversed(rows)]


def _trend(conn, months: list[str], model: str, numerator: str, denominator: str) -> list[tuple[str, float | None]]:
    values = dict(
        conn.execute(
            f"select period_id, sum({numerator})::numeric / nullif(sum({denominator}), 0) from marts.{model}"
            " where period_id = any(%s) group by period_id",
            (months,),
        ).fetchall()
    )
    return [(m, values.get(m)) for m in months]


def _target(conn, kpi: str, period: Period) -> float | None:
    target = province_target(conn, kpi, period)[1]
    return None if target is None else float(target)


def so_noi_vu_charts(conn: psycopg.Connection, period: Period) -> list[bytes]:
    months = _months(conn, period)
    charts = [
        chart_png(
            "Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng (toàn tỉnh)",
            {
                "Đúng hạn": _trend(
                    conn, months, "kpi_case_timeliness_province", "on_time_numerator", "on_time_denominator"
                )
            },
            target=_target(conn, "case_on_time_rate", period),
        ),
        chart_png(
            "Trực tuyến và số hóa theo tháng (toàn tỉnh)",
            {
                "Nộp trực tuyến": _trend(conn, months, "kpi_online_share_province", "received_online", "received"),
                "Thanh toán trực tuyến": _trend(
                    conn, months, "kpi_online_share_province", "received_paid_online", "received_with_fee"
                ),
                "Số hóa": _trend(conn, months, "kpi_online_share_province", "resolved_digitised", "resolved"),
            },
        ),
        chart_png(
            "Tỷ lệ hồ sơ đất đai trễ hạn theo tháng (mục tiêu dưới 2%)",
            {
                "Đất đai trễ hạn": _trend(
                    conn, months, "kpi_land_lateness_province", "land_resolved_late", "land_resolved"
                )
            },
            target=_target(conn, "land_late_rate", period),
        ),
    ]
    below = conn.execute(
        """
        select a.agency_name, sum(k.on_time_numerator)::numeric / sum(k.on_time_denominator) as rate
        from marts.kpi_case_timeliness k join marts.dim_agency a using (agency_id)
        where k.period_id = %s group by a.agency_name
        having sum(k.on_time_denominator) >= 10
           and sum(k.on_time_numerator)::numeric / sum(k.on_time_denominator) < max(k.on_time_target)
        order by rate, a.agency_name limit 15
    """,
        (period.period_id,),
    ).fetchall()
    if below:
        charts.append(
            chart_png(
                "Đơn vị chưa đạt mục tiêu đúng hạn (15 đơn vị thấp nhất, từ 10 hồ sơ)",
                {"": [(name, rate) for name, rate in below]},
                kind="bar",
                target=_target(conn, "case_on_time_rate", period),
            )
        )
    return charts


def thanh_tra_charts(conn: psycopg.Connection, period: Period) -> list[bytes]:
    halves = [
        r[0]
        for r in reversed(
            conn.execute(
                "select period_id from marts.dim_period where period_kind = %s and end_date <= %s"
                " order by end_date desc limit 4",
                (period.period_kind, period.end_date),
            ).fetchall()
        )
    ]
    totals = {
        code: dict(
            conn.execute(
                "select period_id, sum(value) from marts.fct_report_values"
                " where indicator_id = %s and period_id = any(%s) group by period_id",
                (code, halves),
            ).fetchall()
        )
        for code in ("TCD01", "KN01", "TC01")
    }
    months = _months(conn, period)
    return [
        chart_png(
            "Tiếp công dân, đơn khiếu nại, tố cáo theo kỳ (tổng các cơ quan báo cáo)",
            {
                "Lượt tiếp công dân": [(h, totals["TCD01"].get(h)) for h in halves],
                "Đơn khiếu nại": [(h, totals["KN01"].get(h)) for h in halves],
                "Đơn tố cáo": [(h, totals["TC01"].get(h)) for h in halves],
            },
            percent=False,
        ),
        chart_png(
            "Tỷ lệ PAKN trả lời đúng hạn theo tháng (toàn tỉnh)",
            {"PAKN đúng hạn": _trend(conn, months, "kpi_feedback_handling_province", "due_answered_on_time", "due")},
            target=_target(conn, "feedback_on_time_rate", period),
        ),
    ]
