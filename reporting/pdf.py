"""The PDF of an extract: the administrative document (heading, number, date, title, the summary written from
the data, recipients and signatures; Nghị định 30/2020/NĐ-CP), then the province table, the late and missing
reports, the open data-quality gaps and the charts, readable without Excel, with page numbers. Text is set
in DejaVu Serif (shipped with matplotlib: a serif with every Vietnamese glyph, the nearest to the Times New
Roman of administrative documents that needs nothing installed). Output is reproducible: no creation time
or random document id (reportlab's invariant mode), PNG charts without a software stamp.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from reportlab import rl_config  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT  # noqa: E402
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

from .labels import number_vi, percent_vi, points_vi  # noqa: E402
from .safe import neutralise  # noqa: E402
from .workbook import BOLD_ROWS, Cover, Table, column_numbers, header_levels  # noqa: E402

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
_registered = False


def _fonts() -> None:
    global _registered
    if not _registered:
        pdfmetrics.registerFont(TTFont("Serif", str(FONT_DIR / "DejaVuSerif.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-Bold", str(FONT_DIR / "DejaVuSerif-Bold.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-Italic", str(FONT_DIR / "DejaVuSerif-Italic.ttf")))
        pdfmetrics.registerFont(TTFont("Serif-BoldItalic", str(FONT_DIR / "DejaVuSerif-BoldItalic.ttf")))
        pdfmetrics.registerFontFamily(
            "Serif", normal="Serif", bold="Serif-Bold", italic="Serif-Italic", boldItalic="Serif-BoldItalic"
        )
        _registered = True


STYLES = {
    "head": ParagraphStyle("head", fontName="Serif", fontSize=11, leading=14, alignment=TA_CENTER),
    "head_bold": ParagraphStyle("head_bold", fontName="Serif-Bold", fontSize=11, leading=14, alignment=TA_CENTER),
    "date": ParagraphStyle("date", fontName="Serif-Italic", fontSize=11, leading=14, alignment=TA_CENTER),
    "title": ParagraphStyle("title", fontName="Serif-Bold", fontSize=14, leading=18, alignment=TA_CENTER),
    "subtitle": ParagraphStyle(
        "subtitle", fontName="Serif-Bold", fontSize=12, leading=15, alignment=TA_CENTER, spaceAfter=6
    ),
    "h2": ParagraphStyle("h2", fontName="Serif-Bold", fontSize=12, leading=15, spaceBefore=8, spaceAfter=4),
    "text": ParagraphStyle(
        "text", fontName="Serif", fontSize=10.5, leading=13.5, firstLineIndent=28, alignment=TA_JUSTIFY, spaceAfter=4
    ),
    "note": ParagraphStyle("note", fontName="Serif-Italic", fontSize=9, leading=12, spaceAfter=3),
    "small": ParagraphStyle("small", fontName="Serif", fontSize=10, leading=13),
    "cell": ParagraphStyle("cell", fontName="Serif", fontSize=8.5, leading=10.5),
    "cell_number": ParagraphStyle("cell_number", fontName="Serif", fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
    "cell_head": ParagraphStyle("cell_head", fontName="Serif-Bold", fontSize=8.5, leading=10.5, alignment=TA_CENTER),
}


# each series differs by its line, its marker and its grey, so that it survives black-and-white printing
SERIES_STYLES = [
    {"color": "#000000", "linestyle": "-", "marker": "o"},
    {"color": "#555555", "linestyle": "--", "marker": "s"},
    {"color": "#888888", "linestyle": ":", "marker": "^"},
    {"color": "#333333", "linestyle": "-.", "marker": "D"},
]


def chart_png(
    title: str,
    series: dict[str, list[tuple[str, float | None]]],
    kind: str = "line",
    percent: bool = True,
    target: float | None = None,
    show_no_target: bool = False,
    unit: str = "%",
) -> bytes:
    """A small chart as PNG bytes: lines (trend over periods, labelled in Vietnamese) or horizontal bars
    (agencies, each with its value). Greyscale-safe: line styles and markers, a solid black target line
    labelled on the chart, numbers in Vietnamese style, the axis fitted to the data and the target."""
    from matplotlib.ticker import FuncFormatter

    plt.rcParams["font.family"] = "DejaVu Serif"
    figure, axes = plt.subplots(figsize=(9, 3.4), dpi=110)
    scale = 100 if percent else 1
    shown: list[float] = []
    for index, (name, points) in enumerate(series.items()):
        labels = [p[0] for p in points]
        values = [None if p[1] is None else float(p[1]) * scale for p in points]
        shown += [v for v in values if v is not None]
        if kind == "line":
            style = SERIES_STYLES[index % len(SERIES_STYLES)]
            axes.plot(
                labels,
                [v if v is not None else float("nan") for v in values],
                label=name,
                linewidth=1.6,
                markersize=5,
                **style,
            )
            last = next(
                ((x, v) for x, v in zip(reversed(labels), reversed(values), strict=True) if v is not None), None
            )
            if last:
                axes.annotate(
                    number_vi(last[1], 1 if percent else 0),
                    last,
                    textcoords="offset points",
                    xytext=(6, 0),
                    va="center",
                    fontsize=7,
                )
        else:
            bars = axes.barh(labels, [v or 0 for v in values], color="#777777", edgecolor="black", linewidth=0.5)
            for bar, value in zip(bars, values, strict=True):
                axes.annotate(
                    number_vi(value or 0, 1),
                    (bar.get_width(), bar.get_y() + bar.get_height() / 2),
                    textcoords="offset points",
                    xytext=(3, 0),
                    va="center",
                    fontsize=7,
                )
    if target is not None:
        line = axes.axhline if kind == "line" else axes.axvline
        label = f"Mục tiêu {number_vi(target * scale, 0)} {unit}".strip()
        line(target * scale, color="black", linestyle="-", linewidth=1.2, label=label)
        shown.append(target * scale)
    elif show_no_target:  # a year without a plan row has no target: say so rather than leave the reader guessing
        title += " – không có mục tiêu cho năm này"
    if shown:  # fitted to the data and the target, with room, so a 88-95 % trend is not a flat line
        low, high = min(shown), max(shown)
        pad = max((high - low) * 0.15, 3.0 if percent else max(high * 0.05, 1))
        low, high = max(low - pad, 0), high + pad
        if percent:
            high = min(high, 100.5)
        (axes.set_ylim if kind == "line" else axes.set_xlim)(low if kind == "line" else 0, high)
    axes.set_title(title, fontsize=10)
    formatter = FuncFormatter(lambda v, _: number_vi(v, 0) + (" %" if percent else ""))
    (axes.yaxis if kind == "line" else axes.xaxis).set_major_formatter(formatter)
    if unit and not percent:
        (axes.set_ylabel if kind == "line" else axes.set_xlabel)(unit, fontsize=8)
    if kind == "line":
        axes.tick_params(axis="x", labelrotation=30, labelsize=7)
        axes.legend(fontsize=7, loc="best", frameon=True)
    else:
        axes.tick_params(axis="y", labelsize=7)
        axes.invert_yaxis()
        if target is not None:
            axes.legend(fontsize=7, loc="lower right")
    axes.grid(alpha=0.3, color="#999999")
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return buffer.getvalue()


MARGIN = 1.5 * cm
FRAME_WIDTH = landscape(A4)[0] - 2 * MARGIN


def cell_text(value, kind: str) -> str:
    """A value as the PDF prints it, in Vietnamese number style."""
    if value is None:
        return ""
    if kind == "met":
        return "Đạt" if value else "Không đạt"
    if kind == "rate":
        return percent_vi(value)
    if kind == "change":
        return points_vi(value)
    if kind in ("int", "number"):
        return number_vi(value)
    if kind == "delta":
        return ("+" if value > 0 else "−" if value < 0 else "") + number_vi(abs(value))
    if kind == "points":
        return number_vi(value, 2)
    if kind == "date":
        return f"{value:%d/%m/%Y}"
    return str(neutralise(value))


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _pdf_table(table: Table, max_rows: int = 40) -> PdfTable:
    """The table with its one- or two-level header and column numbers, numbers right-aligned, total rows bold,
    the header repeated on every page, narrowed to the frame (cells wrap) so that nothing passes the margins."""
    levels = header_levels(table)
    header_rows = []
    if levels == 2:
        upper = []
        for n, column in enumerate(table.columns):
            first = n == 0 or table.columns[n - 1].group != column.group
            text = column.group if column.group else column.header
            upper.append(Paragraph(_escape(text), STYLES["cell_head"]) if column.group is None or first else "")
        header_rows.append(upper)
    header_rows.append(
        [Paragraph(_escape(c.header), STYLES["cell_head"]) if levels == 1 or c.group else "" for c in table.columns]
    )
    header_rows.append([Paragraph(text, STYLES["cell_head"]) for text in column_numbers(table)])
    body, bold = [], []
    for r, row in enumerate(table.rows[:max_rows]):
        if row.get("_kind") in BOLD_ROWS:
            bold.append(r + len(header_rows))
        cells = []
        for column in table.columns:
            text = _escape(cell_text(row.get(column.key), column.kind))
            if row.get("_kind") in BOLD_ROWS or text == "Không đạt":
                text = f"<b>{text}</b>"
            style = STYLES["cell"] if column.kind in ("text", "met", "date") else STYLES["cell_number"]
            cells.append(Paragraph(text, style))
        body.append(cells)
    # the columns share the frame's width in proportion to their workbook widths: never past the margins
    shares = [max(min(c.width, 60), 7) for c in table.columns]
    widths = [share * FRAME_WIDTH / sum(shares) for share in shares]
    pdf_table = PdfTable([*header_rows, *body], colWidths=widths, repeatRows=len(header_rows))
    style = [
        ("BACKGROUND", (0, 0), (-1, len(header_rows) - 1), colors.HexColor("#E8E8E8")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if levels == 2:
        n = 0
        while n < len(table.columns):
            column, span = table.columns[n], 1
            if column.group is None:
                style.append(("SPAN", (n, 0), (n, 1)))
            else:
                while n + span < len(table.columns) and table.columns[n + span].group == column.group:
                    span += 1
                style.append(("SPAN", (n, 0), (n + span - 1, 0)))
            n += span
    pdf_table.setStyle(TableStyle(style))
    return pdf_table


def _heading(cover: Cover) -> list:
    """The Nghị định 30/2020 heading: issuing body left, national motto right, number and date below."""
    left = [
        Paragraph(_escape(cover.issuer_parent), STYLES["head"]),
        Paragraph(_escape(cover.issuer), STYLES["head_bold"]),
    ]
    right = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", STYLES["head_bold"]),
        Paragraph("<u>Độc lập - Tự do - Hạnh phúc</u>", STYLES["head_bold"]),
    ]
    table = PdfTable(
        [
            [left, right],
            [Paragraph(_escape(cover.number), STYLES["head"]), Paragraph(_escape(cover.place_date), STYLES["date"])],
        ],
        colWidths=[FRAME_WIDTH * 0.42, FRAME_WIDTH * 0.58],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 1), (-1, 1), 8)]))
    story = [table, Spacer(1, 0.4 * cm), Paragraph(cover.title, STYLES["title"])]
    story += [Paragraph(_escape(cover.subtitle), STYLES["subtitle"])]
    story += [Paragraph(_escape(f"Kính gửi: {cover.addressee}."), STYLES["head"]), Spacer(1, 0.3 * cm)]
    story += [Paragraph(_escape(text), STYLES["text"]) for text in cover.paragraphs]
    return story


def _sign_off(cover: Cover) -> PdfTable:
    recipients = [Paragraph("<b><i>Nơi nhận:</i></b>", STYLES["small"])]
    recipients += [Paragraph(_escape(f"- {name}"), STYLES["small"]) for name in cover.recipients]
    signers = [
        [Paragraph(role.upper(), STYLES["head_bold"]), Paragraph(hint, STYLES["date"]), Spacer(1, 1.6 * cm)]
        for role, hint in cover.signers
    ]
    table = PdfTable([[recipients, *signers]], colWidths=[FRAME_WIDTH * 0.34, FRAME_WIDTH * 0.33, FRAME_WIDTH * 0.33])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _page_number(canvas, document) -> None:
    canvas.saveState()
    canvas.setFont("Serif", 9)
    canvas.drawCentredString(landscape(A4)[0] / 2, 0.7 * cm, f"Trang {document.page}")
    canvas.restoreState()


def summary_pdf(cover: Cover, tables: list[Table], charts: list[bytes]) -> bytes:
    """The document (heading, summary, sign-off), then the tables (the first at full length, the others up to
    40 rows), then the charts two to a page; page numbers at the foot of every page."""
    _fonts()
    rl_config.invariant = 1
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=1.2 * cm,
        bottomMargin=1.4 * cm,
        title=f"{cover.title} {cover.subtitle}",
        author=cover.issuer,
        creator="khanhhoa-kpi-warehouse",
    )
    story = [*_heading(cover), Spacer(1, 0.4 * cm), _sign_off(cover), PageBreak()]
    for number, table in enumerate(tables, start=1):
        story += [Paragraph(_escape(f"Biểu {number}. {table.title}"), STYLES["h2"])]
        if table.unit:
            story.append(Paragraph(_escape(f"Đơn vị tính: {table.unit}"), STYLES["note"]))
        if table.note:
            story.append(Paragraph(_escape(table.note), STYLES["note"]))
        if table.rows:
            story.append(_pdf_table(table, max_rows=200 if number == 1 else 40))
            if len(table.rows) > 40 and number > 1:
                story.append(Paragraph(f"(40 trên {len(table.rows)} dòng; đầy đủ trong tệp Excel)", STYLES["note"]))
        else:
            story.append(Paragraph("Không có.", STYLES["small"]))
    if charts:
        story.append(PageBreak())
        for png in charts:
            story += [Image(io.BytesIO(png), width=22 * cm, height=8.4 * cm), Spacer(1, 0.2 * cm)]
    document.build(story, onFirstPage=_page_number, onLaterPages=_page_number)
    return buffer.getvalue()
