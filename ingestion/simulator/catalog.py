"""The simulated province: agencies before and after 1 July 2025, and the procedure catalogue.

Communes and their merger come from the warehouse seed `ref_commune_reorganisation_2025.csv` (NQ 1667,
docs/domain.md), so the fake source and the warehouse agree on the real map. Department merges follow the
2025 restructuring . Procedure codes are formatted like national ones but are invented.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import re
from dataclasses import dataclass

from warehouse.config import DBT_PROJECT_DIR

REORG_SEED = DBT_PROJECT_DIR / "seeds" / "ref_commune_reorganisation_2025.csv"
EPOCH = dt.date(2019, 1, 1)
DEPT_MERGE = dt.date(2025, 3, 1)  # departments merged under ND 45/2025
REORG = dt.date(2025, 7, 1)  # two-level local government

DISTRICTS = {
    "568": "Thành phố Nha Trang",
    "569": "Thành phố Cam Ranh",
    "570": "Huyện Cam Lâm",
    "571": "Huyện Vạn Ninh",
    "572": "Thị xã Ninh Hòa",
    "573": "Huyện Khánh Vĩnh",
    "574": "Huyện Diên Khánh",
    "575": "Huyện Khánh Sơn",
    "576": "Huyện Trường Sa",
    "582": "Thành phố Phan Rang - Tháp Chàm",
    "584": "Huyện Bác Ái",
    "585": "Huyện Ninh Sơn",
    "586": "Huyện Ninh Hải",
    "587": "Huyện Ninh Phước",
    "588": "Huyện Thuận Bắc",
    "589": "Huyện Thuận Nam",
}

# code, name, valid_from, valid_to, successor
DEPARTMENTS = [
    ("SO-NV", "Sở Nội vụ", None, None, None),
    ("SO-TP", "Sở Tư pháp", None, None, None),
    ("SO-TC", "Sở Tài chính", None, None, None),
    ("SO-CT", "Sở Công Thương", None, None, None),
    ("SO-XD", "Sở Xây dựng", None, None, None),
    ("SO-KHCN", "Sở Khoa học và Công nghệ", None, None, None),
    ("SO-VHTT", "Sở Văn hóa và Thể thao", None, None, None),
    ("SO-DL", "Sở Du lịch", None, None, None),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo", None, None, None),
    ("SO-YT", "Sở Y tế", None, None, None),
    ("SO-KHDT", "Sở Kế hoạch và Đầu tư", None, DEPT_MERGE, "SO-TC"),
    ("SO-TNMT", "Sở Tài nguyên và Môi trường", None, DEPT_MERGE, "SO-NNMT"),
    ("SO-NNPTNT", "Sở Nông nghiệp và Phát triển nông thôn", None, DEPT_MERGE, "SO-NNMT"),
    ("SO-TTTT", "Sở Thông tin và Truyền thông", None, DEPT_MERGE, "SO-KHCN"),
    ("SO-GTVT", "Sở Giao thông vận tải", None, DEPT_MERGE, "SO-XD"),
    ("SO-LDTBXH", "Sở Lao động - Thương binh và Xã hội", None, DEPT_MERGE, "SO-NV"),
    ("SO-NNMT", "Sở Nông nghiệp và Môi trường", DEPT_MERGE, None, None),
]


@dataclass(frozen=True)
class Agency:
    code: str
    name: str
    kind: str  # LoaiDonVi
    parent: str | None
    valid_from: dt.date
    valid_to: dt.date | None  # first day it no longer exists (exclusive)
    successor: str | None
    district: str | None = None  # old district code, for routing and land branches

    def active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    field_code: str
    field_name: str
    legal_days: int
    level: str  # CapThucHien: TINH, HUYEN (commune from 1/7/2025), XA, or CHI_NHANH (land branches)
    fully_online: bool
    has_fee: bool
    weight: float  # share of the province's volume
    owner: str | None = None  # department code for TINH procedures (before the 2025 department merge)


def _new_commune_code(code: str, name: str) -> str:
    prefix = "PH" if name.startswith("Phường") else "DK" if name.startswith("Đặc khu") else "XA"
    return f"{prefix}-{code}"


def _kind(name: str) -> str:
    return "PHUONG" if name.startswith("Phường") else "DAC_KHU" if name.startswith("Đặc khu") else "XA"


def load_agencies() -> list[Agency]:
    with open(REORG_SEED, encoding="utf-8") as handle:
        reorg = list(csv.DictReader(handle))
    agencies: list[Agency] = [
        Agency(code, name, "SO", None, valid_from or EPOCH, valid_to, successor)
        for code, name, valid_from, valid_to, successor in DEPARTMENTS
    ]
    agencies.append(Agency("VPDKDD", "Văn phòng Đăng ký đất đai tỉnh", "KHAC", "SO-TNMT", EPOCH, None, None))
    for district, name in DISTRICTS.items():
        short = re.sub(r"^(Thành phố|Thị xã|Huyện) ", "", name)
        agencies.append(
            Agency(
                f"HUYEN-{district}", f"UBND {name[0].lower()}{name[1:]}", "HUYEN", None, EPOCH, REORG, None, district
            )
        )
        if district != "576":  # Trường Sa has no land-registration branch
            agencies.append(
                Agency(
                    f"CNDK-{district}",
                    f"Chi nhánh Văn phòng Đăng ký đất đai {short}",
                    "CHI_NHANH_VPDKDD",
                    "VPDKDD",
                    EPOCH,
                    None,
                    None,
                    district,
                )
            )
    seen_old: dict[str, list[dict]] = {}
    new: dict[str, dict] = {}
    for row in reorg:
        seen_old.setdefault(row["old_code"], []).append(row)
        new.setdefault(row["new_code"], row)
    for old_code, rows in seen_old.items():
        row = rows[0]
        successor = _new_commune_code(row["new_code"], row["new_name"]) if len(rows) == 1 else None
        agencies.append(
            Agency(
                f"OLD-{old_code}",
                f"UBND {row['old_name'][0].lower()}{row['old_name'][1:]}",
                "PHUONG" if row["old_name"].startswith("Phường") else "XA",
                f"HUYEN-{row['old_district_code']}",
                EPOCH,
                REORG,
                successor,
                row["old_district_code"],
            )
        )
    for code, row in new.items():
        # a new commune's land branch is the one of the district that gave it its first-listed old unit
        first_old = seen_old[next(r["old_code"] for r in reorg if r["new_code"] == code)][0]
        agencies.append(
            Agency(
                _new_commune_code(code, row["new_name"]),
                f"UBND {row['new_name'][0].lower()}{row['new_name'][1:]}",
                _kind(row["new_name"]),
                None,
                REORG,
                None,
                None,
                first_old["old_district_code"],
            )
        )
    return agencies


@functools.cache
def _reorg_rows() -> tuple[dict, ...]:
    with open(REORG_SEED, encoding="utf-8") as handle:
        return tuple(csv.DictReader(handle))


def successor_commune(old: Agency, agencies_by_code: dict[str, Agency]) -> Agency:
    """Where a case in progress at an old commune or district went on 1/7/2025."""
    if old.successor:
        return agencies_by_code[old.successor]
    rows = _reorg_rows()
    code = old.code.split("-", 1)[1]
    match = [r for r in rows if r["old_code"] == code] or [r for r in rows if r["old_district_code"] == code]
    row = min(match, key=lambda r: int(r["nq1667_clause"]))
    return agencies_by_code[_new_commune_code(row["new_code"], row["new_name"])]


PROCEDURES = [
    Procedure(
        "1.004227",
        "Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất lần đầu",
        "DD",
        "Đất đai",
        20,
        "HUYEN",
        False,
        True,
        4.0,
    ),
    Procedure(
        "1.004203",
        "Đăng ký biến động quyền sử dụng đất do chuyển nhượng, tặng cho",
        "DD",
        "Đất đai",
        10,
        "CHI_NHANH",
        False,
        True,
        7.0,
    ),
    Procedure(
        "1.004199", "Cấp đổi Giấy chứng nhận quyền sử dụng đất", "DD", "Đất đai", 7, "CHI_NHANH", False, True, 3.0
    ),
    Procedure(
        "1.004177", "Xóa đăng ký thế chấp bằng quyền sử dụng đất", "DD", "Đất đai", 3, "CHI_NHANH", True, False, 2.0
    ),
    Procedure(
        "1.004191",
        "Chuyển mục đích sử dụng đất đối với hộ gia đình, cá nhân",
        "DD",
        "Đất đai",
        15,
        "HUYEN",
        False,
        True,
        1.5,
    ),
    Procedure("1.001193", "Đăng ký khai sinh", "HT", "Hộ tịch", 1, "XA", True, False, 9.0),
    Procedure("1.000894", "Đăng ký kết hôn", "HT", "Hộ tịch", 3, "XA", False, False, 2.5),
    Procedure("1.000656", "Đăng ký khai tử", "HT", "Hộ tịch", 1, "XA", True, False, 3.0),
    Procedure("2.000635", "Cấp bản sao trích lục hộ tịch", "HT", "Hộ tịch", 1, "XA", True, True, 5.0),
    Procedure(
        "2.000815", "Chứng thực bản sao từ bản chính giấy tờ, văn bản", "CT", "Chứng thực", 1, "XA", False, True, 14.0
    ),
    Procedure(
        "2.000720",
        "Đăng ký thành lập hộ kinh doanh",
        "DKKD",
        "Thành lập và hoạt động của hộ kinh doanh",
        3,
        "HUYEN",
        True,
        True,
        3.0,
    ),
    Procedure(
        "2.001610", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "XD", "Hoạt động xây dựng", 15, "HUYEN", False, True, 2.5
    ),
    Procedure(
        "1.002193",
        "Trợ cấp xã hội hằng tháng đối với đối tượng bảo trợ xã hội",
        "BTXH",
        "Bảo trợ xã hội",
        20,
        "HUYEN",
        False,
        False,
        1.5,
    ),
    Procedure(
        "2.001240",
        "Cấp Giấy phép bán lẻ sản phẩm rượu",
        "LH",
        "Lưu thông hàng hóa trong nước",
        10,
        "HUYEN",
        True,
        True,
        0.5,
    ),
    Procedure(
        "2.001615",
        "Đăng ký thành lập doanh nghiệp tư nhân",
        "TLDN",
        "Thành lập và phát triển doanh nghiệp",
        3,
        "TINH",
        True,
        True,
        2.5,
        "SO-KHDT",
    ),
    Procedure(
        "2.000488",
        "Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam",
        "LLTP",
        "Lý lịch tư pháp",
        10,
        "TINH",
        True,
        True,
        5.0,
        "SO-TP",
    ),
    Procedure(
        "1.002804",
        "Đổi giấy phép lái xe do ngành Giao thông vận tải cấp",
        "DB",
        "Đường bộ",
        5,
        "TINH",
        True,
        True,
        6.0,
        "SO-GTVT",
    ),
    Procedure(
        "1.009994",
        "Cấp giấy phép xây dựng công trình cấp đặc biệt, cấp I, cấp II",
        "XD",
        "Hoạt động xây dựng",
        20,
        "TINH",
        False,
        True,
        0.4,
        "SO-XD",
    ),
    Procedure(
        "1.012270",
        "Cấp giấy phép hành nghề khám bệnh, chữa bệnh",
        "KCB",
        "Khám bệnh, chữa bệnh",
        20,
        "TINH",
        False,
        True,
        0.8,
        "SO-YT",
    ),
    Procedure(
        "1.005088",
        "Chuyển trường đối với học sinh trung học phổ thông",
        "GDTH",
        "Giáo dục trung học",
        3,
        "TINH",
        True,
        False,
        0.6,
        "SO-GDDT",
    ),
    Procedure(
        "1.000459",
        "Cấp giấy phép lao động cho người lao động nước ngoài",
        "VL",
        "Việc làm",
        5,
        "TINH",
        True,
        True,
        0.5,
        "SO-LDTBXH",
    ),
    Procedure(
        "1.003619",
        "Cấp Giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông lâm thủy sản",
        "QLCL",
        "Quản lý chất lượng nông lâm sản và thủy sản",
        15,
        "TINH",
        False,
        True,
        0.6,
        "SO-NNPTNT",
    ),
    Procedure("1.010730", "Cấp giấy phép môi trường", "MT", "Môi trường", 30, "TINH", False, True, 0.3, "SO-TNMT"),
    Procedure(
        "1.003877",
        "Cấp giấy phép xuất bản bản tin",
        "XB",
        "Xuất bản, in và phát hành",
        10,
        "TINH",
        True,
        True,
        0.2,
        "SO-TTTT",
    ),
    Procedure(
        "1.001069", "Cấp giấy phép kinh doanh karaoke", "VH", "Văn hóa cơ sở", 5, "TINH", False, True, 0.3, "SO-VHTT"
    ),
    Procedure(
        "1.001455", "Công nhận hạng cơ sở lưu trú du lịch", "DLH", "Du lịch", 30, "TINH", False, True, 0.2, "SO-DL"
    ),
    Procedure(
        "1.004616",
        "Cấp giấy phép kinh doanh xăng dầu",
        "XD2",
        "Kinh doanh khí và xăng dầu",
        15,
        "TINH",
        False,
        True,
        0.2,
        "SO-CT",
    ),
]


def owner_after_merge(owner: str, agencies_by_code: dict[str, Agency], day: dt.date) -> str:
    agency = agencies_by_code[owner]
    while not agency.active_on(day) and agency.successor:
        agency = agencies_by_code[agency.successor]
    return agency.code
