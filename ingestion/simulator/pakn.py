"""Citizen feedback (PAKN) records: channels, deadlines, answers, publication and ratings."""

from __future__ import annotations

import datetime as dt
import random

from .calendar import WorkCalendar
from .catalog import Agency, Procedure
from .people import People

CHANNELS = ["CONG_DVCQG", "HE_THONG_PAKN_TINH", "DUONG_DAY_NONG", "TRUC_TIEP", "VAN_BAN"]
CHANNEL_WEIGHTS = [0.35, 0.3, 0.15, 0.12, 0.08]
ANSWER_DAYS = 15  # working days (766 indicator 5.2)


def feedback_versions(
    rng: random.Random,
    cal: WorkCalendar,
    people: People,
    code: str,
    received: dt.datetime,
    agency: Agency,
    procedures: list[Procedure],
) -> list[dict]:
    """All versions of one feedback record: as received, and (if it happened) as answered."""
    about_case = rng.random() < 0.6
    deadline = dt.datetime.combine(cal.add_working_days(received.date(), ANSWER_DAYS), dt.time(17, 0))
    name, phone = people.name(), people.phone()
    title, body = people.feedback(name, phone)
    base = {
        "MaPAKN": code,
        "KenhTiepNhan": rng.choices(CHANNELS, weights=CHANNEL_WEIGHTS)[0],
        "LoaiPAKN": "TTHC" if about_case else "KTXH",
        "MaTTHC": rng.choice(procedures).code if about_case else None,
        "MaDonViXuLy": agency.code,
        "NgayTiepNhan": received,
        "HanXuLy": deadline,
        "NgayTraLoi": None,
        "TrangThai": "MOI",
        "CongKhai": False,
        "DanhGia": None,
        "TieuDe": title,
        "NoiDung": body,
        "NguoiGui": name,
        "DienThoaiNguoiGui": phone,
        "NgayCapNhat": received,
    }
    versions = [base]
    u = rng.random()
    if u < 0.04:
        moved = received + dt.timedelta(days=rng.randint(1, 4))
        versions.append(
            base | {"TrangThai": rng.choice(["CHUYEN_DON_VI_KHAC", "KHONG_THUOC_THAM_QUYEN"]), "NgayCapNhat": moved}
        )
        return versions
    started = received + dt.timedelta(hours=rng.randint(2, 48))
    versions.append(base | {"TrangThai": "DANG_XU_LY", "NgayCapNhat": started})
    on_time = u < 0.90
    span = ANSWER_DAYS if on_time else ANSWER_DAYS + rng.randint(1, 20)
    answer_day = cal.add_working_days(received.date(), rng.randint(1, span) if on_time else span)
    answered = dt.datetime.combine(answer_day, dt.time(9, 0)) + dt.timedelta(minutes=rng.randint(0, 420))
    answered = max(answered, started + dt.timedelta(hours=1))
    rating = None
    if rng.random() < 0.6:
        rating = "HAI_LONG" if rng.random() < (0.88 if on_time else 0.4) else "KHONG_HAI_LONG"
    versions.append(
        base
        | {"TrangThai": "DA_TRA_LOI", "NgayTraLoi": answered, "CongKhai": rng.random() < 0.8, "NgayCapNhat": answered}
    )
    if rating:
        rated = answered + dt.timedelta(days=rng.randint(0, 5), hours=rng.randint(1, 5))
        versions.append(versions[-1] | {"DanhGia": rating, "NgayCapNhat": rated})
    return versions
