"""How much of the machine one input may take: every bound on what the sources send, with its setting.

The loader streams everything it can (text files line by line, API answers page by page into COPY, workbooks
row by row), so memory follows these bounds, not the size of the input. Each breach is a clear rejection of
that record, file or answer, never of the night.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, got {value!r}") from None
    if number <= 0:
        raise ValueError(f"{name} must be positive, got {number}")
    return number


@dataclass(frozen=True)
class Limits:
    record_bytes: int  # one line of a JSON Lines or CSV file
    workbook_bytes: int  # a report workbook as delivered (zipped)
    workbook_unpacked_bytes: int  # what its zip package unpacks to
    workbook_rows: int  # rows of its BaoCao sheet
    workbook_columns: int  # columns of its BaoCao sheet
    api_pages: int  # pages of one pull
    api_page_bytes: int  # one answer's body
    api_seconds: int  # one pull, from its first request to its last page
    envelope_bytes: int  # a pretty-printed DongBoHoSoMC envelope file, which is read whole


def limits() -> Limits:
    return Limits(
        record_bytes=_int("MAX_RECORD_BYTES", 1 << 20),
        workbook_bytes=_int("WORKBOOK_MAX_BYTES", 10 << 20),
        workbook_unpacked_bytes=_int("WORKBOOK_MAX_UNPACKED_BYTES", 20 << 20),
        workbook_rows=_int("WORKBOOK_MAX_ROWS", 5000),
        workbook_columns=_int("WORKBOOK_MAX_COLUMNS", 30),
        api_pages=_int("SOURCE_API_MAX_PAGES", 10_000),
        api_page_bytes=_int("SOURCE_API_MAX_PAGE_BYTES", 50 << 20),
        api_seconds=_int("SOURCE_API_MAX_SECONDS", 3600),
        envelope_bytes=_int("DVCQG_MAX_ENVELOPE_BYTES", 64 << 20),
    )
