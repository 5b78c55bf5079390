"""The `dvcqg` dialect of the motcua source: the national portal's dossier-sync shape (docs/sources.md §4).

Every provincial one-stop system already pushes each case to the national public-service portal as a
`DongBoHoSoMC` record, and its progress as `CapNhatTienDoHoSoMC` updates. This module is the one reviewed place
where that shape becomes the contract's (section 1): the alias tables below say which portal field fills which
contract field and how. What it produces goes through the same checks (ingestion/normalise.py) as any record.

- Timestamps `yyyyMMddHHmmss`, `dd/MM/yyyy HH:mm:ss`, `dd/MM/yyyy HH:mm` or `dd/MM/yyyy` are local time; each batch
  records how many values of each form it held (audit.batches.timestamp_forms).
- `TrangThaiHoSo` 1..10 is stored as sent; staging maps it through the seed `ref_dvcqg_case_status` (3, refused at
  receipt, and 1, not yet received, are not cases).
- `DanhSachHoSoBoSung[]` becomes YEU_CAU_BO_SUNG / NHAN_BO_SUNG events, loaded with the case in the same
  transaction; `DanhSachLePhi[]` says whether a fee exists, `DanhSachGiayToKetQua[]` whether an electronic result does.
- `MaDinhDanhDV`, the agency's electronic identifier, resolves to `MaDonVi` through the agency catalogue.
- A field the portal lacks (the apology letter, the sync flag) may be sent under its contract name. A record that
  carries both the portal's field and the contract's, with different values, is quarantined.
- The portal shape's personal data (ChuHoSo, SoDienThoai, Email, MaDoiTuong, DiaChi, TrichYeuHoSo, NguoiXuLy) is
  kept in raw only, like every personal field; fields that no contract names are not stored at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from warehouse.config import DBT_PROJECT_DIR

from .contracts import MOTCUA_CASES, MOTCUA_EVENTS, Entity
from .normalise import _FALSE, _TRUE, LOCAL_OFFSET, RecordError
from .readers import FileRejected, SourceRow, read_json_document, read_jsonl

SERVICES = {"DongBoHoSoMC": MOTCUA_CASES, "CapNhatTienDoHoSoMC": MOTCUA_EVENTS}
STATUS_SEED = DBT_PROJECT_DIR / "seeds" / "ref_dvcqg_case_status.csv"

# -- timestamps ------------------------------------------------------------------------------------------------
_FORMS: tuple[tuple[str, re.Pattern, str], ...] = (
    ("yyyyMMddHHmmss", re.compile(r"^\d{14}$"), "%Y%m%d%H%M%S"),
    ("dd/MM/yyyy HH:mm:ss", re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}:\d{2}$"), "%d/%m/%Y %H:%M:%S"),
    ("dd/MM/yyyy HH:mm", re.compile(r"^\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}$"), "%d/%m/%Y %H:%M"),
    ("dd/MM/yyyy", re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
)


def local_timestamp(value: object, name: str, forms: Counter) -> str | None:
    """A portal timestamp as ISO-8601 with the local offset, counting its form; ISO-8601 passes as it is."""
    if value is None or value == "":
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # 20250115083000 sent as a JSON number
    if not isinstance(value, str):
        raise RecordError(f"{name}: not a timestamp: {value!r}")
    text = value.strip()
    for form, pattern, layout in _FORMS:
        if pattern.match(text):
            try:
                moment = dt.datetime.strptime(text, layout)
            except ValueError:
                raise RecordError(f"{name}: {value!r} looks like {form} but is no such moment") from None
            forms[form] += 1
            return moment.isoformat() + LOCAL_OFFSET
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise RecordError(
            f"{name}: {value!r} is in none of the forms yyyyMMddHHmmss, dd/MM/yyyy HH:mm:ss, dd/MM/yyyy, ISO-8601"
        ) from None
    forms["ISO-8601"] += 1
    return text if moment.tzinfo else text + LOCAL_OFFSET


# -- the portal's codes ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PortalStatus:
    code: int
    meaning_vi: str
    status: str | None  # the contract's TrangThai; None: not a case
    event: str | None  # the LoaiSuKien a progress update with this code is


def portal_statuses(path: Path = STATUS_SEED) -> dict[int, PortalStatus]:
    """The reviewed mapping of TrangThaiHoSo (dbt seed ref_dvcqg_case_status): the same file staging reads."""
    with open(path, encoding="utf-8", newline="") as handle:
        return {
            int(row["dvcqg_code"]): PortalStatus(
                int(row["dvcqg_code"]), row["meaning_vi"], row["case_status"] or None, row["progress_event"] or None
            )
            for row in csv.DictReader(handle)
        }


def _code(value: object, name: str) -> int:
    if isinstance(value, bool):
        raise RecordError(f"{name}: expected a code, got {value!r}")
    try:
        return int(str(value).strip())
    except ValueError:
        raise RecordError(f"{name}: expected a code, got {value!r}") from None


def _items(value: object, name: str) -> list[dict]:
    if value is None or value == "":
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise RecordError(f"{name}: expected a list of objects, got {type(value).__name__}")
    return value


def _has_fee(value: object, name: str, _: Counter) -> bool | None:
    items = _items(value, name)
    if not items:
        return None
    prices = []
    for i, item in enumerate(items):
        price = item.get("Gia")
        try:
            prices.append(float(price or 0))
        except (TypeError, ValueError):
            raise RecordError(f"{name}[{i}].Gia: not a number: {price!r}") from None
    return any(price > 0 for price in prices)


def _has_e_result(value: object, name: str, _: Counter) -> bool | None:
    items = _items(value, name)
    return any(str(item.get("DuongDanTepTinKetQua") or "").strip() for item in items) if items else None


def _paid_online(value: object, name: str, _: Counter) -> bool:
    code = _code(value, name)
    if code not in (0, 1, 2):
        raise RecordError(f"{name}: {value!r} is not one of 0 (no), 1 (national portal), 2 (provincial gateway)")
    return code > 0


def _same(value: object, name: str, _: Counter) -> object:
    return value


@dataclass(frozen=True)
class Alias:
    portal: str  # the portal's field
    contract: str  # the contract field (docs/sources.md §1) it fills
    convert: Callable[[object, str, Counter], object]
    kind: str  # how the two are compared when a record carries both
    keep: bool = False  # the portal's own value is stored too (in the contract field of its own name)


# The portal fields that fill a contract field under another name (docs/sources.md has the same table).
CASE_ALIASES = (
    Alias("KenhThucHien", "KenhNop", _same, "int"),
    Alias("NgayKetThucXuLy", "NgayKetThuc", local_timestamp, "timestamp"),
    Alias("NgayTra", "NgayTraKetQua", local_timestamp, "timestamp"),
    Alias("DuocThanhToanTrucTuyen", "ThanhToanTrucTuyen", _paid_online, "bool", keep=True),  # 1 portal, 2 gateway
    Alias("DanhSachLePhi", "CoPhi", _has_fee, "bool"),
    Alias("DanhSachGiayToKetQua", "KetQuaDienTu", _has_e_result, "bool"),
    Alias("MaDoiTuong", "SoGiayTo", _same, "text"),  # the applicant's ID number (personal data: raw only)
)
CASE_TIMESTAMPS = ("NgayTiepNhan", "NgayHenTra", "NgayCapNhat")  # same name in both shapes, portal forms allowed
# a record without NgayCapNhat is versioned by the latest moment it shows (the batch counts them)
VERSION_FALLBACK = ("NgayTraKetQua", "NgayKetThuc", "NgayTiepNhan")
SUPPLEMENTS = "DanhSachHoSoBoSung"

# Progress updates (CapNhatTienDoHoSoMC) -> the contract's event fields.
PROGRESS_ALIASES = (
    Alias("ThoiDiemXuLy", "ThoiDiem", local_timestamp, "timestamp"),
    Alias("NgayKetThucTheoQuyDinh", "NgayHenTraMoi", local_timestamp, "timestamp"),
    Alias("NoiDungXuLy", "GhiChu", _same, "text"),
)
DUE_SETTING_EVENTS = ("TIEP_NHAN", "NHAN_BO_SUNG", "XIN_LOI")  # the events whose NgayHenTraMoi means something


def _canonical(value: object, kind: str) -> object:
    """A value as comparable between the two shapes (a disagreement is reported, not resolved)."""
    if kind == "timestamp":
        return dt.datetime.fromisoformat(str(local_timestamp(value, "", Counter())))
    if kind == "bool":
        text = str(value).strip().lower()
        return True if value is True or text in _TRUE else False if value is False or text in _FALSE else text
    if kind == "int":
        try:
            return int(str(value).strip())
        except ValueError:
            return str(value)
    return str(value).strip()


def _disagree(record: dict, alias: Alias, mine: object) -> None:
    theirs = record.get(alias.contract)
    if theirs is None or theirs == "" or mine is None:
        return
    try:
        same = _canonical(theirs, alias.kind) == _canonical(mine, alias.kind)
    except RecordError:
        same = False
    if not same:
        raise RecordError(
            f"{alias.portal} ({record.get(alias.portal)!r}) and {alias.contract} ({theirs!r}) disagree:"
            f" in the dvcqg dialect {alias.portal} is {alias.contract}"
        )


# -- one record ------------------------------------------------------------------------------------------------
@dataclass
class Translator:
    """Turns portal records into contract records. `agencies` maps electronic identifiers to agency codes."""

    agencies: dict[str, str]
    statuses: dict[int, PortalStatus] = field(default_factory=portal_statuses)
    forms: Counter = field(default_factory=Counter)  # timestamp forms seen in this batch
    versions_inferred: int = 0  # records without NgayCapNhat, versioned by their latest moment

    def notes(self) -> list[str]:
        seen = ", ".join(f"{form} {count:,}" for form, count in self.forms.most_common())
        notes = [f"dialect dvcqg; timestamps: {seen or 'none'}"]
        if self.versions_inferred:
            notes.append(f"{self.versions_inferred:,} records without NgayCapNhat: versioned by their latest moment")
        return notes

    def agency(self, record: dict) -> str | None:
        identifier = str(record.get("MaDinhDanhDV") or "").strip()
        code = str(record.get("MaDonVi") or "").strip() or None
        if not identifier:
            return code
        resolved = self.agencies.get(identifier)
        if resolved is None:
            raise RecordError(f"MaDinhDanhDV: {identifier!r} is not in the agency catalogue (dm_donvi.MaDinhDanh)")
        if code is not None and code != resolved:
            raise RecordError(
                f"MaDinhDanhDV ({identifier!r}, agency {resolved}) and MaDonVi ({code!r}) disagree about the agency"
            )
        return resolved

    def case(self, record: object) -> tuple[dict, list[dict]]:
        """A DongBoHoSoMC record -> (the contract's case record, its supplement events)."""
        if not isinstance(record, dict):
            raise RecordError(f"expected a DongBoHoSoMC record (an object), got {type(record).__name__}")
        out = dict(record)
        for name in CASE_TIMESTAMPS:
            out[name] = local_timestamp(record.get(name), name, self.forms)
        for alias in CASE_ALIASES:
            if alias.portal not in record:
                continue
            mine = alias.convert(record[alias.portal], alias.portal, self.forms)
            _disagree(record, alias, mine)
            if alias.keep:
                out[alias.portal] = _code(record[alias.portal], alias.portal)
            else:
                out.pop(alias.portal, None)
            if mine is not None:
                out[alias.contract] = mine
        status = record.get("TrangThaiHoSo")
        if status is not None and status != "":
            code = _code(status, "TrangThaiHoSo")
            known = self.statuses.get(code)
            if known is None:
                allowed = ", ".join(str(c) for c in sorted(self.statuses))
                raise RecordError(f"TrangThaiHoSo: {status!r} is not one of the portal's codes ({allowed})")
            theirs = record.get("TrangThai")
            if theirs and known.status != theirs:
                raise RecordError(
                    f"TrangThaiHoSo ({code}: {known.meaning_vi}) and TrangThai ({theirs!r}) disagree:"
                    f" ref_dvcqg_case_status maps {code} to {known.status or 'no case'}"
                )
            out["TrangThaiHoSo"] = code
        out["MaDonVi"] = self.agency(record)
        if not out.get("NgayCapNhat"):
            moments = [local_timestamp(out.get(n), n, Counter()) for n in VERSION_FALLBACK]
            moments = [m for m in moments if m]
            if moments:
                out["NgayCapNhat"] = max(moments, key=dt.datetime.fromisoformat)
                self.versions_inferred += 1
        events = self._supplements(record, out)
        out.pop(SUPPLEMENTS, None)
        return out, events

    def _supplements(self, record: dict, case: dict) -> list[dict]:
        events = []
        for i, item in enumerate(_items(record.get(SUPPLEMENTS), SUPPLEMENTS)):
            where = f"{SUPPLEMENTS}[{i}]"
            asked = local_timestamp(item.get("NgayBoSung"), f"{where}.NgayBoSung", self.forms)
            if asked is None:
                raise RecordError(f"{where}.NgayBoSung: required field is missing (when the supplement was asked)")
            base = {"MaHoSo": case.get("MaHoSo"), "MaDonVi": case.get("MaDonVi")}
            events.append({**base, "ThoiDiem": asked, "LoaiSuKien": "YEU_CAU_BO_SUNG"})
            back = local_timestamp(item.get("NgayTiepNhanBoSung"), f"{where}.NgayTiepNhanBoSung", self.forms)
            if back is not None:
                due = local_timestamp(item.get("NgayHenTraMoi"), f"{where}.NgayHenTraMoi", self.forms)
                events.append({**base, "ThoiDiem": back, "LoaiSuKien": "NHAN_BO_SUNG", "NgayHenTraMoi": due})
        return events

    def progress(self, record: object) -> dict:
        """A CapNhatTienDoHoSoMC update -> the contract's event record."""
        if not isinstance(record, dict):
            raise RecordError(f"expected a CapNhatTienDoHoSoMC update (an object), got {type(record).__name__}")
        out = dict(record)
        for alias in PROGRESS_ALIASES:
            if alias.portal not in record:
                continue
            mine = alias.convert(record[alias.portal], alias.portal, self.forms)
            _disagree(record, alias, mine)
            out.pop(alias.portal)
            out[alias.contract] = mine
        for name in ("ThoiDiem", "NgayHenTraMoi"):
            if name in record:
                out[name] = local_timestamp(record[name], name, self.forms)
        status = record.get("TrangThai")
        kind = record.get("LoaiSuKien") or None
        if status is not None and status != "":
            code = _code(status, "TrangThai")
            known = self.statuses.get(code)
            if known is None or known.event is None:
                what = "not one of the portal's codes" if known is None else f"{known.meaning_vi}: no event of a case"
                raise RecordError(f"TrangThai: {status!r} is {what} (ref_dvcqg_case_status)")
            if kind and kind != known.event:
                raise RecordError(
                    f"TrangThai ({code}: {known.meaning_vi}) and LoaiSuKien ({kind!r}) disagree:"
                    f" ref_dvcqg_case_status makes {code} a {known.event}"
                )
            kind = known.event
        out.pop("TrangThai", None)
        out["LoaiSuKien"] = kind
        if kind not in DUE_SETTING_EVENTS:
            out.pop("NgayHenTraMoi", None)  # a step's own deadline, not the case's due date
        out["MaDonVi"] = self.agency(record)
        return out


# -- files -----------------------------------------------------------------------------------------------------
PORTAL_FIELDS = {a.portal for a in CASE_ALIASES + PROGRESS_ALIASES} | {"TrangThaiHoSo", SUPPLEMENTS, "MaDinhDanhDV"}
STANDARD_FIELDS = {a.contract for a in CASE_ALIASES[:3] + PROGRESS_ALIASES[:1]} | {"TrangThai"}


def dialect_of(record: dict, entity: Entity) -> str | None:
    """The dialect a record is unambiguously in, or None (only fields both shapes share, or both shapes')."""
    keys = set(record)
    portal = keys & PORTAL_FIELDS
    standard = keys & STANDARD_FIELDS
    if entity is MOTCUA_EVENTS:
        standard -= {"TrangThai"}  # a progress update's TrangThai is the portal's code
        if "TrangThai" in keys:
            portal.add("TrangThai")
    if portal and not standard:
        return "dvcqg"
    if standard and not portal:
        return "standard"
    return None


def file_dialect(path: Path, entity: Entity) -> tuple[str | None, str]:
    """The dialect a file is unambiguously in (from its envelope, its first record or its CSV header), and why."""
    with open(path, "rb") as handle:
        first = handle.readline(64 * 1024).lstrip(b"\xef\xbb\xbf").strip()
    if path.suffix.lower() == ".csv":
        header = dict.fromkeys(h.strip() for h in first.decode("utf-8", "replace").split(","))
        return dialect_of(header, entity), "its CSV header"
    if first == b"{" or re.match(rb'\{\s*"service"\s*:', first):
        return "dvcqg", "an envelope"
    try:
        record = orjson.loads(first)
    except orjson.JSONDecodeError:
        return None, "its first line is not JSON"
    if not isinstance(record, dict):
        return None, "its first line is not an object"
    if "service" in record and "data" in record:
        return "dvcqg", f"an envelope of service {record.get('service')!r}"
    return dialect_of(record, entity), "the fields of its first record"


def agency_identifiers(conn) -> dict[str, str]:
    """Electronic identifier -> agency code, from the agency catalogue as last delivered."""
    rows = conn.execute(
        "select distinct on (madonvi) madinhdanh, madonvi from raw.motcua_agencies"
        " where madinhdanh is not null order by madonvi, _batch_id desc"
    )
    return {identifier: code for identifier, code in rows}


def read_portal_file(path: Path, entity: Entity, envelope_bytes: int) -> Iterator[SourceRow]:
    """A dvcqg file: one envelope `{"service", "isUpdating", "data": [...]}` (pretty-printed or on one line) or
    one record per JSON line."""
    with open(path, "rb") as handle:
        head = handle.read(64 * 1024).lstrip(b"\xef\xbb\xbf").lstrip()
    first_line = head.split(b"\n", 1)[0]
    envelope = None
    try:
        first = orjson.loads(first_line)
    except orjson.JSONDecodeError:
        first = None
    if isinstance(first, dict) and "data" in first and "service" in first:
        envelope = first
    elif first is None and head.startswith(b"{"):  # a pretty-printed document: read whole, within its bound
        envelope = read_json_document(path, envelope_bytes, "the envelope (not JSON Lines)")
        if not isinstance(envelope, dict) or "data" not in envelope:
            raise FileRejected("not a dvcqg envelope: a JSON document without `data`")
    if envelope is None:
        yield from read_jsonl(path, entity)
        return
    service = envelope.get("service")
    if SERVICES.get(service) is not entity:
        expected = next(name for name, e in SERVICES.items() if e is entity)
        raise FileRejected(f"envelope service {service!r}: a {entity.file_prefix} file carries {expected}")
    data = envelope["data"]
    if not isinstance(data, list):
        raise FileRejected(f"envelope `data` is a {type(data).__name__}, not a list of records")
    for number, record in enumerate(data, start=1):
        if isinstance(record, dict):
            yield SourceRow(number, record, cell=f"data[{number - 1}]")
        else:
            error = f"data[{number - 1}]: expected an object, got {type(record).__name__}"
            yield SourceRow(number, None, error, orjson.dumps(record).decode()[:2000], f"data[{number - 1}]")


def translated(rows: Iterator[SourceRow], entity: Entity, translator: Translator) -> Iterator[SourceRow]:
    """Portal rows as contract rows; a case row carries its supplement events (`derived`)."""
    for row in rows:
        if row.error is not None:
            yield row
            continue
        raw = orjson.dumps(row.record, default=str).decode()
        try:
            if entity is MOTCUA_CASES:
                record, events = translator.case(row.record)
                yield SourceRow(row.line, record, raw=raw, cell=row.cell, derived=tuple(events))
            else:
                yield SourceRow(row.line, translator.progress(row.record), raw=raw, cell=row.cell)
        except RecordError as exc:
            yield SourceRow(row.line, None, str(exc), raw, row.cell)
