"""docker-compose.yml cannot run here (no Docker engine), so read it and check that it is coherent."""

from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from warehouse.cli import OFFLINE, dbt_docs_projects
from warehouse.config import ENVIRONMENT, PROJECT_ROOT

COMPOSE = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_the_stack_has_its_components():
    assert {
        "warehouse-db",
        "airflow-db",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
    } <= set(SERVICES)
    commands = {name: s.get("command") for name, s in SERVICES.items()}
    assert commands["airflow-apiserver"] == "api-server"
    assert commands["airflow-scheduler"] == "scheduler"
    assert commands["airflow-dag-processor"] == "dag-processor"
    assert commands["airflow-triggerer"] == "triggerer"


def test_images_are_pinned():
    for name, service in SERVICES.items():
        image = service["image"]
        tag = image.rsplit(":", 1)[1] if ":" in image else ""
        assert re.match(r"^\d+(\.\d+)+", tag), f"{name}: image {image!r} is not pinned to a version"
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    base = re.search(r"^FROM (\S+)", dockerfile, re.M).group(1)
    assert base == "apache/airflow:3.3.2-python3.11"
    assert "uv.lock" in dockerfile and "--frozen" in dockerfile


def test_mounted_folders_exist_in_the_repository():
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            host = volume.split(":", 1)[0]
            if host.startswith("./"):
                assert (PROJECT_ROOT / host[2:]).is_dir(), f"{name} mounts {host}, which is not a folder"


def test_warehouse_and_airflow_metadata_are_separate_servers():
    env = SERVICES["airflow-scheduler"]["environment"]
    assert "@warehouse-db:" in env["DATABASE_URL"]
    assert "@airflow-db:" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]


def test_components_get_the_variables_the_code_reads():
    env = SERVICES["airflow-scheduler"]["environment"]
    for name in ("DATABASE_URL", "LANDING_DIR", "OUTPUT_DIR", "PII_HASH_KEY"):
        assert name in ENVIRONMENT and name in env
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/project/dags"
    assert all(
        SERVICES[s]["environment"] == env
        for s in ("airflow-apiserver", "airflow-dag-processor", "airflow-triggerer", "airflow-init")
    )


def test_no_secret_is_written_in_the_file():
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for line in text.splitlines():
        if re.search(r"(PASSWORD|SECRET|FERNET_KEY|HASH_KEY)\S*:", line):
            assert "${" in line, f"a secret is written in docker-compose.yml: {line.strip()}"
    assert ".env" in (PROJECT_ROOT / ".gitignore").read_text().splitlines(), ".env must stay out of git"


def test_compose_env_generates_every_required_secret_fresh_and_private(tmp_path):
    from warehouse.compose_env import compose_variables, write_env

    required = {n for n, d in compose_variables((PROJECT_ROOT / "docker-compose.yml").read_text()).items() if d is None}
    assert {"WAREHOUSE_DB_PASSWORD", "AIRFLOW_DB_PASSWORD", "AIRFLOW_FERNET_KEY", "PII_HASH_KEY"} <= required
    first, second = tmp_path / "one.env", tmp_path / "two.env"
    assert set(write_env(first)) == required
    write_env(second)
    values = [dict(line.split("=", 1) for line in p.read_text().splitlines()[1:]) for p in (first, second)]
    for name in required:
        assert len(values[0][name]) >= 32 and values[0][name] != values[1][name], name
    assert len(base64.urlsafe_b64decode(values[0]["AIRFLOW_FERNET_KEY"])) == 32
    assert values[0]["SMTP_PORT"] == "25"  # optional settings keep the compose file's default
    assert first.stat().st_mode & 0o077 == 0
    with pytest.raises(FileExistsError):
        write_env(first)


def test_no_file_that_holds_secrets_is_tracked():
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    suspicious = [
        path
        for path in tracked.stdout.splitlines()
        if re.search(r"(^|/)\.env($|\.)|\.pem$|\.key$|(^|/)embedded\.json$|(^|/)\.pgpass$", path)
    ]
    assert suspicious == []


def test_the_celery_profile_adds_a_broker_and_workers_that_share_everything_else():
    env = SERVICES["airflow-scheduler"]["environment"]
    worker, redis = SERVICES["airflow-worker"], SERVICES["redis"]
    assert worker["profiles"] == ["celery"] and redis["profiles"] == ["celery"]
    assert worker["command"] == "celery worker" and worker["environment"] == env  # the same settings, secrets too
    assert worker["volumes"] == SERVICES["airflow-scheduler"]["volumes"]  # the same landing and output folders
    assert env["AIRFLOW__CORE__EXECUTOR"] == "${AIRFLOW_EXECUTOR:-LocalExecutor}"
    assert (
        "@redis:6379/" in env["AIRFLOW__CELERY__BROKER_URL"]
        and "${REDIS_PASSWORD" in env["AIRFLOW__CELERY__BROKER_URL"]
    )
    assert "@airflow-db:" in env["AIRFLOW__CELERY__RESULT_BACKEND"]  # Airflow's metadata server, not the warehouse
    assert worker["depends_on"]["redis"] == {"condition": "service_healthy"}


def test_airflow_calls_nobody_and_serves_the_nights_dbt_docs():
    """As `python -m warehouse airflow` does: no usage telemetry (Cosmos, Airflow's UI), and Cosmos's plugin
    serves the dbt docs the night publishes into OUTPUT_DIR; nightly_load draws a task per model."""
    env = SERVICES["airflow-scheduler"]["environment"]
    assert {k: env[k] for k in OFFLINE} == OFFLINE
    docs = Path(env["OUTPUT_DIR"]) / "dbt" / "target"
    assert json.loads(env["AIRFLOW__COSMOS__DBT_DOCS_PROJECTS"]) == json.loads(dbt_docs_projects(docs))
    assert env["DBT_IN_AIRFLOW"] == "${DBT_IN_AIRFLOW:-cosmos}"
