"""One-stop-shop cases (hồ sơ) and their event history, as the provincial case system would record them.

Each case is simulated as a timeline of events (receipt, supplement requests, apology, completion, hand-over,
return, withdrawal, transfer at the 2025 reorganisation); the case record the source sends is the state
after the last event at a given moment, so later nights bring new versions of the same case.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from .calendar import WorkCalendar
from .catalog import REORG, Agency, Procedure, owner_after_merge, successor_commune
from .people import People

OFFICE_OPEN = dt.time(7, 30)
OFFICE_CLOSE = dt.time(17, 0)
PAPER_CUTOFF_FROM_2025_07 = dt.time(15, 0)  # ND 118: paper dossiers after 15:00 count from the next day
DUE_TIME = dt.time(17, 0)


@dataclass
class Event:
    at: dt.datetime
    kind: str  # LoaiSuKien
    agency: str
    new_due: dt.datetime | None = None
    note: str | None = None


@dataclass
class Case:
    code: str
    procedure: Procedure
    channel: int  # 1 direct, 2 online, 3 postal
    owner: str
    submitted_at: dt.datetime
    has_fee: bool
    paid_online: bool
    digitised: bool
    e_result: bool
    synced: bool
    applicant: tuple[str, str, str, str]  # name, id number, phone, address
    drop_due_date: bool = False  # the source sometimes omits NgayHenTra
    apology_shows_on_record: bool = True
    events: list[Event] = field(default_factory=list)


class CaseSimulator:
    def __init__(
        self,
        rng: random.Random,
        calendar: WorkCalendar,
        agencies: list[Agency],
        procedures: list[Procedure],
        people: People,
    ):
        self.rng = rng
        self.cal = calendar
        self.agencies = agencies
        self.by_code = {a.code: a for a in agencies}
        self.procedures = procedures
        self.people = people
        self.sequence: dict[tuple[str, dt.date], int] = {}
        # each agency has its own habits: some are reliably early, some often late
        self.agency_factor = {a.code: rng.uniform(0.3, 2.0) for a in agencies}
        self.home_areas = [a.name.removeprefix("UBND ") for a in agencies if a.kind in ("XA", "PHUONG", "DAC_KHU")]
        self.district_weight = {}
        for agency in agencies:
            if agency.kind in ("XA", "PHUONG") and agency.district and agency.valid_to == REORG:
                self.district_weight[agency.district] = self.district_weight.get(agency.district, 0) + 1

    # -- routing -------------------------------------------------------------------------------------
    def _pick(self, kinds: tuple[str, ...], day: dt.date, district: str | None = None) -> Agency:
        pool = [
            a
            for a in self.agencies
            if a.kind in kinds and a.active_on(day) and (district is None or a.district == district)
        ]
        return self.rng.choice(pool)

    def _district(self) -> str:
        codes = list(self.district_weight)
        return self.rng.choices(codes, weights=[self.district_weight[c] for c in codes])[0]

    def route(self, procedure: Procedure, day: dt.date) -> Agency:
        post = day >= REORG
        communes = ("XA", "PHUONG", "DAC_KHU")
        if procedure.level == "TINH":
            assert procedure.owner
            return self.by_code[owner_after_merge(procedure.owner, self.by_code, day)]
        if procedure.level == "CHI_NHANH":
            district = self._district()
            return self.by_code.get(f"CNDK-{district}") or self._pick(("CHI_NHANH_VPDKDD",), day)
        if post:
            return self._pick(communes, day)
        if procedure.level == "HUYEN":
            return self.by_code[f"HUYEN-{self._district()}"]
        return self._pick(("XA", "PHUONG"), day, self._district())

    # -- time rules ------------------------------------------------------------------------------------
    def counting_day(self, received: dt.datetime, channel: int) -> dt.date:
        """The day the clock starts from: late or non-working-day receipts count from the next working day."""
        cutoff = PAPER_CUTOFF_FROM_2025_07 if channel != 2 and received.date() >= REORG else OFFICE_CLOSE
        day = received.date()
        if not self.cal.is_working_day(day) or received.time() >= cutoff:
            return self.cal.next_working_day(day, include_today=False)
        return day

    def due(self, received: dt.datetime, channel: int, days: int) -> dt.datetime:
        start = self.counting_day(received, channel)
        return dt.datetime.combine(self.cal.add_working_days(start, days), DUE_TIME)

    def _office_time(self, day: dt.date, after: dt.datetime | None = None) -> dt.datetime:
        """A moment in office hours on `day`, and later than `after` (events of a case keep their order)."""
        moment = dt.datetime.combine(day, OFFICE_OPEN) + dt.timedelta(minutes=self.rng.randint(0, 8 * 60))
        if after is not None and moment <= after:
            moment = after + dt.timedelta(minutes=self.rng.randint(10, 90))
        return moment

    def _late_probability(self, agency: Agency, procedure: Procedure, day: dt.date) -> float:
        if day < REORG:
            base = {"SO": 0.02, "CHI_NHANH_VPDKDD": 0.035, "HUYEN": 0.02}.get(agency.kind, 0.01)
        else:
            base = {"SO": 0.08, "CHI_NHANH_VPDKDD": 0.08}.get(agency.kind, 0.04)
            if day < dt.date(2025, 10, 1):
                base += 0.04  # the transition quarter
        if procedure.field_code == "DD":
            base *= 1.6
        return min(0.5, base * self.agency_factor[agency.code])

    # -- one case --------------------------------------------------------------------------------------
    def new_case(self, submitted: dt.datetime, procedure: Procedure, online_share: float) -> Case:
        r = self.rng
        day = submitted.date()
        agency = self.route(procedure, day)
        share = online_share + (0.2 if procedure.fully_online else 0) - (0.25 if procedure.field_code == "DD" else 0)
        u = r.random()
        channel = 2 if u < share else 3 if u < share + 0.03 else 1
        if channel != 2:  # desk and post only take paper during office hours on working days
            day = self.cal.next_working_day(day)
            submitted = self._office_time(day)
        key = (agency.code, submitted.date())
        self.sequence[key] = self.sequence.get(key, 0) + 1
        code = f"{agency.code}-{submitted:%y%m%d}-{self.sequence[key]:04d}"
        year_progress = (submitted.date() - dt.date(2024, 1, 1)).days / 365
        name = self.people.name()
        area = self.rng.choice(self.home_areas)
        return Case(
            code=code,
            procedure=procedure,
            channel=channel,
            owner=agency.code,
            submitted_at=submitted,
            has_fee=procedure.has_fee,
            paid_online=procedure.has_fee and r.random() < (0.75 if channel == 2 else 0.08),
            digitised=r.random() < min(0.9, 0.55 + 0.12 * year_progress),
            e_result=r.random() < min(0.9, 0.62 + 0.1 * year_progress),
            synced=r.random() < 0.96,
            applicant=(name, self.people.id_number(), self.people.phone(), self.people.address(area)),
            drop_due_date=r.random() < 0.01,
            apology_shows_on_record=r.random() < 0.7,
        )

    def play(self, case: Case) -> Case:
        """Write the case's whole future as events (the caller cuts them at the as-of moment)."""
        r, cal, proc = self.rng, self.cal, self.procedure_days(case)
        received = case.submitted_at
        if case.channel == 2 and (
            not cal.is_working_day(received.date()) or not (OFFICE_OPEN <= received.time() < OFFICE_CLOSE)
        ):
            # online dossiers are accepted by a clerk within 8 working hours
            received = self._office_time(cal.next_working_day(received.date(), include_today=False))
            if received < case.submitted_at:
                received = case.submitted_at
        due = self.due(received, case.channel, proc)
        agency = self.by_code[case.owner]
        case.events.append(Event(received, "TIEP_NHAN", case.owner, due))
        case.events.append(Event(received + dt.timedelta(minutes=30), "CHUYEN_XU_LY", case.owner))
        start = self.counting_day(received, case.channel)

        u = r.random()
        if u < 0.08:  # supplement request within 3 working days of receipt
            asked = self._office_time(cal.add_working_days(start, r.randint(0, min(3, proc))), case.events[-1].at)
            case.events.append(Event(asked, "YEU_CAU_BO_SUNG", case.owner, note="Bổ sung bản sao giấy tờ"))
            if r.random() < 0.15:  # never came back: closed after 15 days
                closed = self._office_time(cal.next_working_day(asked.date() + dt.timedelta(days=16)), asked)
                case.events.append(Event(closed, "TRA_LAI", case.owner, note="Quá hạn bổ sung hồ sơ"))
                return self._transfer_at_reorg(case)
            back = asked + dt.timedelta(days=r.randint(1, 10), hours=r.randint(-2, 2))
            back = self._office_time(cal.next_working_day(back.date()), asked)
            due = self.due(back, case.channel, proc)
            case.events.append(Event(back, "NHAN_BO_SUNG", case.owner, due))
            start = self.counting_day(back, case.channel)
            if r.random() < 0.05:  # a second request: the 766 engine counts these late
                asked2 = self._office_time(cal.add_working_days(start, 1), back)
                case.events.append(Event(asked2, "YEU_CAU_BO_SUNG", case.owner, note="Bổ sung lần hai"))
                back2 = self._office_time(cal.add_working_days(asked2.date(), r.randint(1, 5)), asked2)
                due = self.due(back2, case.channel, proc)
                case.events.append(Event(back2, "NHAN_BO_SUNG", case.owner, due))
                start = self.counting_day(back2, case.channel)
        elif u < 0.095:  # refused after appraisal, within the deadline
            at = self._office_time(cal.add_working_days(start, r.randint(1, max(1, proc))), case.events[-1].at)
            case.events.append(Event(at, "TRA_LAI", case.owner, note="Không đủ điều kiện giải quyết"))
            return self._transfer_at_reorg(case)
        elif u < 0.105:  # withdrawn by the applicant
            at = self._office_time(cal.add_working_days(start, r.randint(0, max(1, proc))), case.events[-1].at)
            case.events.append(Event(at, "RUT_HO_SO", case.owner, note="Công dân xin rút hồ sơ"))
            return self._transfer_at_reorg(case)

        late = r.random() < self._late_probability(agency, case.procedure, received.date())
        due_day = due.date()
        if late:
            finish_day = cal.add_working_days(due_day, r.choice([1, 1, 2, 2, 3, 5, 8, 13]))
            if r.random() < 0.8:  # apology letter at least one day before the due date
                apology_day = max(start, cal.add_working_days(due_day, -1))
                promised = dt.datetime.combine(cal.add_working_days(finish_day, r.randint(0, 3)), DUE_TIME)
                case.events.append(
                    Event(
                        self._office_time(apology_day, case.events[-1].at),
                        "XIN_LOI",
                        case.owner,
                        promised,
                        note="Văn bản xin lỗi và hẹn lại ngày trả kết quả",
                    )
                )
        else:
            span = cal.working_days_between(start, due_day)
            early_by = 0 if r.random() < 0.35 else r.randint(1, max(1, span))
            finish_day = max(start, cal.add_working_days(due_day, -min(early_by, span)))
        finished = self._office_time(finish_day, case.events[-1].at)
        case.events.append(Event(finished, "HOAN_THANH", case.owner))
        handed = finished + dt.timedelta(days=r.choice([0, 0, 1, 2, 3, 7]), hours=r.randint(0, 3))
        case.events.append(Event(handed, "TRA_KET_QUA", case.owner))
        return self._transfer_at_reorg(case)

    def procedure_days(self, case: Case) -> int:
        return case.procedure.legal_days

    def _transfer_at_reorg(self, case: Case) -> Case:
        """Cases open at an abolished district or old commune on 1/7/2025 move to the new commune."""
        owner = self.by_code[case.owner]
        if owner.valid_to != REORG:
            return case
        moment = dt.datetime.combine(REORG, dt.time(8, 0))
        ends = [e.at for e in case.events if e.kind in ("HOAN_THANH", "TRA_LAI", "RUT_HO_SO")]
        if case.events[0].at >= moment or (ends and ends[0] < moment):
            return case
        new = successor_commune(owner, self.by_code)
        case.events.append(Event(moment, "CHUYEN_XU_LY", new.code, note="Chuyển giao khi sắp xếp đơn vị hành chính"))
        for event in case.events:
            if event.at > moment:
                event.agency = new.code
        case.events.sort(key=lambda e: e.at)
        return case


