"""Run dbt in-process (dbtRunner) against the warehouse, with the connection passed by environment."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .config import DBT_PROJECT_DIR, settings
from .db import connection_parts, database_url


@dataclass
class DbtOutcome:
    success: bool
    failures: list[str]  # "model.khanhhoa_kpi.x: error" lines, for the task log and the exception
    results: list


def dbt_environment(url: str | None = None) -> dict[str, str]:
    parts = connection_parts(url or database_url())
    return {f"WH_{k.upper()}": v for k, v in parts.items()}


def run_dbt(args: list[str], url: str | None = None) -> DbtOutcome:
    """`dbt <args>` on the project; target and log folders go under OUTPUT_DIR, not into the repo."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(url))
    target = settings().dbt_target_dir
    common = [
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target / "target"),
        "--log-path",
        str(target / "logs"),
    ]
    command = " ".join(a for a in args if not a.startswith("-"))[:40]
    result = dbtRunner().invoke([*args, *common])
    failures: list[str] = []
    outcomes = list(getattr(result.result, "results", []) or [])
    for item in outcomes:
        status = str(getattr(item, "status", ""))
        if status in ("error", "fail", "runtime error"):
            failures.append(f"{item.node.unique_id}: {status}: {(item.message or '').strip()[:500]}")
    if result.exception is not None:
        failures.append(f"dbt {command} raised {type(result.exception).__name__}: {result.exception}")
    return DbtOutcome(success=bool(result.success), failures=failures, results=outcomes)
