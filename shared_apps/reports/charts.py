"""Charts drawn on the server as inline SVG: no JavaScript, no CDN, nothing to download.

Each chart is an <svg role="img"> with <title> and <desc> (what it shows, its range of values), scales with
its container through the viewBox, and keeps text at a size that stays readable on a phone. The pages put
the same numbers in a table next to each chart for screen readers and for copying.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NO_VALUE = "\u2013"  # an en dash: "no figure", unlike a zero
PALETTE = ("#1f5fa8", "#c2571a", "#2e8540", "#7a3e9d", "#8a6d00")
_ids = itertools.count(1)


def fmt(value: float | None, unit: str = "") -> str:
    """Numbers as the page's language writes them (Indonesian 1.234 and 3,5; English 1,234 and 3.5); NO_VALUE for
    no value. Plain string formatting: a 552-row table formats thousands of cells per view."""
    if value is None:
        return NO_VALUE
    number = float(value)
    text = f"{number:,.0f}" if number.is_integer() else f"{number:,.1f}"
    if (get_language() or "id").startswith("id"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _open(width: int, height: int, title: str, desc: str, css: str) -> tuple[str, str]:
    uid = f"chart{next(_ids)}"
    head = (
        f'<svg class="chart {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{uid}-t {uid}-d" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )
    return uid, head


def line_chart(
    *,
    title: str,
    series: Sequence[tuple[str, Sequence[tuple[date, float | None]]]],
    unit: str = "",
    width: int = 480,
    height: int = 240,
) -> SafeString:
    """Lines over days; a day without a value breaks the line instead of drawing it at zero."""
    points = [v for _label, data in series for _d, v in data if v is not None]
    days = [d for d, _v in series[0][1]] if series and series[0][1] else []
    if not days:
        desc = _("Belum ada data untuk periode ini.")
    else:
        desc = _("%(first)s sampai %(last)s; nilai terendah %(low)s, tertinggi %(high)s.") % {
            "first": days[0].strftime("%d/%m/%Y"),
            "last": days[-1].strftime("%d/%m/%Y"),
            "low": fmt(min(points), unit) if points else NO_VALUE,
            "high": fmt(max(points), unit) if points else NO_VALUE,
        }
    _uid, svg = _open(width, height, title, desc, "chart-line")
    left, right, top, bottom = 52, 12, 14 + (18 if len(series) > 1 else 0), 30
    plot_w, plot_h = width - left - right, height - top - bottom
    y_max = _nice_max(max(points) if points else 0)
    parts = [svg]
    for i in range(5):  # gridlines and y labels
        value = y_max * i / 4
        y = top + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#dde3ea"/>')
        parts.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end" fill="#4a5563">'
            f"{escape(fmt(value))}</text>"
        )
    n = len(days)

    def x_of(index: int) -> float:
        return left + (plot_w * index / (n - 1) if n > 1 else plot_w / 2)

    if n:
        for index in sorted({0, n - 1, *range(0, n, max(1, math.ceil(n / 5)))}):
            if index == n - 1 or n - 1 - index >= max(1, n // 8):  # keep the last label clear of the one before
                parts.append(
                    f'<text x="{x_of(index):.1f}" y="{height - 10}" font-size="12" text-anchor="middle" '
                    f'fill="#4a5563">{days[index].strftime("%d/%m")}</text>'
                )
    for number, (label, data) in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        segments: list[list[str]] = [[]]
        for index, (_day, value) in enumerate(data):
            if value is None:
                segments.append([])
                continue
            y = top + plot_h - plot_h * (value / y_max)
            segments[-1].append(f"{x_of(index):.1f},{y:.1f}")
        for segment in segments:
            if len(segment) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="{color}" stroke-width="2.5" points="{" ".join(segment)}"/>'
                )
            elif segment:
                x, y = segment[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{color}"/>')
        if len(series) > 1:
            x = left + number * 150
            parts.append(f'<rect x="{x}" y="4" width="12" height="12" fill="{color}"/>')
            parts.append(f'<text x="{x + 16}" y="14" font-size="12" fill="#1d2733">{escape(label[:20])}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)


def bar_chart(*, title: str, items: Sequence[tuple[str, float | None]], unit: str = "", width: int = 480) -> SafeString:
    """Horizontal bars (long region names stay readable on a phone), one row per item, value at the end."""
    row, top, label_w, value_w = 26, 8, 150, 64
    height = top * 2 + row * max(1, len(items))
    values = [v for _l, v in items if v is not None]
    desc = (
        "; ".join(f"{label}: {fmt(value, unit)}" for label, value in items[:20])
        if items
        else _("Belum ada data untuk periode ini.")
    )
    _uid, svg = _open(width, height, title, desc, "chart-bar")
    top_value = max(values) if values else 0
    scale = (width - label_w - value_w) / top_value if top_value > 0 else 0
    parts = [svg]
    if not items:
        parts.append(f'<text x="8" y="{top + 17}" font-size="13" fill="#4a5563">{escape(desc)}</text>')
    for index, (label, value) in enumerate(items):
        y = top + index * row
        short = label if len(label) <= 22 else label[:21] + "…"
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 17}" font-size="13" text-anchor="end" fill="#1d2733">'
            f"{escape(short)}</text>"
        )
        bar = (value or 0) * scale
        parts.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{bar:.1f}" height="{row - 8}" rx="2" fill="{PALETTE[0]}"/>'
        )
        parts.append(
            f'<text x="{label_w + bar + 6:.1f}" y="{y + 17}" font-size="13" fill="#1d2733">'
            f"{escape(fmt(value, unit))}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text above is escaped)