def record_at(case: Case, moment: dt.datetime) -> dict | None:
    """The source's case record (contract fields) as it stood at `moment`, or None before receipt."""
    events = [e for e in case.events if e.at <= moment]
    if not events:
        return None
    status, finished, handed, due, owner = "DANG_XU_LY", None, None, None, case.owner
    apology = False
    for event in events:
        owner = event.agency
        if event.kind in ("TIEP_NHAN", "NHAN_BO_SUNG"):
            due, status = event.new_due, "DANG_XU_LY"
        elif event.kind == "YEU_CAU_BO_SUNG":
            status = "CHO_BO_SUNG"
        elif event.kind == "XIN_LOI":
            apology = True
            if case.apology_shows_on_record:
                due = event.new_due  # the record may already show the apology's new appointment
        elif event.kind == "HOAN_THANH":
            status, finished = "DA_XU_LY", event.at
        elif event.kind == "TRA_KET_QUA":
            status, handed = "DA_TRA_KET_QUA", event.at
        elif event.kind in ("TRA_LAI", "RUT_HO_SO"):
            status, finished = event.kind, event.at
    done = status in ("DA_XU_LY", "DA_TRA_KET_QUA")
    name, id_number, phone, address = case.applicant
    return {
        "MaHoSo": case.code,
        "MaTTHC": case.procedure.code,
        "MaDonVi": owner,
        "KenhNop": case.channel,
        "MucDoDVC": ("TOAN_TRINH" if case.procedure.fully_online else "MOT_PHAN") if case.channel == 2 else None,
        "NgayTiepNhan": events[0].at,
        "NgayHenTra": None if case.drop_due_date else due,
        "NgayKetThuc": finished,
        "NgayTraKetQua": handed,
        "TrangThai": status,
        "CoPhi": case.has_fee,
        "ThanhToanTrucTuyen": case.paid_online,
        "DaSoHoa": case.digitised,
        "KetQuaDienTu": case.e_result and done,
        "DongBoDVCQG": case.synced,
        "CoThuXinLoi": apology,
        "ChuHoSo": name,
        "SoGiayTo": id_number,
        "SoDienThoai": phone,
        "DiaChi": address,
        "NgayCapNhat": events[-1].at,
    }


def event_records(case: Case, until: dt.datetime) -> list[dict]:
    return [
        {
            "MaHoSo": case.code,
            "ThoiDiem": e.at,
            "LoaiSuKien": e.kind,
            "MaDonVi": e.agency,
            "NgayHenTraMoi": e.new_due,
            "GhiChu": e.note,
        }
        for e in case.events
        if e.at <= until
    ]


def daily_rate(day: dt.date, per_year: float, cal: WorkCalendar) -> float:
    """Expected submissions on a day: weekdays, Tết dip, year-end peak, the 2025 transition slump."""
    base = per_year / 250
    if not cal.is_working_day(day):
        base *= 0.12  # online submissions still arrive on days off
    if day.month in (11, 12):
        base *= 1.2
    if dt.date(2025, 7, 1) <= day < dt.date(2025, 8, 15):
        base *= 0.85
    # the working days right after a long holiday are slower
    if (
        cal.is_working_day(day)
        and not cal.is_working_day(day - dt.timedelta(days=3))
        and not cal.is_working_day(day - dt.timedelta(days=4))
    ):
        base *= 0.7
    return base


def poisson(rng: random.Random, mean: float) -> int:
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1
