"""Configuration from environment variables, with the documented defaults.

Every setting the pipeline reads is here, so the README's table and the code cannot drift apart.
Paths default to folders inside the project, so a fresh clone runs without any setting at all.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

LOCAL_TZ = "Asia/Ho_Chi_Minh"

# Every environment variable the project reads, with its default (the README's table must list each one).
ENVIRONMENT = {
    "DATABASE_URL": "unset: an embedded PostgreSQL in PGDATA_DIR is started and used",
    "PGDATA_DIR": ".pgdata/ in the project",
    "LANDING_DIR": "data/landing/ in the project",
    "OUTPUT_DIR": "data/output/ in the project",
    "SOURCE_API_URL": "unset: sources are read from LANDING_DIR",
    "PII_HASH_KEY": "unset: a random key is made once and kept in the database (private.pii_hash_key)",
    "AIRFLOW_HOME": ".airflow/ in the project",
    "NIGHTLY_RETRY_DELAY_SECONDS": "120: first wait before a failed task is retried (then doubled)",
    "ALERT_EMAIL": "unset: a failed task is logged and recorded in audit.nightly_runs only (addresses to mail)",
    "EXTRACT_EMAIL_SO_NOI_VU": "unset: the Sở Nội vụ extract is not mailed (comma-separated addresses)",
    "EXTRACT_EMAIL_THANH_TRA_TINH": "unset: the Thanh tra tỉnh extract is not mailed (comma-separated addresses)",
    # the bounds on what the sources send (ingestion/limits.py): each breach rejects that record, file or answer
    "MAX_RECORD_BYTES": "1048576: a longer JSON Lines record is quarantined unread; a longer CSV line rejects the file",
    "WORKBOOK_MAX_BYTES": "10485760: a larger report workbook is rejected before it is opened",
    "WORKBOOK_MAX_UNPACKED_BYTES": "20971520: a workbook whose zip unpacks to more is rejected (a zip bomb)",
    "WORKBOOK_MAX_ROWS": "5000: a BaoCao sheet with more rows is rejected",
    "WORKBOOK_MAX_COLUMNS": "30: a BaoCao sheet with more columns is rejected",
    "SOURCE_API_MAX_PAGES": "10000: a pull that announces or walks more pages is rejected",
    "SOURCE_API_MAX_PAGE_BYTES": "52428800: an answer with a larger body is rejected",
    "SOURCE_API_MAX_SECONDS": "3600: a pull still running after this long is rejected",
    # the national portal's sync shape (docs/sources.md §4) and delivery security (§6)
    "MOTCUA_DIALECT": "standard: motcua files and API items in the contract's shape (dvcqg: the portal's sync shape)",
    "DVCQG_MAX_ENVELOPE_BYTES": "67108864: a larger pretty-printed DongBoHoSoMC envelope file is rejected unread",
    "SOURCE_API_TOKEN": "unset: no credential is sent (else as Authorization: Bearer, or in SOURCE_API_KEY_HEADER)",
    "SOURCE_API_KEY_HEADER": "unset: SOURCE_API_TOKEN goes in Authorization: Bearer; else the header that carries it",
    "SOURCE_API_ALLOW_HTTP": "unset: plain http:// is refused except to this machine (1: allowed on a closed network)",
    "DVCQG_766_API_URL": "unset: the portal's 766 scores are read from LANDING_DIR/dvcqg_766/ (saved answers), if any",
    "DVCQG_766_ROOT_DEPARTMENT_ID": "unset: the province's id on the portal (rootDepartmentId), needed to pull",
    "DVCQG_766_MONTHS": "3: how many completed calendar months of 766 scores each night pulls again",
    "REGION_READER_PASSWORD": "unset: `region grant-reader` asks for it (the password the region logs in with)",
    "PROVINCE_CODE": "56: the province the warehouse belongs to (statistics office code), on every batch and mart row",
    "PROVINCE_NAME": "Khánh Hòa: the province's name, in marts.dim_province",
    "DBT_IN_AIRFLOW": "cosmos: a task per dbt model, one build (task: one build_marts task, the CLI's default)",
    "PUBLISH_MARGIN_DAYS": "3: the rollup publishes a period this many days after its last report deadline",
    # who issues the extracts (their heading, Nghị định 30/2020/NĐ-CP)
    "EXTRACT_ISSUER_PARENT": "UBND TỈNH KHÁNH HÒA: the body above the issuer, first line of the heading",
    "EXTRACT_ISSUER": "SỞ KHOA HỌC VÀ CÔNG NGHỆ: the body that runs the warehouse and issues the extracts",
    "EXTRACT_ISSUER_CODE": "SKHCN: the issuer's abbreviation in the document number (Số: …/BC-SKHCN)",
    "EXTRACT_PLACE": "Khánh Hòa: the place in the document's date line",
}


def issuer() -> dict[str, str]:
    """EXTRACT_ISSUER_PARENT, EXTRACT_ISSUER, EXTRACT_ISSUER_CODE, EXTRACT_PLACE: the extracts' heading."""
    names = ("EXTRACT_ISSUER_PARENT", "EXTRACT_ISSUER", "EXTRACT_ISSUER_CODE", "EXTRACT_PLACE")
    return {n.removeprefix("EXTRACT_").lower(): os.environ.get(n) or ENVIRONMENT[n].split(":")[0] for n in names}


