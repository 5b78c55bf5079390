"""Run dbt in-process (dbtRunner) against the warehouse, with the connection passed by environment."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from .config import DBT_PROJECT_DIR, province, settings
from .db import connection_parts, database_url
from .roles import TRANSFORMER

log = logging.getLogger(__name__)


@dataclass
class DbtOutcome:
    success: bool
    failures: list[str]  # "model.khanhhoa_kpi.x: error" lines, for the task log and the exception
    results: list


def dbt_environment(url: str | None = None, parts: dict[str, str] | None = None) -> dict[str, str]:
    """The profile's WH_* variables (dbt acts as the transformer role, profiles.yml `role`) and the province."""
    parts = parts or connection_parts(url or database_url())
    code, name = province()
    return {
        **{f"WH_{k.upper()}": v for k, v in parts.items()},
        "WH_ROLE": TRANSFORMER,
        "WH_PROVINCE_CODE": code,  # the province key every mart row carries (macro province_code)
        "WH_PROVINCE_NAME": name,
    }


def dbt_paths() -> list[str]:
    """Where dbt writes its artefacts (manifest, run results, docs) and logs: OUTPUT_DIR/dbt, not the repo."""
    target = settings().dbt_target_dir
    return ["--target-path", str(target / "target"), "--log-path", str(target / "logs")]


def run_dbt(args: list[str], url: str | None = None) -> DbtOutcome:
    """`dbt <args>` on the project; target and log folders go under OUTPUT_DIR, not into the repo."""
    from dbt.cli.main import dbtRunner

    os.environ.update(dbt_environment(url))
    common = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), *dbt_paths()]
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


def _digest(paths) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def seeds_digest() -> str:
    """Hash of the seed files and the project file (which sets their column types)."""
    return _digest([*(DBT_PROJECT_DIR / "seeds").glob("*.csv"), DBT_PROJECT_DIR / "dbt_project.yml"])


def rules_digest() -> str:
    """Hash of everything that decides a figure: the models, the macros, the seeds (holidays, targets, 766 rules,
    legal days) and the project file. When it differs from the last successful build's, history may be wrong."""
    folders = [DBT_PROJECT_DIR / name for name in ("models", "macros", "seeds")]
    files = [path for folder in folders for path in folder.rglob("*") if path.is_file()]
    return _digest([*files, DBT_PROJECT_DIR / "dbt_project.yml"])


@dataclass
class BuildPlan:
    """What tonight's `dbt build` must do, decided from audit.dbt_state before it starts."""

    flags: list[str]  # after `build`: the resource types left out (unit tests; seeds when unchanged)
    full_refresh: bool
    wanted: dict[str, str]  # the state to record once the build succeeded

    @property
    def args(self) -> list[str]:
        return ["build", *self.flags, *(["--full-refresh"] if self.full_refresh else [])]


def plan_build(url: str | None = None, full_refresh: bool = False) -> BuildPlan:
    """The nightly `dbt build`, without the unit tests (they test the SQL, not the data; the test suite runs
    them). Seeds are loaded only when their files changed since the last successful build. Everything is rebuilt
    (--full-refresh) when asked; when the PII key changed (PII_HASH_KEY rotated), so no table mixes old and new
    hashes; and when a rule changed since the last successful build (a model, a macro or a seed: a holiday, a
    target, a procedure's legal days, a new release), so every period it affects is recomputed, closed ones too,
    and a table whose columns changed is made anew instead of failing the incremental insert."""
    from .db import connect

    wanted = {"seeds_digest": seeds_digest(), "rules_digest": rules_digest()}
    with connect(url or database_url(), role=TRANSFORMER) as conn:
        wanted["pii_key_set_at"] = str(conn.execute("select set_at from private.pii_hash_key").fetchone()[0])
        built = dict(conn.execute("select key, value from audit.dbt_state").fetchall())
    flags = ["--exclude-resource-type", "unit_test"]
    if built.get("seeds_digest") == wanted["seeds_digest"]:
        flags += ["--exclude-resource-type", "seed"]
    key_rotated = "pii_key_set_at" in built and built["pii_key_set_at"] != wanted["pii_key_set_at"]
    rules_changed = "seeds_digest" in built and built.get("rules_digest") != wanted["rules_digest"]
    if rules_changed:
        log.info("the models, macros or seeds changed since the last successful build: rebuilding all periods")
    return BuildPlan(flags=flags, full_refresh=bool(full_refresh or key_rotated or rules_changed), wanted=wanted)


def record_build(plan: BuildPlan, url: str | None = None) -> None:
    """After a successful build: what it was built from (audit.dbt_state), which the next night's plan reads."""
    from .db import connect

    with connect(url or database_url(), role=TRANSFORMER) as conn:
        for key, value in plan.wanted.items():
            conn.execute(
                "insert into audit.dbt_state (key, value) values (%s, %s)"
                " on conflict (key) do update set value = excluded.value, updated_at = now()",
                (key, value),
            )


def nightly_build(url: str | None = None, full_refresh: bool = False) -> DbtOutcome:
    """The nightly `dbt build` in this process (plan_build says what it does), recorded when it succeeds."""
    plan = plan_build(url, full_refresh)
    outcome = run_dbt(plan.args, url)
    if outcome.success:
        record_build(plan, url)
    return outcome
