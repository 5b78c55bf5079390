"""The one expectation type every check uses: GX's `unexpected_rows_expectation`, with its query run once.

GX's own type asks for two metrics, the query's rows (at most GX's MAX_RESULT_RECORDS, 200) and their count,
and so runs every check's query twice. Our checks return one row per agency and period at fault, and the findings
are those rows: their count is the observed value, and a full page of rows says there may be more. The query,
the severity, the renderers (Data Docs) and the result shape are GX's; importing this module registers the type.
"""

from __future__ import annotations

from typing import ClassVar

from great_expectations.constants import MAX_RESULT_RECORDS
from great_expectations.expectations import UnexpectedRowsExpectation


class UnexpectedRowsOnceExpectation(UnexpectedRowsExpectation):
    """No row returned by `unexpected_rows_query`; the rows returned (up to 200) are the result's details."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("unexpected_rows_query.table",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None) -> dict:
        rows = metrics["unexpected_rows_query.table"]
        return {
            "success": not rows,
            "result": {
                "observed_value": len(rows),
                "details": {"unexpected_rows": rows, "truncated": len(rows) >= MAX_RESULT_RECORDS},
            },
        }