def province() -> tuple[str, str]:
    """PROVINCE_CODE, PROVINCE_NAME: which province this warehouse's batches and marts belong to."""
    return (
        os.environ.get("PROVINCE_CODE") or ENVIRONMENT["PROVINCE_CODE"].split(":")[0],
        os.environ.get("PROVINCE_NAME") or ENVIRONMENT["PROVINCE_NAME"].split(":")[0],
    )


DIALECTS = ("standard", "dvcqg")  # motcua's shapes: the contract's (docs/sources.md §1), the portal's (§4)


def motcua_dialect() -> str:
    """MOTCUA_DIALECT: the shape the motcua source delivers (standard | dvcqg)."""
    value = os.environ.get("MOTCUA_DIALECT") or "standard"
    if value not in DIALECTS:
        raise ValueError(f"MOTCUA_DIALECT must be standard or dvcqg, got {value!r}")
    return value


DBT_IN_AIRFLOW = ("cosmos", "task")


def dbt_in_airflow() -> str:
    """DBT_IN_AIRFLOW: how nightly_load runs dbt: `cosmos` (a task per model, astronomer-cosmos's watcher mode)
    or `task` (one build_marts task calling dbt in-process, the path before Cosmos)."""
    value = os.environ.get("DBT_IN_AIRFLOW") or "cosmos"
    if value not in DBT_IN_AIRFLOW:
        raise ValueError(f"DBT_IN_AIRFLOW must be cosmos or task, got {value!r}")
    return value


def retry_delay_seconds() -> int:
    """NIGHTLY_RETRY_DELAY_SECONDS: the first wait before a failed task is retried (then doubled)."""
    return int(os.environ.get("NIGHTLY_RETRY_DELAY_SECONDS", "120"))


def publish_margin_days() -> int:
    """PUBLISH_MARGIN_DAYS: days after a period's last report deadline (ref_report_requirements) before the
    rollup publishes it by itself, so that a report filed on the deadline has been loaded."""
    return int(os.environ.get("PUBLISH_MARGIN_DAYS", "3"))


def alert_addresses() -> list[str]:
    """ALERT_EMAIL: who Airflow mails when a task fails after its retries."""
    return [a.strip() for a in os.environ.get("ALERT_EMAIL", "").split(",") if a.strip()]


def _path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    """What one process was configured with (read once per call of `settings()`)."""

    database_url: str | None  # DATABASE_URL; None means "use the embedded server"
    pgdata_dir: Path  # PGDATA_DIR: data folder of the embedded server
    landing_dir: Path  # LANDING_DIR: file drops, one sub-folder per source
    output_dir: Path  # OUTPUT_DIR: extracts, docs sites, run summaries
    source_api_url: str | None  # SOURCE_API_URL: pull from an HTTP API instead of the landing folder

    @property
    def dbt_target_dir(self) -> Path:
        return self.output_dir / "dbt"


def settings() -> Settings:
    return Settings(
        database_url=os.environ.get("DATABASE_URL") or None,
        pgdata_dir=_path("PGDATA_DIR", PROJECT_ROOT / ".pgdata"),
        landing_dir=_path("LANDING_DIR", PROJECT_ROOT / "data" / "landing"),
        output_dir=_path("OUTPUT_DIR", PROJECT_ROOT / "data" / "output"),
        source_api_url=os.environ.get("SOURCE_API_URL") or None,
    )
