"""Golden test: ten hand-written cases through the real pipeline (ingestion, dbt build), and the case
status table compared with counts worked out by hand below.

Period 2025-T07 is the Nghị định 09/2019 month 15/6/2025-14/7/2025 (no public holiday in it). Agencies:
SO-TP (a department), OLD-22366 (an old ward, abolished 1/7/2025) and PH-22366 (the new ward). Procedures:
P3 (civil status, 3 working days) and LAND (Đất đai, 10 working days). Times are local (no zone written).

  G1  SO-TP  P3   desk    received 2/6, due 5/6, finished 20/6           -> carried over into T07, late
  G2  SO-TP  P3   online  received 16/6, due 19/6, finished 18/6         -> early
  G3  SO-TP  P3   desk    received 17/6, due 20/6, finished 20/6 15:00   -> on time
  G4  SO-TP  P3   desk    received 10/7, due 15/7, open on 14/7          -> within due (finished 16/7: late in T08)
  G5  SO-TP  LAND post    received 20/6, due 4/7; apology on 3/7 promises 18/7 and the record shows 18/7;
                          open on 14/7                                   -> overdue (finished 17/7: late in T08)
  G6  OLD -> PH  P3 desk  received 27/6 at the old ward, due 2/7, moved to the new ward 1/7, finished 2/7
                                                                         -> received at OLD, out; in at PH, on time
  G7  PH     P3   online  received 7/7, due 10/7; supplement asked 8/7, back 11/7 with new due 16/7; open
                                                                         -> within due (the clock restarted)
  G8  PH     P3   desk    received 8/7, returned 9/7                     -> returned
  G9  PH     P3   online  received 9/7, withdrawn 10/7                   -> withdrawn
  G10 PH     P3   desk    received 1/7 at 16:00, no due date and no events; finished 7/7
                          -> paper after 15:00 under ND 118 counts from 2/7: due 7/7 -> on time
                             (counted from 1/7 it would be due 4/7 and late)
  G11 SO-TP  P3   desk    received 23/6, due 26/6, returned (TRA_LAI) 30/6 -> returned after the due date:
                          out of the on-time rate, on the late side of the late rate (ended_after_due)
  G12 SO-TP  P3   desk    received 24/6, due 27/6, returned on the due day 27/6 -> in time: counts nowhere
  G13 SO-TP  LAND desk    received 16/6, due 30/6, no apology, still open -> overdue at the end of T07 and T08:
                          a case that became late without an apology, and a late land case still in progress
  G14 PH     P3   desk    received 11/7, due 14/7 (the last day of T07), finished 15/7 -> within due at the
                          end of T07 (due that very day), late in T08

Supplement requests (Nghị định 118/2025 Art. 19.5; window 3 working days after the valid receipt), T08:
  G15 PH P3   desk    received Mon 21/7, due 24/7; asked 24/7 (the third working day: lawful), back 28/7
                      with 31/7; finished 30/7 -> early against the restarted 31/7
  G16 PH LAND desk    received Mon 21/7, due 4/8; asked Fri 25/7 (the fourth working day: out of rule), back
                      28/7 with 11/8; finished 6/8 -> late against 4/8
  G17 PH P3   online  received 22/7, due 25/7; asked 23/7 (lawful), back 24/7 with 29/7; asked again 28/7
                      (out of rule), back 30/7 with 4/8; finished 1/8 -> late against 29/7
  G18 PH P3   desk    received 5/8, due 8/8; asked 6/8 (lawful), the citizen never came back -> waiting for
                      the citizen at the end of T08, neither within due nor overdue

The first half-year 2025-6T (15/12/2024-14/6/2025) and the year 2025-NAM, at SO-XD (a department) beside G1:
  X1  P3   desk    received Fri 25/4 09:00, no due date, no events, finished Tue 29/4 -> due 29/4 with the make-up
                   working Saturday 26/4 of the calendar seed (without it 5/5): on time
  X2  P3   desk    received Tue 29/4 09:00, no due date, no events, finished Wed 7/5 -> the holidays 30/4, 1/5, the
                   day off 2/5 and the weekend skipped: due 7/5 (2/5 without them): on time
  X3  P3   desk    received Mon 10/3, no events, the record alone says due 17/3; finished 14/3 -> early against the
                   record (the legal days would give 13/3: late)
  X4  ?    desk    received Mon 3/3, a procedure not in the catalogue, finished 5/3 -> resolved, not judged
  X5  P3   online  received Mon 5/5, due 8/5 on receipt, finished 7/5                 -> early
  X6  LAND desk    received Mon 12/5, due 26/5 on receipt, finished 27/5, no apology  -> late
  X7  P3   desk    received 2025-09-03T08:30:00Z = Wed 3/9 15:30 local, after the 15:00 cut-off of Nghị định
                   118 (in force from 1/7/2025): counts from Thu 4/9, due 9/9; finished 2025-09-09T02:00:00Z (9/9
                   09:00 local) -> on time (read as 08:30 local it would be due 8/9 and late)
Feedback (PAKN) handled by SO-XD: F1 received 3/3, due 17/3, answered 14/3 and published; F2 received 10/3, due
24/3, answered 26/3 (late), not published; F3 received 2/4 and passed on to another agency; F4 received 2/6, due
10/6, still unanswered. Reports for 2025-6T (due Tue 17/6/2025, the 2nd working day after the cut-off): SO-TP and
SO-XD each owe PCTN, TCD_KNTC and CCHC; SO-XD's CCHC report (10 tasks, 9 done) is in the office register on 16/6.

Rules tested here beyond the status table (DOMAIN.md): a return after the due date is late; a case that
became late is resolved late in the period or open and overdue at its end, and its apology is timely when
dated at least one working day before the due date; land lateness is the late rate on land cases.
"""

