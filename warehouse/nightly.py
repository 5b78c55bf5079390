"""The work of each `nightly_load` task. The DAG file only wires these; they do not depend on Airflow.

Each step connects on its own (tasks may run in different processes or machines) and returns a small,
JSON-serialisable summary for XCom: counts and batch ids, never a URL or a credential.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.api import ApiClient, pull_source
from ingestion.ingest import ingest_folder
from ingestion.raw_schema import refresh_statistics

from .config import LOCAL_TZ, settings
from .db import bootstrap, connect, database_url, redact, sqlalchemy_url
from .roles import ANALYST, CHECKER, LOADER

log = logging.getLogger(__name__)


class MartBuildError(RuntimeError):
    """dbt could not build the marts; yesterday's tables stay in place."""


def prepare(run_id: str | None = None, delivered_at: dt.datetime | None = None) -> dict:
    """Roles, schemas and fixed tables (idempotent); the night's row in audit.nightly_runs, with its delivery
    moment (the run's logical date; now when there is none): the data date of what the night loads."""
    url = database_url()
    with connect(url) as conn:
        bootstrap(conn)
    if run_id:
        with connect(url, role=LOADER) as conn:
            conn.execute(
                "insert into audit.nightly_runs (run_id, delivered_at) values (%s, coalesce(%s, now()))"
                " on conflict (run_id) do update set started_at = now(), state = 'running',"
                " marts_validated_at = null, finished_at = null, failed_task = null, message = null,"
                " delivered_at = excluded.delivered_at",
                (run_id, delivered_at),
            )
    log.info("warehouse ready at %s", redact(url))
    return {"database": redact(url)}


def record_end(run_id: str, failed_task: str | None = None, error: BaseException | str | None = None) -> None:
    """The night's outcome in audit.nightly_runs: success, or the task that failed first and why (the rollup will
    not publish after a failed night). Each later failure of the night (with Cosmos, a failed build and then the
    task of each model that failed) adds its task and error to the message."""
    with connect(role=LOADER) as conn:
        if not failed_task:
            conn.execute(
                "update audit.nightly_runs set finished_at = now(), state = 'success', failed_task = null,"
                " message = null where run_id = %s",
                (run_id,),
            )
            return
        line = f"{failed_task}: {error or 'failed'}"[:4000]
        conn.execute(
            "update audit.nightly_runs set finished_at = now(), state = 'failed',"
            " failed_task = coalesce(failed_task, %s::text),"
            " message = left(concat_ws(E'\\n', message, %s::text), 16000)"
            " where run_id = %s",
            (failed_task, line, run_id),
        )


def on_task_failure(context) -> None:
    """Airflow's on_failure_callback (after the last retry): the night is failed, with the task and error."""
    task_id = context["task_instance"].task_id
    error = context.get("exception")
    log.error("nightly_load %s failed at %s: %s", context["run_id"], task_id, error)
    record_end(context["run_id"], task_id, error or "failed")


def ingest(source: str, run_id: str | None = None) -> dict:
    """Load what `source` delivered: from SOURCE_API_URL when set, else from its landing folder."""
    config = settings()
    with connect(role=LOADER) as conn:
        if source == "dvcqg_766" and os.environ.get("DVCQG_766_API_URL"):
            summary = _pull_official(conn, run_id)
        elif source == "dvcqg_766":  # the portal's scores are never on the provincial sources' API
            summary = ingest_folder(conn, source, config.landing_dir, run_id)
        elif config.source_api_url:
            summary = pull_source(conn, source, ApiClient.from_environment(config.source_api_url), run_id)
        else:
            summary = ingest_folder(conn, source, config.landing_dir, run_id)
        if summary.new_batch_ids:
            refresh_statistics(conn, source)
    result = summary.as_dict()
    for rejected in result["rejected"]:
        log.warning("rejected %s: %s", rejected["location"], rejected["message"])
    for failed in result["failed"]:  # the night goes on; the file is tried again next night (see dq.open_gaps)
        log.error("failed %s: %s", failed["location"], failed["message"])
    return result


def _pull_official(conn, run_id: str | None):
    """The national portal's 766 scores of the last DVCQG_766_MONTHS completed months (docs/sources.md)."""
    from ingestion.official_766 import completed_months, pull_official

    root = os.environ.get("DVCQG_766_ROOT_DEPARTMENT_ID")
    if not root:
        raise ValueError("DVCQG_766_API_URL is set but DVCQG_766_ROOT_DEPARTMENT_ID (the province's id) is not")
    months = completed_months(dt.datetime.now(ZoneInfo(LOCAL_TZ)).date(), int(os.environ.get("DVCQG_766_MONTHS", "3")))
    client = ApiClient.from_environment(os.environ["DVCQG_766_API_URL"])
    return pull_official(conn, client, root, months, run_id)


