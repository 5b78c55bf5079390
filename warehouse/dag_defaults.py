"""What every DAG of the project shares: owner, retries with a doubling wait, failure mail. The DAG files import
it at parse time, so it reads only the environment (no database, no heavy import)."""

from __future__ import annotations

from datetime import timedelta

import pendulum

from .config import LOCAL_TZ, alert_addresses, retry_delay_seconds

START_DATE = pendulum.datetime(2025, 1, 1, tz=LOCAL_TZ)


def default_args(retries: int = 2) -> dict:
    """I/O can fail for a moment (a database restart, the network): retry, waiting 2 then 4 minutes by default."""
    alert = alert_addresses()
    return {
        "owner": "data-office",
        "retries": retries,
        "retry_delay": timedelta(seconds=retry_delay_seconds()),
        "retry_exponential_backoff": True,
        "email": alert,
        "email_on_failure": bool(alert),
        "email_on_retry": False,
    }