from __future__ import annotations

import csv
from decimal import Decimal

import openpyxl
import pytest

AGENCIES = [
    ["SO-TP", "Sở Tư pháp", "SO", "", "2019-01-01", "", ""],
    ["OLD-22366", "UBND phường Tân Tiến", "PHUONG", "", "2019-01-01", "2025-06-30", "PH-22366"],
    ["PH-22366", "UBND phường Nha Trang", "PHUONG", "", "2025-07-01", "", ""],
    ["SO-XD", "Sở Xây dựng", "SO", "", "2019-01-01", "", ""],
]
PROCEDURES = [
    ["P3", "Cấp bản sao trích lục hộ tịch", "HT", "Hộ tịch", "3", "XA", "true"],
    ["LAND", "Đăng ký biến động quyền sử dụng đất", "DD", "Đất đai", "10", "CHI_NHANH", "false"],
]


def case(
    code,
    procedure,
    agency,
    channel,
    received,
    updated,
    status="DANG_XU_LY",
    due=None,
    finished=None,
    handed=None,
    apology=False,
):
    return {
        "MaHoSo": code,
        "MaTTHC": procedure,
        "MaDonVi": agency,
        "KenhNop": channel,
        "MucDoDVC": "MOT_PHAN" if channel == 2 else None,
        "NgayTiepNhan": received,
        "NgayHenTra": due,
        "NgayKetThuc": finished,
        "NgayTraKetQua": handed,
        "TrangThai": status,
        "CoPhi": False,
        "ThanhToanTrucTuyen": False,
        "DaSoHoa": True,
        "KetQuaDienTu": False,
        "DongBoDVCQG": True,
        "CoThuXinLoi": apology,
        "ChuHoSo": "Nguyễn Văn Thử",
        "SoGiayTo": "056000000001",
        "SoDienThoai": "0905000001",
        "DiaChi": "Nha Trang",
        "NgayCapNhat": updated,
    }


CASES = [
    case(
        "G1",
        "P3",
        "SO-TP",
        1,
        "2025-06-02T09:00:00",
        "2025-06-20T10:00:00",
        "DA_XU_LY",
        "2025-06-05T17:00:00",
        "2025-06-20T10:00:00",
    ),
    case(
        "G2",
        "P3",
        "SO-TP",
        2,
        "2025-06-16T10:00:00",
        "2025-06-18T10:00:00",
        "DA_XU_LY",
        "2025-06-19T17:00:00",
        "2025-06-18T10:00:00",
    ),
    case(
        "G3",
        "P3",
        "SO-TP",
        1,
        "2025-06-17T10:00:00",
        "2025-06-21T09:00:00",
        "DA_TRA_KET_QUA",
        "2025-06-20T17:00:00",
        "2025-06-20T15:00:00",
        "2025-06-21T09:00:00",
    ),
    case("G4", "P3", "SO-TP", 1, "2025-07-10T10:00:00", "2025-07-10T10:00:00", due="2025-07-15T17:00:00"),
    case(
        "G4",
        "P3",
        "SO-TP",
        1,
        "2025-07-10T10:00:00",
        "2025-07-16T11:00:00",
        "DA_XU_LY",
        "2025-07-15T17:00:00",
        "2025-07-16T11:00:00",
    ),
    case(
        "G5", "LAND", "SO-TP", 3, "2025-06-20T09:00:00", "2025-07-03T09:00:00", due="2025-07-18T17:00:00", apology=True
    ),
    case(
        "G5",
        "LAND",
        "SO-TP",
        3,
        "2025-06-20T09:00:00",
        "2025-07-17T10:00:00",
        "DA_XU_LY",
        "2025-07-18T17:00:00",
        "2025-07-17T10:00:00",
        apology=True,
    ),
    case(
        "G6",
        "P3",
        "PH-22366",
        1,
        "2025-06-27T14:00:00",
        "2025-07-02T11:00:00",
        "DA_XU_LY",
        "2025-07-02T17:00:00",
        "2025-07-02T11:00:00",
    ),
    case("G7", "P3", "PH-22366", 2, "2025-07-07T09:00:00", "2025-07-11T10:00:00", due="2025-07-16T17:00:00"),
    case(
        "G8",
        "P3",
        "PH-22366",
        1,
        "2025-07-08T09:00:00",
        "2025-07-09T10:00:00",
        "TRA_LAI",
        "2025-07-11T17:00:00",
        "2025-07-09T10:00:00",
    ),
    case(
        "G9",
        "P3",
        "PH-22366",
        2,
        "2025-07-09T09:00:00",
        "2025-07-10T09:00:00",
        "RUT_HO_SO",
        "2025-07-14T17:00:00",
        "2025-07-10T09:00:00",
    ),
    case(
        "G10",
        "P3",
        "PH-22366",
        1,
        "2025-07-01T16:00:00",
        "2025-07-07T10:00:00",
        "DA_XU_LY",
        None,
        "2025-07-07T10:00:00",
    ),
]

