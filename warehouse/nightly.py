"""The work of each `nightly_load` task. The DAG file only wires these; they do not depend on Airflow.

Each step connects on its own (tasks may run in different processes or machines) and returns a small,
JSON-serialisable summary for XCom: counts and batch ids, never a URL or a credential.
"""

from __future__ import annotations

import logging

from ingestion.api import ApiClient, pull_source
from ingestion.ingest import ingest_folder

from .config import settings
from .db import bootstrap, connect, database_url, redact, sqlalchemy_url

log = logging.getLogger(__name__)

RAW_SUITES = {"motcua": ["raw_motcua_cases"], "pakn": [], "baocao": []}
MART_SUITES = ["mart_kpi_case_timeliness"]


class MartBuildError(RuntimeError):
    """dbt could not build the marts; yesterday's tables stay in place."""


def prepare() -> dict:
    url = database_url()
    with connect(url) as conn:
        bootstrap(conn)
    log.info("warehouse ready at %s", redact(url))
    return {"database": redact(url)}


def ingest(source: str, run_id: str | None = None) -> dict:
    """Load what `source` delivered: from SOURCE_API_URL when set, else from its landing folder."""
    config = settings()
    with connect() as conn:
        if config.source_api_url:
            summary = pull_source(conn, source, ApiClient(config.source_api_url), run_id)
        else:
            summary = ingest_folder(conn, source, config.landing_dir, run_id)
    result = summary.as_dict()
    for rejected in result["rejected"]:
        log.warning("rejected %s: %s", rejected["location"], rejected["message"])
    return result


def validate_raw(summaries: list[dict], run_id: str | None = None) -> dict:
    """GX on the batches loaded tonight; raises BlockingGapError if a critical expectation fails."""
    from expectations.runner import gate, record, run_suite

    outcomes = []
    url = sqlalchemy_url()
    with connect() as conn:
        for summary in summaries:
            for suite in RAW_SUITES.get(summary["source"], []):
                outcome = run_suite(suite, url, summary["new_batch_ids"])
                record(conn, outcome, run_id)
                outcomes.append(outcome)
    report = gate(outcomes)
    log.info("raw batch validation:\n%s", report)
    return {"suites": [o.describe() for o in outcomes]}


def build_marts(run_id: str | None = None) -> dict:
    from .dbt import run_dbt

    outcome = run_dbt(["build"])
    if not outcome.success:
        raise MartBuildError("dbt build failed; marts keep their previous state:\n" + "\n".join(outcome.failures))
    return {"nodes": len(outcome.results)}


def validate_marts(run_id: str | None = None) -> dict:
    from expectations.runner import gate, record, run_suite

    outcomes = []
    url = sqlalchemy_url()
    with connect() as conn:
        for suite in MART_SUITES:
            outcome = run_suite(suite, url)
            record(conn, outcome, run_id)
            outcomes.append(outcome)
    report = gate(outcomes)
    log.info("mart validation:\n%s", report)
    return {"suites": [o.describe() for o in outcomes]}


def publish_docs(run_id: str | None = None) -> dict:
    """dbt's documentation site (index.html + manifest + catalog) under OUTPUT_DIR/dbt/target."""
    from .dbt import run_dbt

    outcome = run_dbt(["docs", "generate"])
    if not outcome.success:
        raise MartBuildError("dbt docs generate failed:\n" + "\n".join(outcome.failures))
    site = settings().dbt_target_dir / "target" / "index.html"
    log.info("dbt docs: %s", site)
    return {"dbt_docs": str(site)}
