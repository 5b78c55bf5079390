"""The PDF summary of an extract: the province table, trend charts and the agencies below target, readable
without Excel. Vietnamese text uses DejaVu Sans (shipped with matplotlib, which has every Vietnamese glyph).
Output is reproducible: no creation time or random document id (reportlab's invariant mode), PNG charts
without a software stamp.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from reportlab import rl_config  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    Image,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,  # noqa: E402
)
from reportlab.platypus import Table as PdfTable  # noqa: E402

from .safe import neutralise  # noqa: E402
from .workbook import Table  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        _registered = True


STYLES = {
    "title": ParagraphStyle("title", fontName="DejaVu-Bold", fontSize=16, leading=20, spaceAfter=6),
    "h2": ParagraphStyle("h2", fontName="DejaVu-Bold", fontSize=12, leading=15, spaceBefore=8, spaceAfter=4),
    "body": ParagraphStyle("body", fontName="DejaVu", fontSize=9, leading=12),
    "cell": ParagraphStyle("cell", fontName="DejaVu", fontSize=7.5, leading=9),
}


def chart_png(
    title: str,
    series: dict[str, list[tuple[str, float | None]]],
    kind: str = "line",
    percent: bool = True,
    target: float | None = None,
    show_no_target: bool = False,
) -> bytes:
    """A small chart as PNG bytes: lines (trend over periods) or horizontal bars (agencies)."""
    plt.rcParams["font.family"] = "DejaVu Sans"
    figure, axes = plt.subplots(figsize=(9, 3.6), dpi=110)
    for name, points in series.items():
        labels = [p[0] for p in points]
        values = [None if p[1] is None else float(p[1]) * (100 if percent else 1) for p in points]
        if kind == "line":
            axes.plot(labels, [v if v is not None else float("nan") for v in values], marker="o", label=name)
        else:
            axes.barh(labels, [v or 0 for v in values], color="#c0504d")
    if target is not None:
        line = axes.axhline if kind == "line" else axes.axvline
        line(target * (100 if percent else 1), color="grey", linestyle="--", linewidth=1, label="Mục tiêu")
    elif show_no_target:  # a year without a plan row has no target: say so rather than leave the reader guessing
        title += " – không có mục tiêu cho năm này"
    if percent:  # shares on a 0-100 scale, so the target line is always in view
        (axes.set_ylim if kind == "line" else axes.set_xlim)(0, 100)
    axes.set_title(title, fontsize=11)
    if percent:
        (axes.set_ylabel if kind == "line" else axes.set_xlabel)("%")
    if kind == "line":
        axes.tick_params(axis="x", labelrotation=45, labelsize=8)
        axes.legend(fontsize=8, loc="best")
    else:
        axes.tick_params(axis="y", labelsize=7)
        axes.invert_yaxis()
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


MARGIN = 1.5 * cm
FRAME_WIDTH = landscape(A4)[0] - 2 * MARGIN


def _pdf_table(table: Table, max_rows: int = 40) -> PdfTable:
    header = [Paragraph(c.header, STYLES["cell"]) for c in table.columns]
    body = []
    for row in table.rows[:max_rows]:
        cells = []
        for column in table.columns:
            value = row.get(column.key)
            if value is None:
                text = ""
            elif column.kind == "met":
                text = "Đạt" if value else "Không đạt"
            elif column.kind in ("rate", "change"):  # Vietnamese style: decimal comma
                text = f"{float(value) * 100:+.2f}%" if column.kind == "change" else f"{float(value) * 100:.2f}%"
                text = text.replace(".", ",")
            elif column.kind in ("int", "number"):
                text = f"{float(value):,.0f}".replace(",", ".")
            elif column.kind == "points":
                text = f"{float(value):.2f}"
            elif column.kind == "date":
                text = f"{value:%d/%m/%Y}"
            else:
                text = str(neutralise(value))
            cells.append(Paragraph(text, STYLES["cell"]))
        body.append(cells)
    widths = [min(c.width, 60) * 0.19 * cm for c in table.columns]
    if sum(widths) > FRAME_WIDTH:  # a wide table is narrowed to the page (its cells wrap), never cut at the edges
        widths = [w * FRAME_WIDTH / sum(widths) for w in widths]
    pdf_table = PdfTable([header, *body], colWidths=widths, repeatRows=1)
    pdf_table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#DDEBF7")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return pdf_table


def summary_pdf(title: str, lines: list[str], tables: list[Table], charts: list[bytes]) -> bytes:
    """Title and facts, then the tables (the first at full length, the others up to 40 rows), then the charts."""
    _fonts()
    rl_config.invariant = 1
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.2 * cm,
        bottomMargin=1.2 * cm,
        title=title,
        author="Kho dữ liệu chỉ số Khánh Hòa",
        creator="khanhhoa-kpi-warehouse",
    )
    story = [Paragraph(title, STYLES["title"])]
    story += [Paragraph(neutralise(line), STYLES["body"]) for line in lines]
    for index, table in enumerate(tables):
        story += [Paragraph(table.title, STYLES["h2"])]
        if table.note:
            story.append(Paragraph(table.note, STYLES["body"]))
        if table.rows:
            story.append(_pdf_table(table, max_rows=200 if index == 0 else 40))
            if len(table.rows) > 40 and index:
                story.append(Paragraph(f"(40 trên {len(table.rows)} dòng; đầy đủ trong tệp Excel)", STYLES["body"]))
        else:
            story.append(Paragraph("Không có.", STYLES["body"]))
    if charts:
        story.append(PageBreak())
        for png in charts:
            story += [Image(io.BytesIO(png), width=24 * cm, height=9.6 * cm), Spacer(1, 0.3 * cm)]
    document.build(story)
    return buffer.getvalue()
