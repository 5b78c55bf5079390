"""What the national portal would publish as 766 scores for the simulated province: a `dvcqg_766` feed.

The portal computes its scores from the synced cases; the simulator has no second engine, so it publishes our own
scorecard (marts.kpi_766_scorecard and its province twin) in the portal's answer shape, with a few planted
differences, each returned so a test can expect exactly them: the warehouse must find those and nothing else.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import psycopg

from warehouse.config import DBT_PROJECT_DIR

METRICS = DBT_PROJECT_DIR / "seeds" / "ref_766_portal_metrics.csv"


@dataclass(frozen=True)
class Planted:
    agency_id: str | None  # None: the province
    period_id: str
    indicator_id: str
    rate_shift: float  # added to the rate the portal publishes (a fraction)


def _metrics() -> dict[str, tuple[str, str]]:
    with open(METRICS, encoding="utf-8", newline="") as handle:
        return {row["indicator_id"]: (row["portal_code"], row["portal_group"]) for row in csv.DictReader(handle)}


def _request(group: str, period_id: str) -> dict:
    parts = period_id.removeprefix("cal-").split("-")
    request = {"endpoint": group, "year": int(parts[0]), "rootDepartmentId": "sim-root", "currentPage": 1}
    if len(parts) == 1:
        return request | {"timeType": "year"}
    if parts[1].startswith("Q"):
        return request | {"timeType": "quarter", "quarter": int(parts[1][1:])}
    return request | {"timeType": "month", "month": int(parts[1])}


def write_official_scores(
    conn: psycopg.Connection, landing: Path, periods: list[str], planted: list[Planted], unknown_unit: bool = True
) -> list[Path]:
    """One answer file per portal group and period under `landing/dvcqg_766/`; returns the files."""
    metrics = _metrics()
    rows = conn.execute(
        "select s.agency_id, a.electronic_id, a.agency_name, s.period_id, s.indicator_id, s.numerator, s.denominator,"
        " s.rate, s.points, s.max_points from marts.kpi_766_scorecard as s"
        " join marts.dim_agency as a using (agency_id) where s.period_id = any(%s)"
        " union all select null, null, 'UBND tỉnh', period_id, indicator_id, numerator, denominator, rate, points,"
        " max_points from marts.kpi_766_scorecard_province where period_id = any(%s)",
        (periods, periods),
    ).fetchall()
    shifts = {(p.agency_id, p.period_id, p.indicator_id): p.rate_shift for p in planted}
    units: dict[tuple[str, str], dict[tuple, dict]] = defaultdict(dict)  # (group, period) -> unit -> unit answer
    for agency, identifier, name, period, indicator, numerator, denominator, rate, points, max_points in rows:
        if indicator not in metrics or rate is None:
            continue
        code, group = metrics[indicator]
        unit_key = (agency, identifier, name)
        unit = units[(group, period)].setdefault(
            unit_key,
            {
                "departmentId": f"sim-{agency or 'province'}",
                "departmentCode": identifier,
                "departmentName": name,
                "departmentType": "PROVINCE" if agency is None else "PROVINCIAL_DEPARTMENT",
                "metrics": [],
            },
        )
        published = min(1.0, max(0.0, float(rate) + shifts.get((agency, period, indicator), 0.0)))
        unit["metrics"].append(
            {
                "code": code,
                "name": indicator,
                "numerator": None if numerator is None else float(numerator),
                "denominator": None if denominator is None else float(denominator),
                "ratio": round(published * 100, 2),
                "score": None if points is None else round(float(points), 2),
                "maxScore": None if max_points is None else float(max_points),
            }
        )
    folder = Path(landing) / "dvcqg_766"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for (group, period), by_unit in sorted(units.items()):
        province = [u for key, u in by_unit.items() if key[0] is None]
        evaluation = [u for key, u in sorted(by_unit.items(), key=lambda kv: str(kv[0])) if key[0] is not None]
        if unknown_unit and evaluation:  # a unit the portal scores that is not in our catalogue
            evaluation.append(
                {
                    **evaluation[0],
                    "departmentId": "sim-unknown",
                    "departmentCode": "000.99.99.H99",
                    "departmentName": "Đơn vị không có trong danh mục",
                }
            )
        answer = {"code": "OK", "data": {"overview": province[0] if province else None, "evaluation": evaluation}}
        path = folder / f"{group}_{period}.json"
        path.write_text(json.dumps({"request": _request(group, period), "response": answer}, ensure_ascii=False))
        written.append(path)
    return written


def pick_differences(conn: psycopg.Connection, periods: list[str], count: int) -> list[Planted]:
    """`count` agency rates to publish differently (alternately 3 points higher and lower), the busiest first."""
    rows = conn.execute(
        "select agency_id, period_id, indicator_id from marts.kpi_766_scorecard where period_id = any(%s)"
        " and indicator_id = any(%s) and rate between 0.05 and 0.95 order by denominator desc, 1, 2, 3 limit %s",
        (periods, list(_metrics()), count),
    ).fetchall()
    return [Planted(a, p, i, 0.03 if n % 2 == 0 else -0.03) for n, (a, p, i) in enumerate(rows)]
