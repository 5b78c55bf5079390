"""Fake applicants and their words: Vietnamese names, ID numbers, phones, addresses, feedback text.

All of it is personal data by the contract (PII); the warehouse must keep it in `raw` only.
"""

from __future__ import annotations

import random
import unicodedata

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Đoàn",
    "Lương",
    "Thái",
    "Châu",
    "Chế",
]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Ngọc", "Thanh", "Đức", "Quốc", "Thu", "Bảo", "Xuân", "Kim"]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Phương",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Trang",
    "Trung",
    "Tuấn",
    "Uyên",
    "Việt",
    "Yến",
    "Đạt",
    "Ánh",
    "Ý",
]
STREETS = [
    "Trần Phú",
    "Lê Thánh Tôn",
    "Yersinia",
    "Nguyễn Trãi",
    "Hùng Vương",
    "Thống Nhất",
    "Lê Hồng Phong",
    "Ngô Gia Tự",
    "21 Tháng 8",
    "Phạm Văn Đồng",
    "Quang Trung",
    "Hai Bà Trưng",
]

FEEDBACK_TOPICS = [
    (
        "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất bị chậm",
        "Tôi nộp hồ sơ từ tháng trước nhưng đến nay chưa có kết quả, đề nghị cơ quan kiểm tra.",
    ),  # noqa: E501
    (
        "Đề nghị hướng dẫn thủ tục đăng ký khai sinh trực tuyến",
        "Tôi không biết cách nộp hồ sơ khai sinh cho con trên Cổng dịch vụ công, mong được hướng dẫn.",
    ),  # noqa: E501
    (
        "Phản ánh thái độ cán bộ tiếp nhận hồ sơ",
        "Cán bộ tại bộ phận một cửa yêu cầu bổ sung giấy tờ nhiều lần, gây khó khăn cho người dân.",
    ),  # noqa: E501
    (
        "Kiến nghị sửa chữa đường giao thông nông thôn",
        "Đoạn đường liên thôn bị hư hỏng nặng sau mùa mưa, đề nghị sửa chữa sớm.",
    ),  # noqa: E501
    (
        "Phản ánh tình trạng ô nhiễm tiếng ồn",
        "Quán karaoke gần nhà hoạt động quá 23 giờ, ảnh hưởng sinh hoạt của người dân.",
    ),  # noqa: E501
    (
        "Hỏi về mức phí cấp đổi giấy phép lái xe",
        "Tôi muốn biết lệ phí cấp đổi giấy phép lái xe khi nộp trực tuyến là bao nhiêu.",
    ),  # noqa: E501
    (
        "Đề nghị thanh toán trực tuyến lệ phí chứng thực",
        "Hệ thống chưa cho thanh toán trực tuyến lệ phí chứng thực, đề nghị bổ sung.",
    ),  # noqa: E501
]


class People:
    def __init__(self, rng: random.Random, nfd_share: float = 0.05):
        self.rng = rng
        self.nfd_share = nfd_share

    def text(self, value: str) -> str:
        """Some source systems send decomposed (NFD) Vietnamese; the loader must store NFC."""
        return unicodedata.normalize("NFD", value) if self.rng.random() < self.nfd_share else value

    def name(self) -> str:
        r = self.rng
        return self.text(f"{r.choice(SURNAMES)} {r.choice(MIDDLE)} {r.choice(GIVEN)}")

    def id_number(self) -> str:
        return "0" + "".join(str(self.rng.randint(0, 9)) for _ in range(11))

    def phone(self) -> str:
        return self.rng.choice(["09", "08", "03", "07"]) + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def address(self, area: str) -> str:
        return self.text(f"Số {self.rng.randint(1, 300)} đường {self.rng.choice(STREETS)}, {area}")

    def feedback(self, name: str, phone: str) -> tuple[str, str]:
        title, body = self.rng.choice(FEEDBACK_TOPICS)
        # citizens often sign their text: free text carries personal data too
        return self.text(title), self.text(f"{body} Người gửi: {name}, điện thoại {phone}.")
