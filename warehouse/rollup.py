"""The work of each `biannual_rollup` task; the DAG file only wires these.

A six-month (15/12-14/6) or annual (15/12-14/12) period is published once the marts describe the days after
its cut-off (the agencies' reports are due a few days after it), as two bundles (Sở Nội vụ, Thanh tra tỉnh).
Publication is refused while a critical data-quality gap of the period is open, and after a failed night.
Any past period can be published again on request; with the same data the files are byte for byte the same.
"""

from __future__ import annotations

import json
import logging

from reporting.bundle import RECIPIENTS, build_bundle
from reporting.delivery import deliver

from .config import publish_margin_days, settings
from .db import connect
from .roles import ANALYST, CHECKER

log = logging.getLogger(__name__)


class PublicationBlocked(RuntimeError):
    """Critical data-quality gaps are open for the period: nothing is published."""


def extracts_dir():
    return settings().output_dir / "extracts"


def published(period_id: str) -> bool:
    return all((extracts_dir() / period_id / slug / "manifest.json").exists() for slug in RECIPIENTS)


def due_period() -> str | None:
    """The latest six-month or annual period whose last report deadline (or cut-off, if it requires none) the
    data date has passed by PUBLISH_MARGIN_DAYS, if not yet published. Older unpublished periods are left to an
    operator (make rollup PERIOD=...)."""
    with connect(role=ANALYST) as conn:
        found = conn.execute("select as_of_date from marts.data_date").fetchone()
        if found is None or found[0] is None:
            return None
        latest = conn.execute(
            "select p.period_id from marts.dim_period p where p.period_kind in ('six_months', 'year')"
            " and coalesce((select max(r.deadline_date) from marts.kpi_report_compliance r"
            "               where r.period_id = p.period_id), p.end_date) + %s <= %s"
            " order by p.end_date desc limit 1",
            (publish_margin_days(), found[0]),
        ).fetchone()
    return latest[0] if latest and not published(latest[0]) else None


def choose_period(requested: str | None) -> str | None:
    period = requested or due_period()
    log.info("period to publish: %s", period or "none due (all published or the cut-off not reached yet)")
    return period


def check_last_night(conn) -> None:
    """The marts are published only as the last nightly_load left them after validating them: a night that
    failed before that may have rebuilt part of the marts (a model and its descendants keep yesterday's rows)."""
    night = conn.execute(
        "select run_id, state, marts_validated_at, failed_task, message from audit.nightly_runs"
        " order by started_at desc limit 1"
    ).fetchone()
    if night is None:
        raise PublicationBlocked("no nightly_load run has validated the marts yet: run the night first")
    run_id, state, validated_at, failed_task, message = night
    if validated_at is None:
        cause = f"failed at {failed_task}: {(message or '').strip()[:600]}" if state == "failed" else f"is {state}"
        raise PublicationBlocked(
            f"nothing is published: the last nightly_load ({run_id}) {cause}\n"
            "Fix the cause, re-run the night (make nightly), and publish once it has succeeded."
        )


def check_blockers(period_id: str) -> dict:
    from expectations.blockers import period_gaps

    with connect(role=CHECKER) as conn:
        check_last_night(conn)
        gaps = period_gaps(conn, period_id)
    blocking = [g for g in gaps if g.severity == "critical"]
    for gap in gaps:
        log.info("open gap: %s", gap.line())
    if blocking:
        raise PublicationBlocked(
            f"{period_id} is not published: {len(blocking)} critical data-quality gap(s) are open:\n"
            + "\n".join("  " + g.line() for g in blocking)
            + f"\nSee `python -m warehouse blockers --period {period_id}` and dq.open_gaps."
        )
    return {"period": period_id, "warnings": len(gaps)}


def build(period_id: str, recipient: str) -> dict:
    with connect(role=ANALYST) as conn:  # the extracts see what an analyst sees: no personal data
        bundle = build_bundle(conn, period_id, recipient, extracts_dir())
    log.info("published %s: %s", bundle.path, ", ".join(f.name for f in bundle.files))
    return {"recipient": recipient, "period": period_id, "path": str(bundle.path)}


def send(period_id: str) -> dict:
    from reporting.bundle import Bundle

    sent = {}
    for slug in RECIPIENTS:
        link = extracts_dir() / period_id / slug
        manifest = json.loads((link / "manifest.json").read_text(encoding="utf-8"))
        files = [link / f["path"] for f in manifest["files"]] + [link / "manifest.json"]
        sent[slug] = deliver(Bundle(slug, period_id, link, files, manifest))
    return sent