CASES += [
    case("G11", "P3", "SO-TP", 1, "2025-06-23T09:00:00", "2025-06-30T10:00:00", "TRA_LAI", "2025-06-26T17:00:00"),
    case("G12", "P3", "SO-TP", 1, "2025-06-24T09:00:00", "2025-06-27T10:00:00", "TRA_LAI", "2025-06-27T17:00:00"),
    case("G13", "LAND", "SO-TP", 1, "2025-06-16T09:00:00", "2025-06-16T09:00:00", due="2025-06-30T17:00:00"),
    case(
        "G14",
        "P3",
        "PH-22366",
        1,
        "2025-07-11T09:00:00",
        "2025-07-15T10:00:00",
        "DA_XU_LY",
        "2025-07-14T17:00:00",
        "2025-07-15T10:00:00",
    ),
]

CASES += [
    case(
        "G15",
        "P3",
        "PH-22366",
        1,
        "2025-07-21T09:00:00",
        "2025-07-30T10:00:00",
        "DA_XU_LY",
        "2025-07-31T17:00:00",
        "2025-07-30T10:00:00",
    ),
    case(
        "G16",
        "LAND",
        "PH-22366",
        1,
        "2025-07-21T09:00:00",
        "2025-08-06T10:00:00",
        "DA_XU_LY",
        "2025-08-11T17:00:00",
        "2025-08-06T10:00:00",
    ),
    case(
        "G17",
        "P3",
        "PH-22366",
        2,
        "2025-07-22T09:00:00",
        "2025-08-01T10:00:00",
        "DA_XU_LY",
        "2025-08-04T17:00:00",
        "2025-08-01T10:00:00",
    ),
    case(
        "G18", "P3", "PH-22366", 1, "2025-08-05T09:00:00", "2025-08-06T10:00:00", "CHO_BO_SUNG", "2025-08-08T17:00:00"
    ),
]

CASES += [
    case("X1", "P3", "SO-XD", 1, "2025-04-25T09:00:00", "2025-04-29T10:00:00", "DA_XU_LY", None, "2025-04-29T10:00:00"),
    case("X2", "P3", "SO-XD", 1, "2025-04-29T09:00:00", "2025-05-07T10:00:00", "DA_XU_LY", None, "2025-05-07T10:00:00"),
    case(
        "X3",
        "P3",
        "SO-XD",
        1,
        "2025-03-10T09:00:00",
        "2025-03-14T10:00:00",
        "DA_XU_LY",
        "2025-03-17T17:00:00",
        "2025-03-14T10:00:00",
    ),
    case(
        "X4",
        "P-CHUA-CO",
        "SO-XD",
        1,
        "2025-03-03T09:00:00",
        "2025-03-05T10:00:00",
        "DA_XU_LY",
        None,
        "2025-03-05T10:00:00",
    ),
    case(
        "X5",
        "P3",
        "SO-XD",
        2,
        "2025-05-05T09:00:00",
        "2025-05-07T10:00:00",
        "DA_XU_LY",
        "2025-05-08T17:00:00",
        "2025-05-07T10:00:00",
    ),
    case(
        "X6",
        "LAND",
        "SO-XD",
        1,
        "2025-05-12T09:00:00",
        "2025-05-27T10:00:00",
        "DA_XU_LY",
        "2025-05-26T17:00:00",
        "2025-05-27T10:00:00",
    ),
    case(
        "X7", "P3", "SO-XD", 1, "2025-09-03T08:30:00Z", "2025-09-09T02:00:00Z", "DA_XU_LY", None, "2025-09-09T02:00:00Z"
    ),
]

