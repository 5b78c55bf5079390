"""Names shared by the DAGs (kept free of Airflow imports)."""

MARTS_ASSET = "khanhhoa_marts"  # updated by nightly_load when the marts pass validation; biannual_rollup listens
