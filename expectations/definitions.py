"""The data-quality suites as reviewed files, turned into Great Expectations expectations.

A suite is a folder `expectations/suites/<suite>/`: `suite.yml` says what it validates, and every other file is
one check, `<check name>.sql`:

    -- A receipt (TIEP_NHAN) sets the due date.          <- what is expected, for people
    -- kind: no_due_date                                <- the gap's kind in dq.gaps
    -- severity: warning                                <- critical blocks, warning is recorded only
    b.loaisukien = 'TIEP_NHAN' and b.ngayhentramoi is null

The SQL is either a condition on the rows checked (`b`), or a whole query returning one row per agency and
period at fault: (agency_id, period_id, rows_affected, example_keys[, batch_ids]). A condition gets that
query around it from the source registry (ingestion/contracts.py: the entity's agency and period fields, its
key as the example). `{batch}` stands for the rows checked: the new batches of a raw table, or a whole mart.

For a raw table, the checks every contract implies are generated here and need no file: keys present (the
required fields), codes valid (fields with allowed values), agency known (the agency field is in the agency
catalogue). Who checks what, and why no check is made twice: docs/data-quality.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from ingestion.contracts import AGENCY_CATALOGUE, ENTITIES, Entity

from . import SUITES_DIR

SEVERITIES = ("critical", "warning")
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")
_HEADER = re.compile(r"^--\s*(kind|severity):\s*(\S+)\s*$")


@dataclass(frozen=True)
class Check:
    name: str
    kind: str
    severity: str
    description: str
    expectation: dict  # GX's type and kwargs

    def gx(self) -> dict:
        return {
            **self.expectation,
            "severity": self.severity,
            "meta": {"name": self.name, "kind": self.kind, "description": self.description},
        }


@dataclass(frozen=True)
class Suite:
    name: str
    kind: str  # raw_batches | table
    table: str  # schema.table
    notes: str
    checks: tuple[Check, ...]

    @property
    def entity(self) -> Entity | None:
        return next((e for e in ENTITIES if e.table == self.table), None)


def _rows_query(entity: Entity, condition: str, example: str | None = None, join: str = "") -> str:
    """One row per agency and period whose rows of `{batch}` (as `b`, with `join` after it) meet `condition`: the
    gap's skeleton."""
    agency = entity.field(entity.agency_field).column
    period = entity.field(entity.period_field)
    period_sql = f"dq.nd09_month(b.{period.column})" if period.kind == "timestamp" else f"b.{period.column}"
    example = example or f"b.{entity.field(entity.example_field or entity.key[0]).column}"
    return (
        f"select b.{agency} as agency_id, {period_sql} as period_id, count(*) as rows_affected,"
        f" (array_agg({example} order by {example}))[1:5] as example_keys,"
        f" array_agg(distinct b._batch_id) as batch_ids\nfrom (select * from {{batch}}) as b{join}\n"
        f"where {condition}\ngroup by 1, 2"
    )


def _unexpected_rows(query: str) -> dict:
    # GX's unexpected_rows_expectation with the query run once: expectations/unexpected_rows.py
    return {"type": "unexpected_rows_once_expectation", "kwargs": {"unexpected_rows_query": query}}