def validate_raw(summaries: list[dict], run_id: str | None = None) -> dict:
    """GX on every raw batch not yet validated, and on those that failed before (a failed batch keeps blocking
    until it passes or an operator excludes it). Raises BlockingGapError on a critical failure."""
    from expectations.definitions import load, suite_names
    from expectations.runner import gate, record, run_suites

    url = sqlalchemy_url(role=CHECKER)
    with connect(role=CHECKER) as conn:
        requests = []
        for suite in suite_names("raw_batches"):
            entity = load(suite).table.split(".", 1)[1]
            batch_ids = [
                r[0]
                for r in conn.execute(
                    "select batch_id from audit.batches where entity = %s and status = 'loaded'"
                    " and (validation is null or validation = 'failed') order by batch_id",
                    (entity,),
                )
            ]
            requests.append((suite, batch_ids))
        outcomes = run_suites(requests, url)
        for outcome, (_, batch_ids) in zip(outcomes, requests, strict=True):
            record(conn, outcome, run_id)
            if not outcome.skipped_reason:
                _mark_batches(conn, outcome, batch_ids)
    report = gate(outcomes)
    log.info("raw batch validation:\n%s", report)
    return {"suites": [o.describe() for o in outcomes], "loaded": [s["source"] for s in summaries]}


def _mark_batches(conn, outcome, batch_ids: list[int]) -> None:
    """Each validated batch: failed (a critical finding in its rows), warned, or passed. A critical failure
    that cannot tell its batches fails them all."""
    verdict = dict.fromkeys(batch_ids, "passed")
    for check in outcome.warnings + outcome.blocking_failures:  # critical last: it wins
        status = "failed" if check.severity == "critical" else "warned"
        found = [b for f in check.findings for b in (f.batch_ids or [])] or batch_ids
        for batch in found:
            if batch in verdict and verdict[batch] != "failed":
                verdict[batch] = status
    for status in ("passed", "warned", "failed"):
        chosen = [b for b, v in verdict.items() if v == status]
        if chosen:
            conn.execute("update audit.batches set validation = %s where batch_id = any(%s)", (status, chosen))


def build_marts(run_id: str | None = None, full_refresh: bool = False) -> dict:
    from .dbt import nightly_build

    outcome = nightly_build(full_refresh=full_refresh)
    if not outcome.success:
        raise MartBuildError("dbt build failed; marts keep their previous state:\n" + "\n".join(outcome.failures))
    return {"nodes": len(outcome.results)}


def validate_marts(run_id: str | None = None) -> dict:
    """GX on the marts as built tonight. Raises BlockingGapError on a critical failure."""
    from expectations.definitions import suite_names
    from expectations.runner import close_retired_checks, gate, record, run_suites

    outcomes = run_suites([(suite, None) for suite in suite_names("table")], sqlalchemy_url(role=CHECKER))
    with connect(role=CHECKER) as conn:
        for outcome in outcomes:
            record(conn, outcome, run_id)
        close_retired_checks(conn)
    report = gate(outcomes)
    log.info("mart validation:\n%s", report)
    if run_id:  # the marts of this night may be published (the rollup checks this)
        with connect(role=LOADER) as conn:
            conn.execute("update audit.nightly_runs set marts_validated_at = now() where run_id = %s", (run_id,))
    return {"suites": [o.describe() for o in outcomes]}


def publish_docs(run_id: str | None = None) -> dict:
    """dbt's documentation as one self-contained page (OUTPUT_DIR/dbt/target/static_index.html: it opens from
    the file system, where index.html would wait for JSON it cannot fetch)."""
    from .dbt import run_dbt

    outcome = run_dbt(["docs", "generate", "--static"])
    if not outcome.success:
        raise MartBuildError("dbt docs generate failed:\n" + "\n".join(outcome.failures))
    page = dbt_docs_page()
    log.info("dbt docs: %s", page)
    return {"dbt_docs": str(page)}


def dbt_docs_page() -> Path:
    return settings().dbt_target_dir / "target" / "static_index.html"


def publish_site(run_id: str | None = None) -> dict:
    """The officials' site (website/) into OUTPUT_DIR/site from the marts, read as the analyst role; the night
    ends here."""
    from expectations.runner import data_docs_index
    from website.build import build_site

    with connect(role=ANALYST) as conn:
        site = build_site(
            conn,
            settings().output_dir / "site",
            extracts=settings().output_dir / "extracts",
            tech={"dbt_docs": dbt_docs_page(), "gx_docs": data_docs_index()},
        )
    if run_id:
        record_end(run_id)
    return {"site": str(site / "index.html")}
