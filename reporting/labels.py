"""The words a reader of the extracts sees instead of the warehouse's codes, and Vietnamese number style.

Every code that reaches a document (an agency level, a report type, a filing status, a data-quality gap's
kind) has its label here; tests/test_rollup.py keeps the gap kinds complete against the suites."""

from __future__ import annotations

# agency levels in the order of the official tables: the province's departments first, then the communes
LEVELS = {
    "department": "Sở, ban, ngành tỉnh",
    "district": "UBND cấp huyện (đến 30/6/2025)",
    "commune": "UBND cấp xã (xã, phường, đặc khu)",
    "land_branch": "Chi nhánh Văn phòng đăng ký đất đai",
    "other": "Cơ quan, đơn vị khác",
}
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")

REPORT_TYPES = {
    "PCTN": "Phòng, chống tham nhũng",
    "TCD_KNTC": "Tiếp công dân, khiếu nại, tố cáo",
    "CCHC": "Cải cách hành chính",
}

FILING_STATUS = {"on_time": "Đúng hạn", "late": "Trễ hạn", "missing": "Chưa gửi", "not_yet_due": "Chưa đến hạn"}
FILING_EVIDENCE = {"register": "Sổ văn bản đến", "ledger": "Ngày kho dữ liệu nhận"}

SEVERITY = {"critical": "Nghiêm trọng", "warning": "Cảnh báo"}

# a data-quality gap's kind (dq.gaps.kind): what it means for the figures, in a reader's words
GAP_KINDS = {
    "missing_key": "Bản ghi thiếu mã định danh (mã hồ sơ, mã đơn vị…)",
    "invalid_code": "Giá trị mã không thuộc danh mục quy định",
    "unknown_agency": "Mã đơn vị không có trong danh mục đơn vị",
    "timestamp_after_delivery": "Thời điểm ghi trong dữ liệu sau thời điểm nhận dữ liệu",
    "agency_without_cases": "Đơn vị không có hồ sơ nào trong kỳ",
    "conflicting_versions": "Hai phiên bản của cùng một hồ sơ mâu thuẫn nhau",
    "file_not_loaded": "Tệp dữ liệu không nạp được",
    "inconsistent_report": "Báo cáo có số liệu không khớp nhau (số đã thực hiện lớn hơn số phải thực hiện)",
    "negative_value": "Báo cáo có số liệu âm",
    "no_due_date": "Hồ sơ không có ngày hẹn trả",
    "raw_reconciliation": "Số liệu tổng hợp không khớp với dữ liệu gốc",
    "report_late": "Báo cáo định kỳ gửi trễ hạn",
    "report_missing": "Chưa gửi báo cáo định kỳ",
    "timestamp_order": "Các mốc thời gian của hồ sơ không theo thứ tự",
    "unknown_procedure": "Mã thủ tục hành chính không có trong danh mục",
    "volume_anomaly": "Số hồ sơ trong tháng bất thường so với các tháng trước",
    "official_766_differs": "Điểm Bộ chỉ số 766 công bố trên Cổng DVCQG khác với số liệu tính từ dữ liệu của tỉnh",
    "official_766_unknown_unit": "Đơn vị được Cổng DVCQG chấm điểm 766 không có trong danh mục đơn vị",
}


def number_vi(value: float | int | None, decimals: int = 0) -> str:
    """1.234.567 and 92,48: the thousands point and decimal comma of Vietnamese documents."""
    if value is None:
        return ""
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def percent_vi(value: float | None, decimals: int = 2) -> str:
    return "" if value is None else f"{number_vi(float(value) * 100, decimals)} %"


def points_vi(value: float | None) -> str:
    """A change of a rate, in percentage points: +1,25 điểm %."""
    if value is None:
        return ""
    text = number_vi(abs(float(value)) * 100, 2)
    return f"{'+' if value > 0 else '−' if value < 0 else '±'}{text} điểm %"


OPERATORS = {">=": "≥", "<=": "≤", ">": ">", "<": "<", "=": "="}


def target_vi(operator: str | None, value: float | None, unit: str = "share") -> str:
    """A target as the plans write it: ≥ 95 %, < 2 %."""
    if value is None or not operator:
        return ""
    if operator == ">=" and unit == "share" and float(value) == 1:
        return "100 %"  # "at least all" reads as all
    whole = float(value) * 100 == int(float(value) * 100)
    shown = percent_vi(value, 0 if whole else 2) if unit == "share" else number_vi(value)
    return f"{OPERATORS.get(operator, operator)} {shown}"
