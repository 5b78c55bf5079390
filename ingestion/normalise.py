"""Check one record against its contract and turn it into a line of PostgreSQL COPY text, in one pass.

Everything a row can get wrong raises `RecordError` with a reason a person can act on; the loader then
quarantines that row and goes on. That includes every value PostgreSQL would refuse (a NUL character in text, a
whole number outside `integer`, a number beyond `numeric`, a non-finite number), so one such value costs its row,
never the batch. Text is stored in Unicode NFC; timestamps without a zone are local time (Asia/Ho_Chi_Minh) and
are written with their offset so PostgreSQL stores the right instant.

Speed matters here (it runs once per field of every record), so `line_formatter` generates one plain
Python function per entity with the checks of each field written out inline: common values (an ASCII
string, an int, a bool, an ISO timestamp) take a few fast tests; anything unusual goes to a slow path.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from .contracts import Entity

LOCAL_OFFSET = "+07:00"  # Asia/Ho_Chi_Minh has had no daylight saving since 1975
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL integer
NUMERIC_MAX_INTEGER_DIGITS, NUMERIC_MAX_SCALE = 131072, 16383  # PostgreSQL numeric
NULL = "\\N"
_TRUE = {"true", "1", "t", "yes", "y"}
_FALSE = {"false", "0", "f", "no", "n"}
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NEEDS_ESCAPE = re.compile(r"[\\\t\n\r]").search


class RecordError(ValueError):
    """A record that breaks the contract; the message says which field and why."""


def nfc(value: str) -> str:
    return value if value.isascii() or unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def escape(value: str) -> str:
    """COPY text format: backslash, tab, newline and carriage return are escaped."""
    return value.translate(_ESCAPES) if _NEEDS_ESCAPE(value) else value


# -- slow paths: unusual but acceptable values, or a clear error --------------------------------------------
def _text_slow(value: object, name: str) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # codes typed into Excel come back as floats
    if isinstance(value, dict | list):
        raise RecordError(f"{name}: expected text, got a {type(value).__name__}")
    return str(value)


def _nul(name: str) -> RecordError:
    return RecordError(f"{name}: contains a NUL character (U+0000), which PostgreSQL text cannot store")


def _int_checked(number: int, name: str) -> str:
    if not INT_MIN <= number <= INT_MAX:
        raise RecordError(f"{name}: {number} is outside the whole numbers PostgreSQL stores ({INT_MIN} to {INT_MAX})")
    return str(number)


def _int_slow(value: object, name: str) -> str:
    if isinstance(value, bool):
        raise RecordError(f"{name}: expected a whole number, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        return _int_checked(int(value), name)
    text = str(value).strip()
    if len(text) > 20:  # int() of a huge text is slow, and no such number fits anyway
        raise RecordError(f"{name}: expected a whole number, got {len(text)} characters")
    try:
        number = int(text)
    except ValueError:
        raise RecordError(f"{name}: expected a whole number, got {value!r}") from None
    return _int_checked(number, name)


def _bool_slow(value: object, name: str) -> str:
    text = str(value).strip().lower()
    if text in _TRUE:
        return "t"
    if text in _FALSE:
        return "f"
    raise RecordError(f"{name}: expected true/false, got {value!r}")


def _timestamp_slow(value: object, name: str) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat() if value.tzinfo else value.isoformat() + LOCAL_OFFSET
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00" + LOCAL_OFFSET
    raise RecordError(f"{name}: not an ISO-8601 timestamp: {value!r}")


def _timestamp_text(value: str, name: str) -> str:
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise RecordError(f"{name}: not an ISO-8601 timestamp: {value!r}") from None
    if not 1990 <= parsed.year <= 2100:
        raise RecordError(f"{name}: timestamp out of range: {value!r}")
    return value if parsed.tzinfo else value + LOCAL_OFFSET


def _date_any(value: object, name: str) -> str:
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
        raise RecordError(f"{name}: not a date (YYYY-MM-DD): {value!r}") from None


def _number_any(value: object, name: str) -> str:
    if isinstance(value, bool):
        raise RecordError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise RecordError(f"{name}: not a finite number: {value!r}")
        return repr(value)
    if isinstance(value, int):
        value = str(value)
    text = str(value).strip()
    if text.startswith("="):
        raise RecordError(f"{name}: a formula ({text}) instead of a value")
    if text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")  # a decimal comma, as Vietnamese spreadsheets write it
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RecordError(f"{name}: text in a numeric cell: {value!r}") from None
    if not number.is_finite():
        raise RecordError(f"{name}: not a finite number: {value!r}")
    exponent = number.as_tuple().exponent
    if number.adjusted() >= NUMERIC_MAX_INTEGER_DIGITS or -exponent > NUMERIC_MAX_SCALE:
        raise RecordError(f"{name}: a number beyond what PostgreSQL stores: {text[:40]!r}")
    return str(number)


# -- the generated formatter --------------------------------------------------------------------------------
_SNIPPETS = {
    "text": """
    if v.__class__ is not str:
        v = _text_slow(v, {name!r})
    if "\\x00" in v:
        raise _nul({name!r})
    if not v.isascii() and not _is_nfc("NFC", v):
        v = _normalize("NFC", v)
    if _needs_escape(v):
        v = v.translate(_ESCAPES)""",
    "int": """
    v = _int_checked(v, {name!r}) if v.__class__ is int else _int_slow(v, {name!r})""",
    "bool": """
    v = "t" if v is True else "f" if v is False else _bool_slow(v, {name!r})""",
    "timestamp": """
    v = _timestamp_text(v, {name!r}) if v.__class__ is str else _timestamp_slow(v, {name!r})""",
    "date": """
    v = _date_any(v, {name!r})""",
    "number": """
    v = _number_any(v, {name!r})""",
}


def line_formatter(entity: Entity) -> Callable[[dict, str], str]:
    """`format(record, suffix) -> str`: the record's COPY text line (fields in contract order, then
    `suffix`, which carries the load metadata and the newline). Raises RecordError on a contract breach."""
    body = [
        "def format_line(record, suffix):",
        "    if record.__class__ is not dict:",
        f"        raise RecordError('expected an object with the {entity.name} fields, got ' + type(record).__name__)",
        "    get = record.get",
        "    out = []",
    ]
    for field in entity.fields:
        body.append(f"    v = get({field.name!r})")
        body.append("    if v is None or v == '':")
        if field.required:
            body.append(f"        raise RecordError({field.name + ': required field is missing'!r})")
        else:
            body.append("        out.append(NULL)")
            body.append("    else:")
        convert = _SNIPPETS[field.kind].format(name=field.name)
        indent = "    " if not field.required else ""
        body.extend(indent + line for line in convert.strip("\n").splitlines())
        if field.choices:
            allowed = ", ".join(sorted(field.choices))
            body.append(f"{indent}    if v not in {frozenset(field.choices)!r}:")
            body.append(f"{indent}        raise RecordError(f'{field.name}: {{v!r}} is not one of {allowed}')")
        body.append(f"{indent}    out.append(v)")
    for group in entity.required_one_of:
        present = " or ".join(f"get({name!r}) not in (None, '')" for name in group)
        body.append(f"    if not ({present}):")
        body.append(f"        raise RecordError({' or '.join(group) + ': required field is missing'!r})")
    body.append("    return '\\t'.join(out) + suffix")
    namespace = {
        "RecordError": RecordError,
        "NULL": NULL,
        "_ESCAPES": _ESCAPES,
        "_needs_escape": _NEEDS_ESCAPE,
        "_is_nfc": unicodedata.is_normalized,
        "_normalize": unicodedata.normalize,
        "_text_slow": _text_slow,
        "_nul": _nul,
        "_int_checked": _int_checked,
        "_int_slow": _int_slow,
        "_bool_slow": _bool_slow,
        "_timestamp_text": _timestamp_text,
        "_timestamp_slow": _timestamp_slow,
        "_date_any": _date_any,
        "_number_any": _number_any,
    }
    source = "\n".join(body)
    exec(compile(source, f"<line formatter for {entity.name}>", "exec"), namespace)  # noqa: S102
    formatter = namespace["format_line"]
    formatter.__doc__ = f"COPY line of a {entity.name} record.\n\n{source}"
    return formatter


def storable(text: str) -> str:
    """`text` as PostgreSQL text can hold it: a NUL character becomes the six characters \\u0000. For what we
    keep of bad input (quarantined records, rejection messages that quote it), never for data."""
    return text.replace("\x00", "\\u0000")


def copy_line(values: list[str | None]) -> str:
    """One line of COPY text format from plain values (used for quarantine rows, which keep what the source sent,
    made storable)."""
    return "\t".join(NULL if v is None else escape(storable(v)) for v in values) + "\n"
