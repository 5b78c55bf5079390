"""The source contracts (docs/sources.md) as data: the sources, their entities, fields, types, allowed values.

This is the one registry of sources. Raw tables are derived from it (one column per contract field,
lower-cased, plus load metadata), the loader enforces it, the nightly DAG makes one ingest task per source,
the data-quality checks that every contract implies (keys present, codes valid, agency known) are generated
from it, and a test keeps the dbt sources equal to it. Adding a source: docs/cookbooks/add-a-source.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    name: str  # the source's own field name, e.g. "MaHoSo"
    kind: str  # text | int | bool | timestamp | date | number
    required: bool = False
    choices: tuple[str, ...] | None = None
    pii: bool = False

    @property
    def column(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Entity:
    name: str  # raw table name
    source: str  # motcua | pakn | baocao
    file_prefix: str  # which files in `<landing>/<source>/` carry it
    fields: tuple[Field, ...]
    key: tuple[str, ...] = ()
    version_field: str | None = None  # NgayCapNhat: orders versions of the same key
    api_resource: str | None = None  # the HTTP API resource serving it, if any
    agency_field: str | None = None  # the agency a record belongs to: where its data-quality gaps are
    period_field: str | None = None  # when it happened (a timestamp) or its period code: which period a gap is in
    example_field: str | None = None  # what names a record in a gap's examples (default: the first key field)
    # fields of which at least one must be present (the dvcqg dialect sends the portal's status code instead)
    required_one_of: tuple[tuple[str, ...], ...] = ()
    # the checks count an agency's records by period (the volume check): indexed on (agency, period) too
    indexed_by_agency_period: bool = False
    # the fields a check reads from every key's latest version (the marts' reconciliation with raw): the key index
    # is then in version order and carries them, so the latest versions are read from it alone, without a sort
    latest_version_fields: tuple[str, ...] = ()

    @property
    def table(self) -> str:
        return f"raw.{self.name}"

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields]

    @property
    def required(self) -> list[Field]:
        return [f for f in self.fields if f.required]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    def missing_sql(self, alias: str = "b") -> str:
        """SQL true for a row that lacks a required field (or every field of a one-of group)."""
        single = [f"{alias}.{f.column} is null" for f in self.required]
        groups = [
            "(" + " and ".join(f"{alias}.{name.lower()} is null" for name in group) + ")"
            for group in self.required_one_of
        ]
        return " or ".join(single + groups)


@dataclass(frozen=True)
class Source:
    name: str  # motcua | pakn | baocao: the landing sub-folder, the raw tables' prefix, the ingest task
    description: str
    depends_on: tuple[str, ...] = ()  # sources whose data its checks need first (the agency catalogue)

    @property
    def entities(self) -> list[Entity]:
        return entities_of(self.name)


def F(
    name: str, kind: str = "text", required: bool = False, choices: tuple[str, ...] | None = None, pii: bool = False
) -> Field:
    return Field(name, kind, required, choices, pii)


CASE_STATUSES = ("DANG_XU_LY", "CHO_BO_SUNG", "TAM_DUNG", "DA_XU_LY", "DA_TRA_KET_QUA", "TRA_LAI", "RUT_HO_SO")
EVENT_KINDS = (
    "TIEP_NHAN",
    "CHUYEN_XU_LY",
    "YEU_CAU_BO_SUNG",
    "NHAN_BO_SUNG",
    "TAM_DUNG",
    "TIEP_TUC",
    "HOAN_THANH",
    "TRA_KET_QUA",
    "TRA_LAI",
    "RUT_HO_SO",
    "XIN_LOI",
)
DVCQG_CASE_STATUSES = tuple(str(code) for code in range(1, 11))  # TrangThaiHoSo: the portal's 1..10
AGENCY_KINDS = ("SO", "BAN", "XA", "PHUONG", "DAC_KHU", "HUYEN", "CHI_NHANH_VPDKDD", "KHAC")
REPORT_TYPES = ("PCTN", "TCD_KNTC", "CCHC")

MOTCUA_CASES = Entity(
    "motcua_cases",
    "motcua",
    "hoso",
    (
        F("MaHoSo", required=True),
        F("MaTTHC", required=True),
        F("MaDonVi", required=True),
        F("KenhNop", "int", True, ("1", "2", "3")),
        F("MucDoDVC", choices=("TOAN_TRINH", "MOT_PHAN")),
        F("NgayTiepNhan", "timestamp", True),
        F("NgayHenTra", "timestamp"),
        F("NgayKetThuc", "timestamp"),
        F("NgayTraKetQua", "timestamp"),
        F("TrangThai", choices=CASE_STATUSES),
        F("CoPhi", "bool"),
        F("ThanhToanTrucTuyen", "bool"),
        F("DaSoHoa", "bool"),
        F("KetQuaDienTu", "bool"),
        F("DongBoDVCQG", "bool"),
        F("CoThuXinLoi", "bool"),
        F("ChuHoSo", pii=True),
        F("SoGiayTo", pii=True),
        F("SoDienThoai", pii=True),
        F("DiaChi", pii=True),
        F("NgayCapNhat", "timestamp", True),
        # the national portal's sync shape (the dvcqg dialect, ingestion/dvcqg.py) adds these
        F("TrangThaiHoSo", "int", choices=DVCQG_CASE_STATUSES),  # mapped by the seed ref_dvcqg_case_status
        F("DuocThanhToanTrucTuyen", "int", choices=("0", "1", "2")),  # 0 no, 1 national portal, 2 provincial gateway
        F("HoSoCoThanhPhanSoHoa", "bool"),  # the dossier has digitised components (766 indicator 4.x)
        F("DuocLayTuKhoDMQG", "bool"),  # data reused from the national data store
        F("TaiKhoanDuocXacThucVoiVNeID", "bool"),  # the applicant's account is verified with VNeID
        F("MaDinhDanhDV"),  # the agency's electronic identifier (QCVN 102:2016/BTTTT), as sent
        F("DonViXuLy"),  # the agency's name, as sent
        F("Email", pii=True),
        F("TrichYeuHoSo", pii=True),  # the dossier's summary: the citizen's free text
    ),
    key=("MaHoSo",),
    version_field="NgayCapNhat",
    api_resource="motcua/hoso",
    agency_field="MaDonVi",
    period_field="NgayTiepNhan",
    required_one_of=(("TrangThai", "TrangThaiHoSo"),),
    indexed_by_agency_period=True,
    latest_version_fields=("NgayTiepNhan", "TrangThai", "TrangThaiHoSo"),
)

MOTCUA_EVENTS = Entity(
    "motcua_events",
    "motcua",
    "sukien",
    (
        F("MaHoSo", required=True),
        F("ThoiDiem", "timestamp", True),
        F("LoaiSuKien", required=True, choices=EVENT_KINDS),
        F("MaDonVi", required=True),
        F("NgayHenTraMoi", "timestamp"),
        F("GhiChu", pii=True),
        # from the portal's progress updates (CapNhatTienDoHoSoMC)
        F("PhongBanXuLy"),  # the department that handled the step
        F("NguoiXuLy", pii=True),  # the officer's name
    ),
    key=("MaHoSo", "ThoiDiem", "LoaiSuKien"),
    version_field="ThoiDiem",
    api_resource="motcua/sukien",
    agency_field="MaDonVi",
    period_field="ThoiDiem",
)

MOTCUA_PROCEDURES = Entity(
    "motcua_procedures",
    "motcua",
    "dm_tthc",
    (
        F("MaTTHC", required=True),
        F("TenTTHC", required=True),
        F("MaLinhVuc", required=True),
        F("TenLinhVuc", required=True),
        F("SoNgayGiaiQuyet", "int", True),
        F("CapThucHien"),
        F("CoTrucTuyenToanTrinh", "bool"),
    ),
    key=("MaTTHC",),
    api_resource="motcua/dm_tthc",
)

MOTCUA_AGENCIES = Entity(
    "motcua_agencies",
    "motcua",
    "dm_donvi",
    (
        F("MaDonVi", required=True),
        F("TenDonVi", required=True),
        F("LoaiDonVi", required=True, choices=AGENCY_KINDS),
        F("MaDonViCha"),
        F("HieuLucTu", "date", True),
        F("HieuLucDen", "date"),
        F("MaDonViKeThua"),
        F("MaDinhDanh"),  # the electronic identifier (QCVN 102:2016/BTTTT), e.g. 000.00.01.H22: resolves like MaDonVi
    ),
    key=("MaDonVi",),
    api_resource="motcua/dm_donvi",
)

PAKN_FEEDBACK = Entity(
    "pakn_feedback",
    "pakn",
    "pakn",
    (
        F("MaPAKN", required=True),
        F(
            "KenhTiepNhan",
            required=True,
            choices=("CONG_DVCQG", "HE_THONG_PAKN_TINH", "DUONG_DAY_NONG", "TRUC_TIEP", "VAN_BAN"),
        ),
        F("LoaiPAKN", required=True, choices=("TTHC", "KTXH")),
        F("MaTTHC"),
        F("MaDonViXuLy", required=True),
        F("NgayTiepNhan", "timestamp", True),
        F("HanXuLy", "timestamp", True),
        F("NgayTraLoi", "timestamp"),
        F(
            "TrangThai",
            required=True,
            choices=("MOI", "DANG_XU_LY", "DA_TRA_LOI", "CHUYEN_DON_VI_KHAC", "KHONG_THUOC_THAM_QUYEN"),
        ),
        F("CongKhai", "bool"),
        F("DanhGia", choices=("HAI_LONG", "KHONG_HAI_LONG")),
        F("TieuDe", pii=True),
        F("NoiDung", pii=True),
        F("NguoiGui", pii=True),
        F("DienThoaiNguoiGui", pii=True),
        F("NgayCapNhat", "timestamp", True),
    ),
    key=("MaPAKN",),
    version_field="NgayCapNhat",
    api_resource="pakn",
    agency_field="MaDonViXuLy",
    period_field="NgayTiepNhan",
)

BAOCAO_INDICATORS = Entity(
    "baocao_indicators",
    "baocao",
    "dm_chitieu",
    (
        F("MaChiTieu", required=True),
        F("LoaiBaoCao", required=True, choices=REPORT_TYPES),
        F("TenChiTieu", required=True),
        F("DonViTinh"),
        F("KieuGiaTri", required=True),
    ),
    key=("MaChiTieu",),
    api_resource="baocao/dm_chitieu",
)

# One row per indicator cell of a report workbook; the header cells (B2..B5) repeat on every row.
BAOCAO_VALUES = Entity(
    "baocao_values",
    "baocao",
    "",
    (
        F("MaDonVi", required=True),
        F("LoaiBaoCao", required=True, choices=REPORT_TYPES),
        F("KyBaoCao", required=True),
        F("NgayLap", "date", True),
        F("MaChiTieu", required=True),
        F("TenChiTieu"),
        F("DonViTinh"),
        F("GiaTri", "number", True),
        F("GhiChu"),
        # When the reporting system received the workbook, as its API says; a dropped file has none (its
        # modification time proves nothing): its filing time is the ledger's delivery of the batch.
        F("NgayNop", "timestamp"),
    ),
    key=("MaDonVi", "LoaiBaoCao", "KyBaoCao", "MaChiTieu"),
    api_resource="baocao",
    agency_field="MaDonVi",
    period_field="KyBaoCao",
    example_field="MaChiTieu",
)

# The office's incoming-document register (sổ đăng ký văn bản đến) for report workbooks: when a report
# reached the office before it was dropped here (by e-mail, post, the document system). The filing time of a
# report is the earliest of its register entry and the warehouse's first receipt of the workbook.
BAOCAO_REGISTER = Entity(
    "baocao_register",
    "baocao",
    "so_den",
    (
        F("MaDonVi", required=True),
        F("LoaiBaoCao", required=True, choices=REPORT_TYPES),
        F("KyBaoCao", required=True),
        F("NgayDen", "timestamp", True),
        F("SoDen"),  # the register's number for the document
    ),
    key=("MaDonVi", "LoaiBaoCao", "KyBaoCao", "NgayDen"),
    agency_field="MaDonVi",
    period_field="KyBaoCao",
)

# The national portal's published 766 scores (docs/sources.md, "dvcqg_766"): one row per unit, period and metric of
# one saved answer of its evaluation API. Field names are the portal's own (camelCase); the period is the request's.
DVCQG_766_SCORES = Entity(
    "dvcqg_766_scores",
    "dvcqg_766",
    "",
    (
        F("endpoint", required=True, choices=("transparency", "dossier-digitized", "handling-satisfaction")),
        F("timeType", required=True, choices=("month", "quarter", "year")),
        F("year", "int", True),
        F("quarter", "int", choices=("1", "2", "3", "4")),
        F("month", "int", choices=tuple(str(m) for m in range(1, 13))),
        F("departmentId", required=True),
        F("departmentCode"),  # the unit's electronic identifier, e.g. H44.01
        F("departmentName"),
        F("departmentType"),  # PROVINCE, PROVINCIAL_DEPARTMENT, COMMUNE_PEOPLE_COMMITTEE, ...
        F("code", required=True),  # the metric, e.g. ORIGINAL_RESULT_AVAILABLE (ref_766_portal_metrics)
        F("name"),
        F("numerator", "number"),
        F("denominator", "number"),
        F("ratio", "number"),  # a percentage, 0..100
        F("score", "number"),
        F("maxScore", "number"),
        F("dataQualityStatus"),  # the portal's own flag, e.g. TEMP_NATIONAL_REPORT_DENOMINATOR
        F("dataQualityMessage"),
        F("fetchedAt", "timestamp"),  # when the answer was fetched, as the saved file says
    ),
    key=("departmentId", "timeType", "year", "quarter", "month", "code"),
    api_resource=None,
)

ENTITIES = (
    MOTCUA_AGENCIES,
    MOTCUA_PROCEDURES,
    MOTCUA_CASES,
    MOTCUA_EVENTS,
    PAKN_FEEDBACK,
    BAOCAO_INDICATORS,
    BAOCAO_VALUES,
    BAOCAO_REGISTER,
    DVCQG_766_SCORES,
)


def entities_of(source: str) -> list[Entity]:
    return [e for e in ENTITIES if e.source == source]


SOURCES = (
    Source("motcua", "the provincial one-stop-shop case system: cases, their events, procedure and agency catalogues"),
    Source("pakn", "citizen feedback (phản ánh, kiến nghị) from the portals, the hotline and the desk"),
    # reports are checked against the agency catalogue that motcua delivers
    Source("baocao", "agencies' periodic report workbooks and the indicator catalogue", depends_on=("motcua",)),
    # optional: the portal's published 766 scores, compared with our own scorecard (nothing delivered, nothing loaded)
    Source("dvcqg_766", "the national portal's official Decision 766 scores per unit and period", ("motcua",)),
)
SOURCE_NAMES = tuple(source.name for source in SOURCES)
AGENCY_CATALOGUE = MOTCUA_AGENCIES  # every agency_field resolves against it
