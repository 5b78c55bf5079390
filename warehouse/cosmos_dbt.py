"""dbt in Airflow through astronomer-cosmos: each model (and its tests) an Airflow task, one `dbt build`.

The watcher execution mode runs one `dbt build` (the producer task) and mirrors each node's result into a
task of its own, so an operator sees which model failed, reads its log and retries it alone (a retried
model task runs `dbt run --select <model>`, with the night's flags). The DAG is drawn from a manifest made
by `dbt parse` and cached by the rules digest, so a changed model redraws it and nothing runs `dbt ls` while
Airflow parses.

What the one-task path (`warehouse.dbt.nightly_build`) does, the producer's hooks do here: `plan_build`
before it starts (seeds only when changed, full refresh on request, on key rotation or a rule change, no
unit tests), the connection as the transformer role from DATABASE_URL at run time (never in the DAG), the
artefacts and logs under OUTPUT_DIR/dbt, and `record_build` once the build succeeded. A failure marks the
night failed through the DAG's failure callback, as any task does.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from .config import DBT_PROJECT_DIR, settings
from .dbt import dbt_environment, dbt_paths, plan_build, record_build, rules_digest

log = logging.getLogger(__name__)

PROFILE = "khanhhoa_kpi"  # the dbt project's name and its profile's (dbt_project.yml, profiles.yml)
TARGET = "warehouse"


def dag_manifest() -> Path:
    """The manifest the DAG is drawn from, made by `dbt parse` when the models, macros or seeds changed (once
    per change: a few seconds; the DAG processor reads the cached file on every other parse)."""
    folder = settings().dbt_target_dir / "manifest"
    manifest = folder / f"{rules_digest()[:16]}.json"
    if manifest.exists():
        return manifest
    # parse into a folder of this process's own, then move the file in whole: the DAG processor and a task may
    # parse at the same moment, and neither may read the other's half-written file
    work = folder / f".parse-{os.getpid()}"
    work.mkdir(parents=True, exist_ok=True)
    # parsing reads profiles.yml but never connects: placeholders stand in for the connection
    placeholders = {"host": "localhost", "port": "5432", "user": "parse", "password": "parse", "dbname": "parse"}
    env = {**os.environ, **dbt_environment(parts=placeholders)}
    command = [sys.executable, "-m", "dbt.cli.main", "parse", "--no-partial-parse"]
    command += ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    command += ["--target-path", str(work), "--log-path", str(work / "logs")]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    if done.returncode != 0 or not (work / "manifest.json").exists():
        raise RuntimeError(f"dbt parse failed, the DAG cannot be drawn:\n{done.stdout[-3000:]}{done.stderr[-2000:]}")
    os.replace(work / "manifest.json", manifest)
    shutil.rmtree(work, ignore_errors=True)
    for older in folder.glob("*.json"):  # the manifests of earlier rules
        if older != manifest:
            older.unlink(missing_ok=True)
    return manifest


def before_dbt_task(context) -> None:
    """Every Cosmos task: dbt connects as the transformer role, with the connection read now from DATABASE_URL."""
    os.environ.update(dbt_environment())


def before_build(context) -> None:
    """The producer: tonight's plan (plan_build) becomes its flags; artefacts and logs go under OUTPUT_DIR/dbt."""
    before_dbt_task(context)
    task = context["task"]
    plan = plan_build(full_refresh=bool(context["params"].get("full_refresh")))
    task.full_refresh = plan.full_refresh
    task.dbt_cmd_flags = [*plan.flags, *dbt_paths()]
    task.build_plan = plan  # for after_build, in the same process
    log.info("dbt build flags: %s%s", " ".join(plan.flags), " --full-refresh" if plan.full_refresh else "")


def after_build(context, result) -> None:
    """The producer succeeded: record what the marts were built from (audit.dbt_state)."""
    record_build(context["task"].build_plan)


def build_marts_group(after, group_id: str = "build_marts"):
    """The dbt project as a Cosmos DbtTaskGroup in the watcher mode, started after the task `after` (call it
    inside the DAG)."""
    from airflow.task.trigger_rule import TriggerRule
    from cosmos import DbtTaskGroup, ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import ExecutionMode, InvocationMode, LoadMode, SeedRenderingBehavior, TestBehavior

    group = DbtTaskGroup(
        group_id=group_id,
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR, manifest_path=dag_manifest(), project_name=PROFILE
        ),
        profile_config=ProfileConfig(
            profile_name=PROFILE, target_name=TARGET, profiles_yml_filepath=DBT_PROJECT_DIR / "profiles.yml"
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # the one build; no Airflow retry (Cosmos would skip it): a failed model's own task retries instead
            setup_operator_args={"pre_execute": before_build, "post_execute": after_build, "retries": 0},
        ),
        render_config=RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            test_behavior=TestBehavior.AFTER_EACH,
            exclude=["resource_type:unit_test"],
            # the build loads the seeds (when they changed, see plan_build); they are reviewed files, not tasks
            seed_rendering_behavior=SeedRenderingBehavior.NONE,
            emit_datasets=False,
        ),
        # a model task retries once, running its own model again (`dbt run --select`), as build_marts retries once
        operator_args={
            "pre_execute": before_dbt_task,
            "install_deps": False,
            "deferrable": False,
            "poke_interval": 5,
            "retries": 1,
        },
    )
    after >> group
    # The model tasks with no model upstream read their result once the build has ended, failed or not (a
    # failed build still reports each model), but not when the night stopped before it. Without this edge
    # they may start first and, under `airflow dags test`, which runs one task at a time, wait for ever.
    producer = group.children[f"{group_id}.dbt_producer_watcher"]
    tasks = {task.task_id: task for task in _tasks(group)}
    for task in tasks.values():
        if task is not producer and task.task_id != f"{group_id}.dbt_producer_watcher_done":
            if not task.upstream_task_ids & tasks.keys():
                producer >> task
                task.trigger_rule = TriggerRule.ALL_DONE_MIN_ONE_SUCCESS
    return group


def _tasks(group):
    for child in group.children.values():
        yield from _tasks(child) if hasattr(child, "children") else [child]
