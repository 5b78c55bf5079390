"""No personal data leaves `raw`: every column of `marts` and `dq`, and every file of the published extracts,
is scanned for the values of the contracts' PII fields as the province's night loaded them.

The PII fields are the ones the contracts mark `pii=True` (ingestion/contracts.py, listed in the README);
the values are read back from raw, so the scan follows the data, not a list typed into the test.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from ingestion.contracts import ENTITIES
from warehouse.config import PROJECT_ROOT

pytestmark = pytest.mark.slow

MIN_LENGTH = 5  # shorter values ("Nam", "Huế") could occur in legitimate text by coincidence


def _pii_values(conn) -> dict[str, str]:
    """Every distinct PII value in raw -> where it came from (raw.table.column)."""
    values: dict[str, str] = {}
    for entity in ENTITIES:
        for field in (f for f in entity.fields if f.pii):
            rows = conn.execute(
                f"select distinct {field.column} from {entity.table} where {field.column} is not null"
            ).fetchall()
            for (value,) in rows:
                if len(value.strip()) >= MIN_LENGTH:
                    values[value.strip()] = f"{entity.table}.{field.column}"
    return values


def _columns(conn, schemas: tuple[str, ...]) -> list[tuple[str, str, str, str]]:
    return conn.execute(
        """
        select c.table_schema, c.table_name, c.column_name, c.data_type
        from information_schema.columns as c
        join information_schema.tables as t using (table_schema, table_name)
        where c.table_schema = any(%s)
        order by 1, 2, 3
        """,
        (list(schemas),),
    ).fetchall()


TEXTUAL = {"text", "character varying", "character", "json", "jsonb", "ARRAY", "USER-DEFINED"}


def _leaks(pii: dict[str, str], texts: dict[str, str]) -> list[str]:
    """`texts` maps a location to its text; a leak is a PII value found inside it."""
    found = []
    for where, text in texts.items():
        for value, origin in pii.items():
            if value in text:
                found.append(f"{origin} value {value!r} found in {where}")
    return found


@pytest.fixture(scope="module")
def pii(published):
    conn, _, _ = published
    values = _pii_values(conn)
    # the scan means something only if raw holds each kind of personal data the contracts name
    origins = set(values.values())
    for column in ("chuhoso", "sogiayto", "sodienthoai", "diachi", "tieude", "noidung", "nguoigui"):
        assert any(o.endswith(f".{column}") for o in origins), column
    assert len(values) > 500
    return values


def _scan_columns(conn, schemas: tuple[str, ...], pii: dict[str, str]) -> list[str]:
    columns = _columns(conn, schemas)
    assert {s for s, *_ in columns} == set(schemas)
    texts, found = {}, []
    for schema, table, column, data_type in columns:
        distinct = conn.execute(
            f'select distinct "{column}"::text from "{schema}"."{table}" where "{column}" is not null'
        ).fetchall()
        values = [v for (v,) in distinct]
        if data_type in TEXTUAL:
            texts[f"{schema}.{table}.{column}"] = "\n".join(values)
        else:  # a number or a date cannot hold a name; it could hold an ID or a phone whole
            found += [f"{pii[v]} value {v!r} is {schema}.{table}.{column}" for v in sorted(set(values) & set(pii))]
    return found + _leaks(pii, texts)


def test_the_scan_finds_personal_data_where_it_is(published, pii):
    conn, _, _ = published
    found = _scan_columns(conn, ("raw",), pii)
    for origin in set(pii.values()):
        assert any(f.startswith(f"{origin} value") and f" {origin}" in f for f in found), origin


def test_no_column_of_marts_or_dq_holds_a_value_of_a_pii_field(published, pii):
    conn, _, _ = published
    assert not _scan_columns(conn, ("marts", "dq"), pii)


def test_the_keys_analysts_see_are_keyed_hashes_nobody_can_recompute_without_the_key(published, pii):
    conn, _, _ = published
    keys = {
        v
        for (v,) in conn.execute(
            "select applicant_key from marts.fct_cases union select sender_key from marts.fct_feedback"
        ).fetchall()
        if v
    }
    assert len(keys) > 100
    raw_ids = [v for (v,) in conn.execute("select distinct sogiayto from raw.motcua_cases where sogiayto <> ''")]
    raw_phones = [v for (v,) in conn.execute("select distinct dienthoainguoigui from raw.pakn_feedback") if v]
    assert raw_ids and raw_phones
    for value in [*raw_ids, *raw_phones]:
        for unkeyed in (hashlib.sha256(value.encode()).hexdigest(), hashlib.md5(value.encode()).hexdigest()):
            assert unkeyed not in keys, f"{value!r} is hashed without a key"


def _files(folder: Path) -> list[Path]:
    """Every file under folder; each recipient's bundle is a symbolic link to its published version."""
    found = []
    for path in sorted(folder.iterdir()):
        found += _files(path) if path.is_dir() else [path]
    return found


def _extract_texts(extracts: Path) -> dict[str, str]:
    texts = {}
    for path in _files(extracts):
        where = str(path.relative_to(extracts))
        if path.suffix == ".xlsx":
            cells = []
            for ws in load_workbook(path).worksheets:
                cells += [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
            texts[where] = "\n".join(cells)
        elif path.suffix == ".pdf":
            texts[where] = "\n".join(page.extract_text() for page in PdfReader(path).pages)
        elif path.suffix == ".docx":
            document = Document(str(path))
            cells = [c.text for table in document.tables for row in table.rows for c in row.cells]
            texts[where] = "\n".join([p.text for p in document.paragraphs] + cells)
        elif path.suffix in (".csv", ".json", ".txt", ".md"):
            texts[where] = path.read_text(encoding="utf-8-sig")
        else:
            pytest.fail(f"the scan does not know how to read {where}: teach it before publishing such files")
    return texts


def test_no_extract_file_holds_a_value_of_a_pii_field(published, pii):
    _, _, extracts = published
    texts = _extract_texts(extracts)
    kinds = {w.rsplit(".", 1)[-1] for w in texts}
    assert {"xlsx", "pdf", "docx", "csv", "json"} <= kinds, kinds
    # the scan reads the Vietnamese text the recipients read: agencies' names in workbooks, the province in PDFs
    assert all("Sở Tư pháp" in t for w, t in texts.items() if w.endswith(".xlsx"))
    assert all("Khánh Hòa" in t for w, t in texts.items() if w.endswith((".pdf", ".docx")))
    assert not _leaks(pii, texts)


def test_the_readme_lists_exactly_the_fields_the_contracts_mark_personal():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Personal data", 1)[1].split("\n## ", 1)[0]
    marked = {f"{e.name}.{f.name}" for e in ENTITIES for f in e.fields if f.pii}
    assert set(re.findall(r"`((?:motcua|pakn|baocao)_\w+\.[A-Z]\w*)`", section)) == marked
