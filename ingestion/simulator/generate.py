"""Write a simulated province's data as the sources would drop it in a landing folder.

Layout (the file-drop contract, `<landing>/<source>/...`):
  motcua/dm_donvi.csv, motcua/dm_tthc.csv      catalogues, one snapshot
  motcua/hoso_YYYY-MM.jsonl                      the latest version of every case that changed that month
  motcua/sukien_YYYY-MM.csv                      case events of that month
  (with dialect dvcqg, instead: motcua/DongBoHoSoMC_YYYY-MM.json, one envelope of the month's case records in the
  national portal's sync shape, and motcua/CapNhatTienDoHoSoMC_YYYY-MM.jsonl, its progress updates)
  pakn/pakn_YYYY-MM.jsonl                        the latest version of every feedback that changed that month
  baocao/dm_chitieu.csv                          indicator catalogue
  baocao/<KyBaoCao>/<MaDonVi>_<LoaiBaoCao>.xlsx  one workbook per agency, period and report type
  baocao/so_den.csv                              the office's incoming register: when each workbook arrived
Seeded and deterministic: the same arguments give the same records. Memory stays flat in `cases_per_year`
because each case is written as soon as it has been simulated.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .calendar import WorkCalendar
from .cases import CaseSimulator, daily_rate, event_records, poisson, record_at
from .catalog import PROCEDURES, Agency, load_agencies
from .pakn import feedback_versions
from .people import People
from .portal import Envelope, Portal, electronic_id
from .reports import load_requirements, values_for, write_indicator_catalogue, write_register, write_workbook

MARKER = ".simulator.json"
FORMAT = 4  # bumped when the layout changes, so an older landing folder is written again
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class SimulationSpec:
    seed: int = 20250701
    cases_per_year: int = 4000
    start: dt.date = dt.date(2023, 12, 15)
    as_of: dt.datetime = dt.datetime(2026, 6, 30, 6, 0)  # the extract's moment (local time)
    feedback_share: float = 0.04  # PAKN per case
    nfd_share: float = 0.05
    dialect: str = "standard"  # motcua's shape: standard (docs/sources.md §1) or dvcqg (the portal's, §4)


def _ts(value: dt.datetime | None, rng: random.Random) -> str | None:
    """Local timestamps; some sources write the +07:00 offset, most write none (= local time)."""
    if value is None:
        return None
    text = value.isoformat(timespec="seconds")
    return text + "+07:00" if rng.random() < 0.2 else text


def _month_key(moment: dt.datetime) -> str:
    return f"{moment:%Y-%m}"


def _month_end(key: str) -> dt.datetime:
    year, month = map(int, key.split("-"))
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return dt.datetime.combine(nxt, dt.time(0, 0)) - dt.timedelta(seconds=1)


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """First and last day of a six-month (`2025-6T`) or annual (`2025-NAM`) period, ND 09/2019 Art. 12."""
    year, kind = period.split("-")
    start = dt.date(int(year) - 1, 12, 15)
    return start, dt.date(int(year), 6 if kind == "6T" else 12, 14)


class _MonthlyFiles:
    """Append-only files, one per month, opened on first use."""

    def __init__(
        self, stack: ExitStack, folder: Path, pattern: str, header: list[str] | None = None, envelope: str | None = None
    ):
        self.stack, self.folder, self.pattern, self.header = stack, folder, pattern, header
        self.envelope = envelope  # a portal service: one envelope per file
        self.handles: dict[str, object] = {}

    def get(self, key: str):
        if key not in self.handles and self.envelope:
            self.handles[key] = Envelope(self.folder / self.pattern.format(key), self.envelope)
            self.stack.callback(self.handles[key].close)
        if key not in self.handles:
            path = self.folder / self.pattern.format(key)
            handle = self.stack.enter_context(open(path, "w", encoding="utf-8", newline=""))
            if self.header is not None:
                writer = csv.DictWriter(handle, fieldnames=self.header, lineterminator="\n")
                writer.writeheader()
                self.handles[key] = writer
            else:
                self.handles[key] = handle
        return self.handles[key]


def generate(landing: Path, spec: SimulationSpec = SimulationSpec()) -> dict:
    """Write the whole dataset into `landing`; returns counts. Skips if the same spec was written already."""
    landing = Path(landing)
    marker = landing / MARKER
    wanted = json.loads(json.dumps({**asdict(spec), "format": FORMAT}, default=str))
    if marker.exists() and json.loads(marker.read_text()).get("spec") == wanted:
        return json.loads(marker.read_text())["counts"]

    rng = random.Random(spec.seed)
    # how a timestamp is written (with or without its offset) is drawn from a stream of its own: the main stream
    # then draws the same cases whatever `as_of` is, so a later landing is the same province, further on (a
    # delivery's next night is what changed, not a province whose receipts all moved)
    text_rng = random.Random(spec.seed + 1)
    cal = WorkCalendar.load()
    agencies = load_agencies()
    people = People(rng, spec.nfd_share)
    sim = CaseSimulator(rng, cal, agencies, PROCEDURES, people)
    motcua, pakn_dir, baocao = landing / "motcua", landing / "pakn", landing / "baocao"
    for folder in (motcua, pakn_dir, baocao):
        folder.mkdir(parents=True, exist_ok=True)

    _write_catalogues(motcua, baocao, agencies)
    portal = None
    if spec.dialect == "dvcqg":
        identifiers = {a.code: electronic_id(i) for i, a in enumerate(agencies, start=1)}
        portal = Portal(spec.seed, identifiers, {a.code: a.name for a in agencies})
    elif spec.dialect != "standard":
        raise ValueError(f"unknown dialect {spec.dialect!r}: standard or dvcqg")
    counts = {"cases": 0, "case_versions": 0, "events": 0, "feedback": 0, "feedback_versions": 0}
    weights = [p.weight for p in PROCEDURES]
    as_of = spec.as_of
    with ExitStack() as stack:
        if portal is None:
            cases_out = _MonthlyFiles(stack, motcua, "hoso_{}.jsonl")
            header = ["MaHoSo", "ThoiDiem", "LoaiSuKien", "MaDonVi", "NgayHenTraMoi", "GhiChu"]
            events_out = _MonthlyFiles(stack, motcua, "sukien_{}.csv", header)
        else:
            cases_out = _MonthlyFiles(stack, motcua, "DongBoHoSoMC_{}.json", envelope="DongBoHoSoMC")
            events_out = _MonthlyFiles(stack, motcua, "CapNhatTienDoHoSoMC_{}.jsonl")
        pakn_out = _MonthlyFiles(stack, pakn_dir, "pakn_{}.jsonl")
        day = spec.start
        while day <= as_of.date():
            online_share = min(0.7, 0.5 + 0.1 * (day - dt.date(2024, 1, 1)).days / 365)
            for _ in range(poisson(rng, daily_rate(day, spec.cases_per_year, cal))):
                submitted = dt.datetime.combine(day, dt.time(0, 0)) + dt.timedelta(minutes=rng.randint(0, 1439))
                if submitted > as_of:
                    continue
                procedure = rng.choices(PROCEDURES, weights=weights)[0]
                case = sim.play(sim.new_case(submitted, procedure, online_share))
                if case.events[0].at > as_of:
                    continue
                counts["cases"] += 1
                months = sorted({_month_key(e.at) for e in case.events if e.at <= as_of})
                for key in months:
                    record = record_at(case, min(_month_end(key), as_of))
                    line = _serialise(record, text_rng)  # drawn in either dialect, so both make the same province
                    if portal is not None:
                        cases_out.get(key).write(portal.case(record, case))
                    else:
                        cases_out.get(key).write(json.dumps(line, ensure_ascii=False) + "\n")
                    counts["case_versions"] += 1
                for event in event_records(case, as_of):
                    line = _serialise(event, text_rng)
                    if portal is None:
                        events_out.get(_month_key(event["ThoiDiem"])).writerow(line)
                    elif (update := portal.progress(event)) is not None:
                        text = json.dumps(update, ensure_ascii=False) + "\n"
                        events_out.get(_month_key(event["ThoiDiem"])).write(text)
                    counts["events"] += 1
            for _ in range(poisson(rng, daily_rate(day, spec.cases_per_year, cal) * spec.feedback_share)):
                received = dt.datetime.combine(day, dt.time(7, 0)) + dt.timedelta(minutes=rng.randint(0, 720))
                if received > as_of:
                    continue
                counts["feedback"] += 1
                handler = _feedback_handler(rng, agencies, day)
                code = f"PAKN-{received:%y%m%d}-{counts['feedback']:06d}"
                versions = [
                    v
                    for v in feedback_versions(rng, cal, people, code, received, handler, PROCEDURES)
                    if v["NgayCapNhat"] <= as_of
                ]
                latest_by_month: dict[str, dict] = {}
                for version in versions:
                    latest_by_month[_month_key(version["NgayCapNhat"])] = version
                for key, version in latest_by_month.items():
                    pakn_out.get(key).write(json.dumps(_serialise(version, text_rng), ensure_ascii=False) + "\n")
                    counts["feedback_versions"] += 1
            day += dt.timedelta(days=1)
    counts["reports"] = _write_reports(baocao, rng, cal, agencies, spec)
    marker.write_text(json.dumps({"spec": wanted, "counts": counts}, indent=2))
    return counts


def _serialise(record: dict, rng: random.Random) -> dict:
    return {k: _ts(v, rng) if isinstance(v, dt.datetime) else v for k, v in record.items()}


def _feedback_handler(rng: random.Random, agencies: list[Agency], day: dt.date) -> Agency:
    pool = [
        a
        for a in agencies
        if a.active_on(day) and a.kind in ("SO", "HUYEN", "XA", "PHUONG", "DAC_KHU") and not a.code.startswith("OLD-")
    ]
    return rng.choice(pool)


def _write_catalogues(motcua: Path, baocao: Path, agencies: list[Agency]) -> None:
    with open(motcua / "dm_donvi.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        header = ["MaDonVi", "TenDonVi", "LoaiDonVi", "MaDonViCha", "HieuLucTu", "HieuLucDen", "MaDonViKeThua"]
        writer.writerow([*header, "MaDinhDanh"])
        for index, a in enumerate(agencies, start=1):
            # HieuLucDen is the last day in force (inclusive), as officials write it
            last = (a.valid_to - dt.timedelta(days=1)).isoformat() if a.valid_to else ""
            row = [a.code, a.name, a.kind, a.parent or "", a.valid_from.isoformat(), last, a.successor or ""]
            writer.writerow([*row, electronic_id(index)])
    with open(motcua / "dm_tthc.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(
            ["MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "SoNgayGiaiQuyet", "CapThucHien", "CoTrucTuyenToanTrinh"]
        )
        for p in PROCEDURES:
            writer.writerow(
                [
                    p.code,
                    p.name,
                    p.field_code,
                    p.field_name,
                    p.legal_days,
                    p.level,
                    "true" if p.fully_online else "false",
                ]
            )
    write_indicator_catalogue(baocao)


def _write_reports(
    baocao: Path, rng: random.Random, cal: WorkCalendar, agencies: list[Agency], spec: SimulationSpec
) -> int:
    """One workbook per report filed, and its arrival in the office's register (so_den.csv): the workbooks are
    dropped in the landing folder later (all on the demo's one night), so their filing time is the register's."""
    requirements = load_requirements()
    register = []
    for year in range(spec.start.year + 1, spec.as_of.year + 1):
        for kind in ("6T", "NAM"):
            period = f"{year}-{kind}"
            start, cutoff = period_bounds(period)
            if start < spec.start or cutoff >= spec.as_of.date():
                continue
            for agency in agencies:
                if not agency.active_on(cutoff) or agency.code.startswith("OLD-"):
                    continue
                for req in requirements:
                    if (
                        req.agency_kind != agency.kind
                        or req.period_kind != kind
                        or not (req.valid_from <= cutoff and (req.valid_to is None or cutoff < req.valid_to))
                    ):
                        continue
                    u = rng.random()
                    if u < 0.05:
                        continue  # never filed
                    deadline = (
                        cal.add_working_days(cutoff + dt.timedelta(days=1), req.deadline_days - 1)
                        if req.deadline_unit == "working_days"
                        else cutoff + dt.timedelta(days=req.deadline_days)
                    )  # as int_required_reports computes it
                    window = (deadline - cutoff).days
                    delay = rng.randint(0, window) if u < 0.9 else window + rng.randint(1, 20)
                    filed = dt.datetime.combine(cutoff + dt.timedelta(days=delay), dt.time(15, 0))
                    if filed > spec.as_of:
                        continue
                    path = baocao / period / f"{agency.code}_{req.report_type}.xlsx"
                    rows = values_for(rng, req.report_type, big=agency.kind == "SO")
                    write_workbook(path, agency.code, req.report_type, period, filed.date(), rows)
                    number = f"{len(register) + 1}/VBĐ"
                    register.append([agency.code, req.report_type, period, filed.isoformat(), number])
    write_register(baocao, register)
    return len(register)
