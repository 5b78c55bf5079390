"""docker-compose.yml cannot run here (no Docker engine), so read it and check that it is coherent."""

from __future__ import annotations

import re

import yaml

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
