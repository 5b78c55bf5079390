"""The same simulated cases in the national portal's sync shape (the `dvcqg` dialect, docs/sources.md §4).

A case record becomes a `DongBoHoSoMC` record (the portal's field names and status codes, timestamps as
`yyyyMMddHHmmss` and now and then `dd/MM/yyyy HH:mm:ss`, fees, results and supplements as lists), its events
become `CapNhatTienDoHoSoMC` progress updates. What the portal shape has no field for (the apology letter, the
sync flag, the digitised flag, the online level) is sent under its contract name, as a vendor would add it.
Everything is derived from the standard records, with a random generator of its own, so `generate` makes the
same province in either dialect.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from .cases import Case

STATUS_CODES = {"DANG_XU_LY": 4, "CHO_BO_SUNG": 5, "DA_XU_LY": 9, "DA_TRA_KET_QUA": 10, "TRA_LAI": 8, "RUT_HO_SO": 7}
PROGRESS_CODES = {"TIEP_NHAN": 2, "CHUYEN_XU_LY": 4, "YEU_CAU_BO_SUNG": 5, "HOAN_THANH": 9, "TRA_KET_QUA": 10}
PROGRESS_CODES |= {"TRA_LAI": 8, "RUT_HO_SO": 7}
OFFICERS = ("Nguyễn Thị Hồng", "Trần Văn Bình", "Lê Thị Mai", "Phạm Minh Tuấn", "Võ Thị Thu")
STEPS = {"TIEP_NHAN": "Bộ phận Một cửa", "XIN_LOI": "Bộ phận Một cửa", "TRA_KET_QUA": "Bộ phận Một cửa"}


def electronic_id(index: int) -> str:
    """An invented electronic identifier shaped like QCVN 102:2016/BTTTT's (the real ones come with dm_donvi)."""
    return f"000.{index // 100:02d}.{index % 100:02d}.H99"


class Portal:
    def __init__(self, seed: int, identifiers: dict[str, str], names: dict[str, str]):
        self.rng = random.Random(seed ^ 0xD7C)
        self.identifiers, self.names = identifiers, names

    def moment(self, value: dt.datetime | None) -> str | None:
        if value is None:
            return None
        if self.rng.random() < 0.1:
            return f"{value:%d/%m/%Y %H:%M:%S}"
        return f"{value:%Y%m%d%H%M%S}"

    def case(self, record: dict, case: Case) -> dict:
        """The DongBoHoSoMC record of a standard case record (`record`, with datetimes)."""
        m, code = self.moment, record["MaHoSo"]
        fees = [{"TenPhiLePhi": "Lệ phí giải quyết", "MaPhiLePhi": "LP01", "HinhThucThu": 1, "Gia": 50000}]
        if not record["CoPhi"]:
            fees = [] if self.rng.random() < 0.5 else [{"TenPhiLePhi": "Không thu", "MaPhiLePhi": "LP00", "Gia": 0}]
        paid = (1 if self.rng.random() < 0.8 else 2) if record["ThanhToanTrucTuyen"] else 0
        results = [{"TenGiayTo": "Kết quả", "DuongDanTepTinKetQua": f"https://motcua.example/kq/{code}.pdf"}]
        status = STATUS_CODES[record["TrangThai"]]
        if status == 4 and all(e.kind == "TIEP_NHAN" for e in case.events if e.at <= record["NgayCapNhat"]):
            status = 2
        name, _, phone, address = case.applicant
        return {
            "MaHoSo": code,
            "MaTTHC": record["MaTTHC"],
            "TenTTHC": case.procedure.name,
            "MaLinhVuc": case.procedure.field_code,
            "TenLinhVuc": case.procedure.field_name,
            "MaDinhDanhDV": self.identifiers[record["MaDonVi"]],
            "DonViXuLy": self.names[record["MaDonVi"]],
            "KenhThucHien": record["KenhNop"],
            "MucDoDVC": record["MucDoDVC"],
            "NgayTiepNhan": m(record["NgayTiepNhan"]),
            "NgayHenTra": m(record["NgayHenTra"]),
            "NgayKetThucXuLy": m(record["NgayKetThuc"]),
            "NgayTra": m(record["NgayTraKetQua"]),
            "TrangThaiHoSo": status,
            "DuocThanhToanTrucTuyen": paid,
            "DanhSachLePhi": fees,
            "DanhSachGiayToKetQua": results if record["KetQuaDienTu"] else [],
            "DanhSachHoSoBoSung": self._supplements(case, record["NgayCapNhat"]),
            "HoSoCoThanhPhanSoHoa": 1 if record["DaSoHoa"] else 0,
            "DaSoHoa": record["DaSoHoa"],
            "DongBoDVCQG": record["DongBoDVCQG"],
            "CoThuXinLoi": record["CoThuXinLoi"],
            "ChuHoSo": name,
            "LoaiDoiTuong": 1,
            "MaDoiTuong": record["SoGiayTo"],
            "SoDienThoai": phone,
            "Email": f"nguoidan{self.rng.randint(0, 9999):04d}@example.vn",
            "DiaChi": address,
            "TrichYeuHoSo": f"{case.procedure.name} của {name}",
            "NgayCapNhat": m(record["NgayCapNhat"]),
        }

    def _supplements(self, case: Case, until: dt.datetime) -> list[dict]:
        out, due = [], None
        for event in (e for e in case.events if e.at <= until):
            if event.kind == "TIEP_NHAN":
                due = event.new_due
            elif event.kind == "YEU_CAU_BO_SUNG":
                out.append({"NgayBoSung": self.moment(event.at), "NgayHenTraTruoc": self.moment(due)})
            elif event.kind == "NHAN_BO_SUNG" and out:
                out[-1] |= {"NgayTiepNhanBoSung": self.moment(event.at), "NgayHenTraMoi": self.moment(event.new_due)}
                due = event.new_due
        return out

    def progress(self, event: dict) -> dict | None:
        """The CapNhatTienDoHoSoMC update of a standard event record; the supplement's return is on the case."""
        kind = event["LoaiSuKien"]
        if kind == "NHAN_BO_SUNG":
            return None
        update = {
            "MaHoSo": event["MaHoSo"],
            "MaDinhDanhDV": self.identifiers[event["MaDonVi"]],
            "ThoiDiemXuLy": self.moment(event["ThoiDiem"]),
            "NguoiXuLy": self.rng.choice(OFFICERS),
            "ChucDanh": "Chuyên viên",
            "PhongBanXuLy": STEPS.get(kind, "Phòng chuyên môn"),
            "NoiDungXuLy": event["GhiChu"],
            "NgayKetThucTheoQuyDinh": self.moment(event["NgayHenTraMoi"]),
        }
        if kind in PROGRESS_CODES:
            update["TrangThai"] = PROGRESS_CODES[kind]
        else:  # the portal has no code for an apology: the vendor names the contract's event
            update["LoaiSuKien"] = kind
        return update


class Envelope:
    """One DongBoHoSoMC envelope per file, written record by record (pretty-printed, one record per line)."""

    def __init__(self, path, service: str):
        self.handle = open(path, "w", encoding="utf-8")
        self.handle.write(f'{{\n"service": "{service}",\n"isUpdating": true,\n"data": [\n')
        self.first = True

    def write(self, record: dict) -> None:
        self.handle.write(("" if self.first else ",\n") + json.dumps(record, ensure_ascii=False))
        self.first = False

    def close(self) -> None:
        self.handle.write("\n]\n}\n")
        self.handle.close()
