"""Send a bundle by e-mail with Airflow's e-mail helper (its [smtp] settings), if addresses are configured.

Off by default: a recipient gets mail only when its variable (EXTRACT_EMAIL_SO_NOI_VU,
EXTRACT_EMAIL_THANH_TRA_TINH) lists addresses. SMTP host, port, sender and TLS come from Airflow's
configuration (AIRFLOW__SMTP__SMTP_HOST, ..._SMTP_PORT, ..._SMTP_MAIL_FROM, ..._SMTP_STARTTLS) and the login
from the `smtp_default` connection (AIRFLOW_CONN_SMTP_DEFAULT), never from the repository.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from .bundle import RECIPIENTS, Bundle

log = logging.getLogger(__name__)


def addresses(recipient_slug: str) -> list[str]:
    raw = os.environ.get(RECIPIENTS[recipient_slug].email_variable, "")
    return [a.strip() for a in raw.split(",") if a.strip()]


def deliver(bundle: Bundle) -> list[str]:
    to = addresses(bundle.recipient)
    if not to:
        log.info("delivery of %s is off (%s is not set)", bundle.path, RECIPIENTS[bundle.recipient].email_variable)
        return []
    from airflow.utils.email import send_email

    recipient = RECIPIENTS[bundle.recipient]
    attachments = [str(f) for f in bundle.files if f.suffix in (".xlsx", ".pdf", ".docx")]
    start, end = (dt.date.fromisoformat(bundle.manifest[k]) for k in ("period_start", "period_end"))
    as_of = dt.datetime.fromisoformat(bundle.manifest["data_as_of"])
    send_email(
        to=to,
        subject=f"{recipient.title} – {bundle.manifest['period_label']}",
        html_content=(
            f"<p>Kính gửi {recipient.name},</p><p>Kho dữ liệu chỉ số tỉnh gửi số liệu "
            f"{bundle.manifest['period_label'].lower()} (từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}), "
            f"cập nhật đến {as_of:%H:%M} ngày {as_of:%d/%m/%Y}.</p>"
            "<p>Tệp đính kèm: dự thảo báo cáo (Word) để đơn vị chỉnh sửa, ký ban hành; bản PDF; bảng tính Excel "
            "với các biểu chi tiết theo đơn vị.</p>"
        ),
        files=attachments,
    )
    log.info("sent %s to %s", bundle.path, ", ".join(to))
    return to