def contract_checks(entity: Entity) -> list[Check]:
    """The checks the contract implies: every raw batch of `entity` must pass them."""
    required = [f.name for f in entity.required] + [" or ".join(group) for group in entity.required_one_of]
    checks = [
        Check(
            "keys_present",
            "missing_key",
            "critical",
            f"every row has {', '.join(required)}",
            _unexpected_rows(
                _rows_query(
                    entity,
                    entity.missing_sql(),
                    example="b._source_location || ':' || b._source_row",
                )
            ),
        )
    ]
    for field in entity.fields:
        if field.choices:
            # rows, not GX's column expectation: a finding says which agency and period, and no expectation needs
            # the batch's columns, which GX learns for a query by running it whole into memory (2.6 GB for a year)
            codes = ", ".join(
                str(int(c)) if field.kind == "int" else "'" + c.replace("'", "''") + "'" for c in field.choices
            )
            checks.append(
                Check(
                    f"valid_{field.column}",
                    "invalid_code",
                    "critical",
                    f"{field.name} is one of the contract's codes ({', '.join(field.choices)})",
                    _unexpected_rows(_rows_query(entity, f"b.{field.column} not in ({codes})")),
                )
            )
    if entity.agency_field and entity is not AGENCY_CATALOGUE:
        agency = entity.field(entity.agency_field).column
        key = AGENCY_CATALOGUE.field(AGENCY_CATALOGUE.key[0]).column
        checks.append(
            Check(
                "agency_known",
                "unknown_agency",
                "critical",
                f"{entity.agency_field} is in the agency catalogue ({AGENCY_CATALOGUE.file_prefix})",
                _unexpected_rows(
                    _rows_query(entity, f"b.{agency} not in (select {key} from {AGENCY_CATALOGUE.table})")
                ),
            )
        )
    if entity.version_field and entity.field(entity.version_field).kind == "timestamp":
        # a version stamped after the delivery that carried it (the night's delivery moment, else the batch's load):
        # a typo or a source clock ahead; it never sets the data date (int_data_as_of), so a warning
        stamp = entity.field(entity.version_field).column
        # joined, not looked up per row: a correlated subquery took 14 s over a year's 5 million events
        delivered = (
            "\njoin (select batches.batch_id, coalesce(runs.delivered_at, batches.started_at) as delivered_at"
            " from audit.batches as batches left join audit.nightly_runs as runs on runs.run_id = batches.run_id)"
            " as delivery on delivery.batch_id = b._batch_id"
        )
        checks.append(
            Check(
                "not_after_delivery",
                "timestamp_after_delivery",
                "warning",
                f"{entity.version_field} is not later than the delivery that carried it",
                _unexpected_rows(_rows_query(entity, f"b.{stamp} > delivery.delivered_at", join=delivered)),
            )
        )
    return checks


def _file_check(path: Path, entity: Entity | None) -> Check:
    headers, description, body = {}, [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        found = _HEADER.match(line)
        if found:
            headers[found.group(1)] = found.group(2)
        elif line.startswith("--") and not body:
            description.append(line.removeprefix("--").strip())
        else:
            body.append(line)
    sql = "\n".join(body).strip()
    if headers.get("severity") not in SEVERITIES or not headers.get("kind") or not sql:
        raise ValueError(f"{path}: a check needs '-- kind: ...', '-- severity: critical|warning' and its SQL")
    whole_query = re.match(r"^(select|with)\b", sql, re.I) is not None
    if not whole_query and entity is None:
        raise ValueError(f"{path}: a condition needs a raw table with a contract; write the whole query")
    query = sql if whole_query else _rows_query(entity, sql)
    description = " ".join(description).rstrip(".")
    return Check(path.stem, headers["kind"], headers["severity"], description, _unexpected_rows(query))


def load(name: str) -> Suite:
    folder = SUITES_DIR / name
    spec = yaml.safe_load((folder / "suite.yml").read_text(encoding="utf-8")) or {}
    target = spec.get("target") or {}
    if target.get("kind") not in ("raw_batches", "table") or not _IDENTIFIER.match(target.get("table", "")):
        raise ValueError(f"{folder}/suite.yml: target must be {{kind: raw_batches|table, table: schema.table}}")
    notes = " ".join(
        line.removeprefix("#").strip()
        for line in (folder / "suite.yml").read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    )
    entity = next((e for e in ENTITIES if e.table == target["table"]), None)
    generated = contract_checks(entity) if entity and target["kind"] == "raw_batches" else []
    checks = generated + [_file_check(path, entity) for path in sorted(folder.glob("*.sql"))]
    names = [c.name for c in checks]
    if len(set(names)) != len(names):
        raise ValueError(f"{folder}: two checks are named alike: {sorted(n for n in names if names.count(n) > 1)}")
    return Suite(name, target["kind"], target["table"], notes, tuple(checks))


def suite_names(kind: str | None = None) -> list[str]:
    names = sorted(p.parent.name for p in SUITES_DIR.glob("*/suite.yml"))
    return [n for n in names if kind is None or load(n).kind == kind]
