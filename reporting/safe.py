"""Make values safe to hand to people who open files: NFC text, no spreadsheet formulas.

A text cell starting with =, +, - or @ (also after leading spaces, tabs or line breaks) is executed as a
formula by Excel or LibreOffice when the file is opened (CSV/formula injection). Such text gets a leading
apostrophe, which spreadsheets show as text and never evaluate. Numbers are left alone.
"""

from __future__ import annotations

import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value)
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text
