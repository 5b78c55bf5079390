"""
### biannual_rollup

Publishes the six-monthly and annual extracts for Thanh tra tỉnh and Sở Nội vụ (Nghị định 09/2019: periods end
on 14 June and 14 December).

Runs after every nightly load that validated the marts (the `khanhhoa_marts` asset), and on the 20th of June
and December: when the data date is PUBLISH_MARGIN_DAYS past the period's last report deadline (reports are due
2 working days after the cut-off, ref_report_requirements) and the period is not published yet, it checks the
period's open data-quality gaps (a critical one blocks publication), writes one bundle per recipient (workbook,
PDF, CSVs, manifest) under `OUTPUT_DIR/extracts/<period>/`, and mails it if addresses are configured. Trigger
with `{"period": "2025-6T"}` (or `make rollup PERIOD=2025-6T`) to publish any past period again; the same data
give the same files.
"""

from __future__ import annotations

from airflow.sdk import Asset, AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from warehouse.assets import MARTS_ASSET
from warehouse.dag_defaults import START_DATE, default_args


@dag(
    dag_id="biannual_rollup",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 6 20 6,12 *", timezone="Asia/Ho_Chi_Minh"), assets=Asset(MARTS_ASSET)
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    params={"period": Param(None, type=["null", "string"], description="e.g. 2025-6T or 2025-NAM; empty: the due one")},
    default_args=default_args(retries=1),
    tags=["khanhhoa", "extracts"],
    doc_md=__doc__,
)
def biannual_rollup():
    @task
    def choose_period(**context) -> str | None:
        from warehouse.rollup import choose_period

        return choose_period(context["params"].get("period"))

    @task.short_circuit
    def period_is_due(period: str | None) -> bool:
        return period is not None

    @task(retries=0)
    def check_open_gaps(period: str) -> dict:
        from warehouse.rollup import check_blockers

        return check_blockers(period)

    @task
    def build_extract(period: str, recipient: str) -> dict:
        from warehouse.rollup import build

        return build(period, recipient)

    @task
    def deliver_extracts(period: str) -> dict:
        from warehouse.rollup import send

        return send(period)

    @task(retries=1)
    def publish_site() -> dict:
        from warehouse.nightly import publish_site

        return publish_site()  # the site offers the documents just published

    period = choose_period()
    allowed = check_open_gaps(period)
    period_is_due(period) >> allowed
    bundles = [
        build_extract.override(task_id="build_so_noi_vu")(period, "so-noi-vu"),
        build_extract.override(task_id="build_thanh_tra_tinh")(period, "thanh-tra-tinh"),
    ]
    allowed >> bundles
    bundles >> deliver_extracts(period)
    bundles >> publish_site()


biannual_rollup()
