"""Inline SVG trend lines: small, with their text equivalent, readable in black and white.

A chart is a polyline of the values (a gap where a period has none), the target as a dashed line, the last
point marked and labelled; `role="img"` with a Vietnamese `aria-label` that lists every value, so a screen
reader (or a printed page without colours) loses nothing.
"""

from __future__ import annotations

from html import escape

from reporting.labels import number_vi

WIDTH, HEIGHT, PAD = 160, 40, 4


def shown(value: float | None, unit: str) -> str:
    """A KPI value as the site prints it: 92,5 % for a share, 1.234 for a count, 3,25 ngày for days."""
    if value is None:
        return "–"
    if unit == "share":
        return f"{number_vi(float(value) * 100, 1)} %"
    if unit == "days":
        return f"{number_vi(value, 2)} ngày"
    return number_vi(value, 0 if float(value).is_integer() else 2)


def sparkline(points: list[tuple[str, float | None]], unit: str, target: float | None = None) -> str:
    values = [float(v) for _, v in points if v is not None]
    if not values:
        return '<span class="muted">không có số liệu</span>'
    scale = [*values, *([float(target)] if target is not None else [])]
    low, high = min(scale), max(scale)
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    step = (WIDTH - 2 * PAD) / max(len(points) - 1, 1)

    def y(v: float) -> float:
        return round(HEIGHT - PAD - (v - low) / (high - low) * (HEIGHT - 2 * PAD), 1)

    segments, current = [], []
    for n, (_, value) in enumerate(points):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{round(PAD + n * step, 1)},{y(float(value))}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="#1a1a1a" stroke-width="1.6"/>' for s in segments
    )
    last_n, (last_label, last_value) = next((n, p) for n, p in reversed(list(enumerate(points))) if p[1] is not None)
    marker = f'<circle cx="{round(PAD + last_n * step, 1)}" cy="{y(float(last_value))}" r="2.5" fill="#1a1a1a"/>'
    goal = (
        f'<line x1="{PAD}" x2="{WIDTH - PAD}" y1="{y(float(target))}" y2="{y(float(target))}" stroke="#555" '
        'stroke-dasharray="3 2" stroke-width="1"/>'
        if target is not None
        else ""
    )
    described = "; ".join(f"{label}: {shown(value, unit)}" for label, value in points)
    if target is not None:
        described += f"; mục tiêu {shown(target, unit)} (đường nét đứt)"
    return (
        f'<svg class="spark" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(described)}"><title>{escape(described)}</title>{goal}{lines}{marker}</svg>'
    )
