"""Check one record against its contract and turn it into a line of PostgreSQL COPY text.

Everything a row can get wrong raises `RecordError` with a reason a person can act on; the loader then
quarantines that row and goes on. Text is stored in Unicode NFC; timestamps without a zone are local time
(Asia/Ho_Chi_Minh) and are written with their offset so PostgreSQL stores the right instant.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .contracts import Entity, Field

LOCAL_OFFSET = "+07:00"  # Asia/Ho_Chi_Minh has had no daylight saving since 1975
NULL = "\\N"
_TRUE = {"true", "1", "t", "yes", "y", "có"}
_FALSE = {"false", "0", "f", "no", "n", "không"}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class RecordError(ValueError):
    """A record that breaks the contract; the message says which field and why."""


def nfc(value: str) -> str:
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def _text(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # codes typed into Excel come back as floats
        text = nfc(str(value)).strip()
        return text or None

    return convert


def _int(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise RecordError(f"{field.name}: expected a whole number, got {value!r}")
        if isinstance(value, int):
            return str(value)
        try:
            number = float(value) if isinstance(value, float) else int(str(value).strip())
        except ValueError:
            raise RecordError(f"{field.name}: expected a whole number, got {value!r}") from None
        if isinstance(number, float):
            if not number.is_integer():
                raise RecordError(f"{field.name}: expected a whole number, got {value!r}")
            number = int(number)
        return str(number)

    return convert


def _bool(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        if value is True or value is False:
            return "t" if value else "f"
        text = str(value).strip().lower()
        if text in _TRUE:
            return "t"
        if text in _FALSE:
            return "f"
        raise RecordError(f"{field.name}: expected true/false, got {value!r}")

    return convert


def _timestamp(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.isoformat() if value.tzinfo else value.isoformat() + LOCAL_OFFSET
        if isinstance(value, dt.date):
            return value.isoformat() + "T00:00:00" + LOCAL_OFFSET
        text = str(value).strip()
        try:
            parsed = dt.datetime.fromisoformat(text)
        except ValueError:
            raise RecordError(f"{field.name}: not an ISO-8601 timestamp: {value!r}") from None
        if parsed.year < 1990 or parsed.year > 2100:
            raise RecordError(f"{field.name}: timestamp out of range: {value!r}")
        return text if parsed.tzinfo else text + LOCAL_OFFSET

    return convert


def _date(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        text = str(value).strip()
        try:
            return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
        try:
            return dt.datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            raise RecordError(f"{field.name}: not a date (YYYY-MM-DD): {value!r}") from None

    return convert


def _number(field: Field) -> Callable[[object], str | None]:
    def convert(value: object) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            raise RecordError(f"{field.name}: expected a number, got {value!r}")
        if isinstance(value, int | float):
            return repr(value)
        text = str(value).strip()
        if text.startswith("="):
            raise RecordError(f"{field.name}: a formula ({text}) instead of a value")
        try:
            return str(Decimal(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text))
        except InvalidOperation:
            raise RecordError(f"{field.name}: text in a numeric cell: {value!r}") from None

    return convert


_CONVERTERS = {"text": _text, "int": _int, "bool": _bool, "timestamp": _timestamp, "date": _date, "number": _number}


def row_converter(entity: Entity) -> Callable[[dict], list[str | None]]:
    """A function from a source record (dict keyed by contract names) to checked column values."""
    plan = [
        (f.name, _CONVERTERS[f.kind](f), f.required, frozenset(f.choices) if f.choices else None) for f in entity.fields
    ]

    def convert(record: dict) -> list[str | None]:
        if not isinstance(record, dict):
            raise RecordError(f"expected an object with the {entity.name} fields, got {type(record).__name__}")
        out: list[str | None] = []
        for name, conv, required, choices in plan:
            value = conv(record.get(name))
            if value is None:
                if required:
                    raise RecordError(f"{name}: required field is missing")
            elif choices is not None and value not in choices:
                raise RecordError(f"{name}: {value!r} is not one of {', '.join(sorted(choices))}")
            out.append(value)
        return out

    return convert


def copy_line(values: list[str | None], extra: tuple[str, ...]) -> str:
    """One line of COPY text format: tab-separated, backslash-escaped, \\N for null."""
    parts = [NULL if v is None else v.translate(_ESCAPES) for v in values]
    parts.extend(extra)
    return "\t".join(parts) + "\n"
