"""The charts of the PDF summaries: trends over the periods before the cut-off, and agencies below target.
Every value, target and verdict comes from marts.kpi_values; the series' names from marts.dim_kpi."""

from __future__ import annotations

import psycopg

from .pdf import chart_png
from .tables import Period


def _periods(conn: psycopg.Connection, kind: str, period: Period, count: int) -> list[str]:
    """The `count` periods of `kind` that end by the period's cut-off, oldest first."""
    rows = conn.execute(
        "select period_id from marts.dim_period where period_kind = %s and end_date <= %s"
        " order by end_date desc limit %s",
        (kind, period.end_date, count),
    ).fetchall()
    return [r[0] for r in reversed(rows)]


def _trend(conn, periods: list[str], kpi_id: str) -> list[tuple[str, float | None]]:
    """A KPI's province value in each of `periods` (None where it has none), labelled as a reader says the
    period: "T7/2025" for a month (statistical: from the 15th of the month before to the 14th), the label of
    dim_period otherwise."""
    rows = conn.execute(
        "select p.period_id, p.period_kind, p.label_vi, k.value from marts.dim_period p"
        " left join marts.kpi_values k on k.period_id = p.period_id and k.kpi_id = %s and k.scope = 'province'"
        " where p.period_id = any(%s)",
        (kpi_id, periods),
    ).fetchall()
    found = {r[0]: r for r in rows}
    out = []
    for period in periods:
        _, kind, label, value = found[period]
        out.append((label.replace("Tháng ", "T") if kind == "month" else label, value))
    return out


def _label(conn, kpi_id: str) -> str:
    return conn.execute("select label_vi from marts.dim_kpi where kpi_id = %s", (kpi_id,)).fetchone()[0]


def _target(conn, kpi_id: str, period: Period) -> float | None:
    """The KPI's province target for the period's year, from kpi_values."""
    found = conn.execute(
        "select target_value from marts.kpi_values where kpi_id = %s and scope = 'province' and period_id = %s",
        (kpi_id, period.period_id),
    ).fetchone()
    return None if not found or found[0] is None else float(found[0])


def so_noi_vu_charts(conn: psycopg.Connection, period: Period) -> list[bytes]:
    months = _periods(conn, "month", period, 12)
    charts = [
        chart_png(
            "Tỷ lệ hồ sơ giải quyết đúng hạn theo tháng thống kê (toàn tỉnh)",
            {"Đúng hạn": _trend(conn, months, "case_on_time_rate")},
            target=_target(conn, "case_on_time_rate", period),
            show_no_target=True,
        ),
        chart_png(
            "Nộp trực tuyến, thanh toán trực tuyến và số hóa theo tháng thống kê (toàn tỉnh)",
            {
                "Nộp trực tuyến": _trend(conn, months, "online_submission_share"),
                "Thanh toán trực tuyến": _trend(conn, months, "online_payment_share"),
                "Số hóa": _trend(conn, months, "digitisation_rate"),
            },
        ),
        chart_png(
            "Tỷ lệ hồ sơ đất đai trễ hạn, kể cả hồ sơ đang quá hạn, theo tháng thống kê (toàn tỉnh)",
            {"Đất đai trễ hạn": _trend(conn, months, "land_late_rate_incl_overdue")},
            target=_target(conn, "land_late_rate_incl_overdue", period),
            show_no_target=True,
        ),
    ]
    below = conn.execute(
        """
        select a.agency_name, k.value
        from marts.kpi_values k join marts.dim_agency a using (agency_id)
        where k.kpi_id = 'case_on_time_rate' and k.scope = 'agency' and k.period_id = %s
          and k.denominator >= 10 and not k.is_target_met
        order by k.value, a.agency_name limit 15
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
    halves = _periods(conn, period.period_kind, period, 4)
    months = _periods(conn, "month", period, 12)
    reported = ("citizen_receptions", "complaints_received", "denunciations_received")
    return [
        chart_png(
            "Tiếp công dân, đơn khiếu nại, tố cáo theo kỳ (tổng các cơ quan báo cáo)",
            {_label(conn, kpi): _trend(conn, halves, kpi) for kpi in reported},
            percent=False,
            unit="lượt, đơn",
        ),
        chart_png(
            "Tỷ lệ giải quyết khiếu nại, tố cáo thuộc thẩm quyền và kê khai tài sản theo kỳ (các cơ quan báo cáo)",
            {
                _label(conn, kpi): _trend(conn, halves, kpi)
                for kpi in ("complaint_resolution_rate", "denunciation_resolution_rate", "asset_declaration_rate")
            },
        ),
        chart_png(
            "Tỷ lệ PAKN trả lời đúng hạn theo tháng thống kê (toàn tỉnh)",
            {"PAKN đúng hạn": _trend(conn, months, "feedback_on_time_rate")},
            target=_target(conn, "feedback_on_time_rate", period),
        ),
    ]