EVENTS = [  # MaHoSo, ThoiDiem, LoaiSuKien, MaDonVi, NgayHenTraMoi
    ("G1", "2025-06-02T09:00:00", "TIEP_NHAN", "SO-TP", "2025-06-05T17:00:00"),
    ("G1", "2025-06-20T10:00:00", "HOAN_THANH", "SO-TP", ""),
    ("G2", "2025-06-16T10:00:00", "TIEP_NHAN", "SO-TP", "2025-06-19T17:00:00"),
    ("G2", "2025-06-18T10:00:00", "HOAN_THANH", "SO-TP", ""),
    ("G3", "2025-06-17T10:00:00", "TIEP_NHAN", "SO-TP", "2025-06-20T17:00:00"),
    ("G3", "2025-06-20T15:00:00", "HOAN_THANH", "SO-TP", ""),
    ("G3", "2025-06-21T09:00:00", "TRA_KET_QUA", "SO-TP", ""),
    ("G4", "2025-07-10T10:00:00", "TIEP_NHAN", "SO-TP", "2025-07-15T17:00:00"),
    ("G4", "2025-07-16T11:00:00", "HOAN_THANH", "SO-TP", ""),
    ("G5", "2025-06-20T09:00:00", "TIEP_NHAN", "SO-TP", "2025-07-04T17:00:00"),
    ("G5", "2025-07-03T09:00:00", "XIN_LOI", "SO-TP", "2025-07-18T17:00:00"),
    ("G5", "2025-07-17T10:00:00", "HOAN_THANH", "SO-TP", ""),
    ("G6", "2025-06-27T14:00:00", "TIEP_NHAN", "OLD-22366", "2025-07-02T17:00:00"),
    ("G6", "2025-07-01T08:00:00", "CHUYEN_XU_LY", "PH-22366", ""),
    ("G6", "2025-07-02T11:00:00", "HOAN_THANH", "PH-22366", ""),
    ("G7", "2025-07-07T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-10T17:00:00"),
    ("G7", "2025-07-08T09:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("G7", "2025-07-11T10:00:00", "NHAN_BO_SUNG", "PH-22366", "2025-07-16T17:00:00"),
    ("G8", "2025-07-08T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-11T17:00:00"),
    ("G8", "2025-07-09T10:00:00", "TRA_LAI", "PH-22366", ""),
    ("G9", "2025-07-09T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-14T17:00:00"),
    ("G9", "2025-07-10T09:00:00", "RUT_HO_SO", "PH-22366", ""),
    ("G11", "2025-06-23T09:00:00", "TIEP_NHAN", "SO-TP", "2025-06-26T17:00:00"),
    ("G11", "2025-06-30T10:00:00", "TRA_LAI", "SO-TP", ""),
    ("G12", "2025-06-24T09:00:00", "TIEP_NHAN", "SO-TP", "2025-06-27T17:00:00"),
    ("G12", "2025-06-27T10:00:00", "TRA_LAI", "SO-TP", ""),
    ("G13", "2025-06-16T09:00:00", "TIEP_NHAN", "SO-TP", "2025-06-30T17:00:00"),
    ("G14", "2025-07-11T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-14T17:00:00"),
    ("G14", "2025-07-15T10:00:00", "HOAN_THANH", "PH-22366", ""),
    ("G15", "2025-07-21T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-24T17:00:00"),
    ("G15", "2025-07-24T10:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("G15", "2025-07-28T10:00:00", "NHAN_BO_SUNG", "PH-22366", "2025-07-31T17:00:00"),
    ("G15", "2025-07-30T10:00:00", "HOAN_THANH", "PH-22366", ""),
    ("G16", "2025-07-21T09:00:00", "TIEP_NHAN", "PH-22366", "2025-08-04T17:00:00"),
    ("G16", "2025-07-25T10:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("G16", "2025-07-28T10:00:00", "NHAN_BO_SUNG", "PH-22366", "2025-08-11T17:00:00"),
    ("G16", "2025-08-06T10:00:00", "HOAN_THANH", "PH-22366", ""),
    ("G17", "2025-07-22T09:00:00", "TIEP_NHAN", "PH-22366", "2025-07-25T17:00:00"),
    ("G17", "2025-07-23T10:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("G17", "2025-07-24T10:00:00", "NHAN_BO_SUNG", "PH-22366", "2025-07-29T17:00:00"),
    ("G17", "2025-07-28T10:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("G17", "2025-07-30T10:00:00", "NHAN_BO_SUNG", "PH-22366", "2025-08-04T17:00:00"),
    ("G17", "2025-08-01T10:00:00", "HOAN_THANH", "PH-22366", ""),
    ("G18", "2025-08-05T09:00:00", "TIEP_NHAN", "PH-22366", "2025-08-08T17:00:00"),
    ("G18", "2025-08-06T10:00:00", "YEU_CAU_BO_SUNG", "PH-22366", ""),
    ("X5", "2025-05-05T09:00:00", "TIEP_NHAN", "SO-XD", "2025-05-08T17:00:00"),
    ("X5", "2025-05-07T10:00:00", "HOAN_THANH", "SO-XD", ""),
    ("X6", "2025-05-12T09:00:00", "TIEP_NHAN", "SO-XD", "2025-05-26T17:00:00"),
    ("X6", "2025-05-27T10:00:00", "HOAN_THANH", "SO-XD", ""),
]


def feedback(code, received, deadline, answered, status, published, updated):
    return {
        "MaPAKN": code,
        "KenhTiepNhan": "HE_THONG_PAKN_TINH",
        "LoaiPAKN": "TTHC",
        "MaTTHC": "P3",
        "MaDonViXuLy": "SO-XD",
        "NgayTiepNhan": received,
        "HanXuLy": deadline,
        "NgayTraLoi": answered,
        "TrangThai": status,
        "CongKhai": published,
        "DanhGia": None,
        "TieuDe": "Hỏi về thời hạn cấp giấy phép xây dựng",
        "NoiDung": "Tôi nộp hồ sơ đã lâu. Người gửi: Trần Thị Thử, điện thoại 0905000009.",
        "NguoiGui": "Trần Thị Thử",
        "DienThoaiNguoiGui": "0905000009",
        "NgayCapNhat": updated,
    }


FEEDBACK = [
    feedback("F1", "2025-03-03T09:00:00", "2025-03-17T17:00:00", "2025-03-14T10:00:00", "DA_TRA_LOI", True,
             "2025-03-14T10:00:00"),
    feedback("F2", "2025-03-10T09:00:00", "2025-03-24T17:00:00", "2025-03-26T10:00:00", "DA_TRA_LOI", False,
             "2025-03-26T10:00:00"),
    feedback("F3", "2025-04-02T09:00:00", "2025-04-16T17:00:00", None, "CHUYEN_DON_VI_KHAC", False,
             "2025-04-03T09:00:00"),
    feedback("F4", "2025-06-02T09:00:00", "2025-06-10T17:00:00", None, "DANG_XU_LY", False, "2025-06-02T09:00:00"),
]  # fmt: skip
# one workbook filed (agency, type, period, tasks given, tasks done) and its line in the office's register
REPORT = ("SO-XD", "CCHC", "2025-6T", 10, 9)
REGISTER = [("SO-XD", "CCHC", "2025-6T", "2025-06-16T10:00:00", "1/VBĐ")]

COLUMNS = [
    "carried_over",
    "received",
    "received_online",
    "received_direct",
    "received_postal",
    "transferred_in",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "in_progress_within_due",
    "in_progress_overdue",
    "returned",
    "withdrawn",
    "ended_after_due",
    "transferred_out",
]
# (agency, field, channel): the counts in COLUMNS order, on-time rate, late rate incl. overdue - by hand. The late
# rate is over the cases judged there: resolved with a due date, returned/withdrawn after it, open with a due date.
EXPECTED_T07 = {
    # G1 carried over and late; G3 on time; G4 open within due; G11 returned after its due date; G12 returned on
    # the due day. On time 1/2 (G3 of G1, G3); late (G1 + G11) / (G1, G3, G4, G11) = 2/4 (G12 counts nowhere)
    ("SO-TP", "HT", "direct"): ([1, 4, 0, 4, 0, 0, 0, 1, 1, 1, 0, 2, 0, 1, 0], "0.500000", "0.500000"),
    # G2 early
    ("SO-TP", "HT", "online"): ([0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0], "1.000000", "0.000000"),
    # G5 open past its due date (the apology's new appointment does not count): late 1/1
    ("SO-TP", "DD", "postal"): ([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], None, "1.000000"),
    # G13 open past its due date: late 1/1
    ("SO-TP", "DD", "direct"): ([0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], None, "1.000000"),
    # G6 received at the old ward, moved out on 1/7: judged where it ended (PH), so nothing is judged here
    ("OLD-22366", "HT", "direct"): ([0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], None, None),
    # G6 moved in and on time; G8 returned in time; G10 on time (after-hours rule); G14 open, due on 14/7 itself:
    # within due. On time 2/2; late 0 / (G6, G10, G14)
    ("PH-22366", "HT", "direct"): ([0, 3, 0, 3, 0, 1, 0, 2, 0, 1, 0, 1, 0, 0, 0], "1.000000", "0.000000"),
    # G7 open within the restarted due date; G9 withdrawn in time: late 0/1
    ("PH-22366", "HT", "online"): ([0, 2, 2, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0], None, "0.000000"),
}


def test_case_status_table_matches_the_hand_computed_counts(golden_warehouse):
    warehouse = golden_warehouse
    rows = warehouse.execute(
        f"select agency_id, field_id, channel, {', '.join(COLUMNS)}, on_time_rate, late_rate_incl_overdue"
        " from marts.kpi_case_timeliness where period_id = '2025-T07'"
    ).fetchall()
    width = len(COLUMNS)
    actual = {
        (r[0], r[1], r[2]): ([*r[3 : 3 + width]], *(None if v is None else str(v) for v in r[3 + width :]))
        for r in rows
    }
    assert actual == EXPECTED_T07


def test_late_cases_finished_in_the_next_month_stay_late_whatever_the_apology(golden_warehouse):
    warehouse = golden_warehouse
    rows = dict(
        warehouse.execute(
            "select field_id, sum(resolved_late)::int from marts.kpi_case_timeliness"
            " where period_id = '2025-T08' and agency_id = 'SO-TP' group by field_id"
        ).fetchall()
    )
    assert rows == {"HT": 1, "DD": 1}  # G4 (no apology) and G5 (apology on 3/7, still judged against 4/7)


APOLOGY_COLUMNS = (
    "late_resolved, overdue_in_progress, became_late, became_late_with_apology, became_late_with_timely_apology"
)


def test_every_case_that_became_late_needs_an_apology(golden_warehouse):
    warehouse = golden_warehouse
    by_period = {
        row[0]: row[1:]
        for row in warehouse.execute(
            f"select period_id, {APOLOGY_COLUMNS}, apology_compliance_rate, timely_apology_rate"
            " from marts.kpi_apology_compliance where agency_id = 'SO-TP' and period_id in ('2025-T07', '2025-T08')"
        )
    }
    # T07: resolved late G1 (no apology); open and overdue on 14/7 G5 (apology Thursday 3/7, due Friday 4/7: one
    # working day before, timely) and G13 (none). 1/3 with an apology, 1/3 timely.
    assert by_period["2025-T07"] == (1, 2, 3, 1, 1, Decimal("0.333333"), Decimal("0.333333"))
    # T08: resolved late G4 (none) and G5 (timely); G13 still open and overdue on 14/8. 1/3, 1/3.
    assert by_period["2025-T08"] == (2, 1, 3, 1, 1, Decimal("0.333333"), Decimal("0.333333"))


def test_land_lateness_is_the_late_rate_on_land_cases_with_the_resolved_share_beside(golden_warehouse):
    rows = {
        row[0]: row[1:]
        for row in golden_warehouse.execute(
            "select period_id, land_resolved, land_resolved_late, land_in_progress_overdue,"
            " land_late_incl_overdue_numerator, land_late_incl_overdue_denominator, land_late_rate_incl_overdue,"
            " land_late_rate from marts.kpi_land_lateness where agency_id = 'SO-TP'"
            " and period_id in ('2025-T07', '2025-T08')"
        )
    }
    # T07: nothing resolved (no resolved-only share); G5 and G13 open past due: 2/2
    assert rows["2025-T07"] == (0, 0, 2, 2, 2, Decimal("1.000000"), None)
    # T08: G5 resolved late (17/7 against 4/7); G13 still open past due: 2/2; resolved-only 1/1
    assert rows["2025-T08"] == (1, 1, 1, 2, 2, Decimal("1.000000"), Decimal("1.000000"))


def test_a_case_due_on_the_last_day_of_a_period_is_within_due_at_its_end_and_late_after(golden_warehouse):
    rows = dict(
        golden_warehouse.execute(
            "select period_id, case when is_open_at_end then is_within_due_at_end::text else ended_timeliness end"
            " from intermediate.int_case_period_states where case_id = 'G14'"
            " and period_id in ('2025-T07', '2025-T08') and (is_open_at_end or ended_outcome is not null)"
        ).fetchall()
    )
    assert rows == {"2025-T07": "true", "2025-T08": "late"}


def test_the_province_row_counts_each_case_once(golden_warehouse):
    warehouse = golden_warehouse
    totals = warehouse.execute(
        "select sum(received), sum(resolved), sum(in_progress), sum(returned + withdrawn)"
        " from marts.kpi_case_timeliness_province where period_id = '2025-T07'"
    ).fetchone()
    # received in T07: G2..G14 = 13 cases (G1 was received on 2/6, before T07); resolved G1, G2, G3, G6, G10;
    # open on 14/7: G4, G5, G7, G13, G14; returned or withdrawn: G8, G9, G11, G12
    assert totals == (13, 5, 5, 4)
    on_time = warehouse.execute(
        "select on_time_numerator, on_time_denominator, on_time_rate from marts.kpi_case_timeliness_province"
        " where period_id = '2025-T07' and field_id = 'HT' and channel = 'direct'"
    ).fetchone()
    assert on_time == (3, 4, Decimal("0.750000"))  # G3, G6, G10 of G1, G3, G6, G10


def _cases(conn, columns: str, where: str) -> dict[str, tuple]:
    """fct_cases' `columns` for the cases `where` selects, by case."""
    return {row[0]: row[1:] for row in conn.execute(f"select case_id, {columns} from marts.fct_cases where {where}")}


def test_only_a_lawful_first_supplement_request_moves_the_due_date(golden_warehouse):
    cases = _cases(
        golden_warehouse,
        "judging_due_date::text, timeliness, is_supplement_out_of_rule, is_waiting_for_citizen",
        "case_id in ('G15', 'G16', 'G17', 'G18')",
    )
    assert cases == {
        "G15": ("2025-07-31", "early", False, False),  # asked on the third working day: the clock restarted
        "G16": ("2025-08-04", "late", True, False),  # asked on the fourth: judged against the receipt's due date
        "G17": ("2025-07-29", "late", True, False),  # the second request moved nothing
        "G18": ("2025-08-08", None, False, True),  # waiting for the citizen
    }
    month = golden_warehouse.execute(
        "select sum(ended_with_supplement)::int, sum(ended_supplement_out_of_rule)::int,"
        " sum(in_progress_waiting)::int, sum(in_progress_within_due)::int, sum(in_progress_overdue)::int"
        " from marts.kpi_case_timeliness where period_id = '2025-T08' and agency_id = 'PH-22366'"
    ).fetchone()
    # ended with a request: G15, G16, G17 (of which G16, G17 out of rule); open on 14/8 at PH: G18 waiting for the
    # citizen, and G7, past its restarted due date 16/7 (its request on 8/7 was lawful): overdue
    assert month == (3, 2, 1, 0, 1)


def test_the_766_engine_judges_supplements_once_and_with_each_period_end_state(golden_warehouse):
    """2.1 at PH-22366 for the calendar months 7 and 8/2025, worked out from the rows above by the national rule
    (docs/scorecard-766.md): the supplement wait is subtracted instead of restarting the clock, more than one
    request is late, and a request the citizen has not answered ends the case at the request.

    July (ended at PH in it, or held by PH on 31/7): G6 ended 2/7, due 2/7: on time. G7 open, waited 8/7-11/7:
    31/7 less 3 days is past its receipt due date 10/7: late. G8 returned 9/7 and G9 withdrawn 10/7, before their
    due dates: on time. G10 finished 7/7, its derived due date: on time. G14 finished 15/7, due 14/7: late. G15
    finished 30/7 less the 4 days it waited = 26/7, after 24/7: late for 766 (early for the Biểu 06 table, whose
    clock restarted). G16 open on 31/7 less 3 days waited = 28/7, due 4/8: on time. G17 asked twice by 28/7: late.
    -> 5 of 9.
    August: G7 still open: late. G16 finished 6/8 less 3 days = 3/8, due 4/8: on time. G17 (two requests): late.
    G18 asked on 6/8 and never came back: judged at the request, 6/8 <= 8/8: on time. -> 2 of 4.
    """
    got = {
        row[0]: (row[1], row[2])
        for row in golden_warehouse.execute(
            "select period_id, numerator::int, denominator::int from marts.kpi_766_scorecard"
            " where agency_id = 'PH-22366' and indicator_id = '2.1' and period_id in ('cal-2025-07', 'cal-2025-08')"
        )
    }
    assert got == {"cal-2025-07": (5, 9), "cal-2025-08": (2, 4)}
    on_time = dict(
        golden_warehouse.execute(
            "select case_id, is_on_time_766_at_end from intermediate.int_case_period_states"
            " where period_id = 'cal-2025-07' and agency_id = 'PH-22366' and is_processed_766"
        ).fetchall()
    )
    assert on_time == {
        "G6": True, "G7": False, "G8": True, "G9": True, "G10": True,
        "G14": False, "G15": False, "G16": True, "G17": False,
    }  # fmt: skip


def test_due_dates_come_from_the_calendar_the_record_or_the_clock_as_the_rules_say(golden_warehouse):
    cases = _cases(
        golden_warehouse, "field_id, judging_due_date::text, due_date_source, timeliness, outcome", "case_id like 'X%'"
    )
    assert cases == {
        "X1": ("HT", "2025-04-29", "derived", "on_time", "resolved"),  # the make-up Saturday 26/4 is a working day
        "X2": ("HT", "2025-05-07", "derived", "on_time", "resolved"),  # 30/4, 1/5, 2/5 and the weekend are not
        "X3": ("HT", "2025-03-17", "record", "early", "resolved"),  # the record's date, not the legal days' 13/3
        "X4": (None, None, "derived", None, "resolved"),  # no procedure in the catalogue: resolved, not judged
        "X5": ("HT", "2025-05-08", "event", "early", "resolved"),
        "X6": ("DD", "2025-05-26", "event", "late", "resolved"),
        "X7": ("HT", "2025-09-09", "derived", "on_time", "resolved"),  # 15:30 local (08:30Z): counted from 4/9
    }


# (KPI, period): numerator, denominator, value, target, met - worked out from the rows above
EXPECTED_PERIODS = {
    # 2025-6T. Resolved and judged: X1, X2, X3, X5, X6 (X4 has no procedure); in time X1, X2, X3, X5
    ("case_on_time_rate", "2025-6T"): (4, 5, "0.800000", None, None),
    # judged: those five and G1, open past its due date 5/6 on 14/6; late: X6 and G1
    ("case_late_rate_incl_overdue", "2025-6T"): (2, 6, "0.333333", None, None),
    # received: G1, X1-X6; online: X5. Resolved: X1-X6; of them submitted online: X5
    ("online_submission_share", "2025-6T"): (1, 7, "0.142857", None, None),
    ("resolved_online_share", "2025-6T"): (1, 6, "0.166667", None, None),
    ("digitisation_rate", "2025-6T"): (6, 6, "1.000000", "1.00", True),  # the 2025 CCHC plan: 100 %
    ("land_late_rate_incl_overdue", "2025-6T"): (1, 1, "1.000000", None, None),  # X6
    # became late: X6 (resolved late) and G1 (open past due), neither with an apology; ND 61/2018: 100 %
    ("apology_compliance_rate", "2025-6T"): (0, 2, "0.000000", "1.00", False),
    # due in the half-year and not passed on: F1 (on time), F2 (late), F4 (unanswered); F3 was passed on
    ("feedback_on_time_rate", "2025-6T"): (1, 3, "0.333333", "1.00", False),
    ("feedback_published_share", "2025-6T"): (1, 2, "0.500000", None, None),  # answered F1, F2; published F1
    # owed: PCTN, TCD_KNTC, CCHC by SO-TP and SO-XD; on time: SO-XD's CCHC (register 16/6, due 17/6)
    ("report_compliance_rate", "2025-6T"): (1, 6, "0.166667", "1.00", False),
    ("cchc_task_completion_rate", "2025-6T"): (9, 10, "0.900000", None, None),
    # 2025-NAM (15/12/2024-14/12/2025): every case. Judged and resolved: G1-G6, G10, G14-G17, X1-X3, X5-X7 = 17;
    # in time G2, G3, G6, G10, G15, X1, X2, X3, X5, X7 = 10. The on-time target (95 %) applies from 1/9/2025
    ("case_on_time_rate", "2025-NAM"): (10, 17, "0.588235", "0.95", False),
    # the 17, G11 (returned after its due date), G7 and G13 (open past due on 14/12); late: G1, G4, G5, G14,
    # G16, G17, X6, G11, G7, G13
    ("case_late_rate_incl_overdue", "2025-NAM"): (10, 20, "0.500000", None, None),
    # received: 25 cases; online G2, G7, G9, G17, X5
    ("online_submission_share", "2025-NAM"): (5, 25, "0.200000", None, None),
    # land: G5, G16, X6 resolved late, G13 open past due
    ("land_late_rate_incl_overdue", "2025-NAM"): (4, 4, "1.000000", None, None),
    # became late: G1, G4, G5, G14, G16, G17, X6, G7, G13; apologised: G5 alone
    ("apology_compliance_rate", "2025-NAM"): (1, 9, "0.111111", "1.00", False),
    # owed: SO-TP and SO-XD three each, the new ward PH-22366 three (communes report from 1/7/2025); none filed
    ("report_compliance_rate", "2025-NAM"): (0, 9, "0.000000", "1.00", False),
}


def test_six_month_and_annual_province_figures_with_their_targets(golden_warehouse):
    rows = golden_warehouse.execute(
        "select kpi_id, period_id, numerator, denominator, value, target_value, is_target_met from marts.kpi_values"
        " where scope = 'province' and (kpi_id, period_id) in (select * from unnest(%s::text[], %s::text[]))",
        ([k for k, _ in EXPECTED_PERIODS], [p for _, p in EXPECTED_PERIODS]),
    ).fetchall()
    actual = {(k, p): (int(n), int(d), str(v), None if t is None else str(t), met) for k, p, n, d, v, t, met in rows}
    assert actual == EXPECTED_PERIODS


def test_a_filed_report_counts_by_the_register_and_every_owed_one_is_listed(golden_warehouse):
    rows = golden_warehouse.execute(
        "select agency_id, report_type, filing_status, submitted_date::text, filing_evidence"
        " from marts.kpi_report_compliance where period_id = '2025-6T'"
    ).fetchall()
    owed = {(a, t): ("missing", None, None) for a in ("SO-TP", "SO-XD") for t in ("PCTN", "TCD_KNTC", "CCHC")}
    owed[("SO-XD", "CCHC")] = ("on_time", "2025-06-16", "register")  # the workbook itself came in much later
    assert {(a, t): tuple(rest) for a, t, *rest in rows} == owed


def _csv(bundle, slug: str) -> list[list[str]]:
    path = next(p for p in bundle.files if p.name.endswith(f"_{slug}.csv"))
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _sheet(bundle, name: str) -> list[tuple]:
    workbook = openpyxl.load_workbook(next(p for p in bundle.files if p.suffix == ".xlsx"), read_only=True)
    return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]


def _row(rows, *key):
    """The one row whose first cells after the number are `key` (a label, or an agency's code and name)."""
    found = [r for r in rows if tuple(r[1 : 1 + len(key)]) == key]
    assert len(found) == 1, (key, found)
    return found[0]


@pytest.fixture(scope="module")
def golden_bundles(golden_warehouse, tmp_path_factory):
    from reporting.bundle import build_bundle

    extracts = tmp_path_factory.mktemp("golden-extracts")
    return {slug: build_bundle(golden_warehouse, "2025-6T", slug, extracts) for slug in ("so-noi-vu", "thanh-tra-tinh")}


def test_the_home_affairs_bundle_publishes_the_hand_counted_half_year(golden_bundles):
    bundle = golden_bundles["so-noi-vu"]
    summary_csv, summary_sheet = _csv(bundle, "tong_hop_tinh"), _sheet(bundle, "Tổng hợp tỉnh")
    on_time = "Tỷ lệ hồ sơ giải quyết đúng hạn (trước hạn + đúng hạn / đã giải quyết)"
    apology = "Tỷ lệ hồ sơ trễ hạn có thư xin lỗi"
    digitised = "Tỷ lệ số hóa hồ sơ, kết quả"
    reports = "Tỷ lệ báo cáo định kỳ gửi đúng hạn"
    # label: numerator, denominator, this period, target, met (no target for on-time in 6T: it applies from 1/9/2025)
    expected = {
        on_time: ("4", "5", "0.8", "", ""),
        apology: ("0", "2", "0", "100 %", "Không đạt"),
        digitised: ("6", "6", "1", "100 %", "Đạt"),
        reports: ("1", "6", "0.166667", "100 %", "Không đạt"),
    }
    for label, (numerator, denominator, value, target, met) in expected.items():
        row = _row(summary_csv, label)
        assert (row[3], row[4], row[5], row[8], row[9]) == (numerator, denominator, value, target, met), label
        cells = _row(summary_sheet, label)
        assert (cells[3], cells[4], cells[5]) == (int(numerator), int(denominator), float(value)), label
        assert (cells[8] or "", cells[9] or "") == (target, met), label
    # Biểu 06, Sở Xây dựng: received 6 (1 online, 5 at the desk); resolved 6 = 2 early (X3, X5) + 2 on time (X1,
    # X2) + 1 late (X6) + 1 not judged (X4); nothing open. The province adds G1 at SO-TP, open past its due date.
    cases = _csv(bundle, "giai_quyet_tthc")
    assert cases[1][3:20] == ["7", "0", "1", "6", "0", "0", "6", "2", "2", "1", "1", "1", "0", "1", "0", "0"] + ["0"]
    assert _row(cases, "SO-XD", "Sở Xây dựng")[3:15] == ["6", "0", "1", "5", "0", "0", "6", "2", "2", "1", "1", "0"]
    filings = _row(_csv(bundle, "che_do_bao_cao"), "SO-XD", "Sở Xây dựng")
    assert filings[3] == filings[7] == "Chưa gửi" and filings[11:15] == ["Đúng hạn", "2025-06-16", "", "Sổ văn bản đến"]


def test_the_inspectorate_bundle_publishes_the_hand_counted_feedback_and_filings(golden_bundles):
    bundle = golden_bundles["thanh-tra-tinh"]
    # received 4 (F3 passed on); due 3, on time 1 (F1); answered 2, published 1; satisfaction over 3, of which 2
    # answered late or overdue unanswered (F2, F4); 1/3 against the 100 % of Nghị định 20/2008
    feedback = ["4", "1", "3", "1", "2", "1", "3", "2", "0.333333", "", "100 %", "Không đạt"]
    assert _row(_csv(bundle, "pakn"), "SO-XD", "Sở Xây dựng")[3:] == feedback
    assert _row(_sheet(bundle, "PAKN"), "SO-XD", "Sở Xây dựng")[3:11] == (4, 1, 3, 1, 2, 1, 3, 2)
    filings = _csv(bundle, "che_do_bao_cao")
    assert filings[1][3] == filings[1][7] == "0/2 đúng hạn"  # neither department filed PCTN or TCD_KNTC
    # a table of reports nobody filed still heads its columns with the catalogue's units
    reception = _csv(bundle, "tiep_cong_dan")
    assert reception[0][4:] == ["Lượt tiếp công dân (lượt)", "Người được tiếp (người)", "Đoàn đông người (đoàn)"]
    assert _row(reception, "SO-XD", "Sở Xây dựng")[3] == "Chưa gửi báo cáo"
