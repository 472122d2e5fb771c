"""Chart geometry for server-rendered SVG (no chart library in the browser). Functions return
coordinates; the templates draw them, so every label goes through Jinja's escaping and the
colours come from the stylesheet (no inline style)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sodamolek.core.formatting import MONTHS

WIDTH = 720


@dataclass(frozen=True)
class Series:
    css_class: str
    label: str
    points: str  # "x,y x,y …" for <polyline>
    dots: list[tuple[float, float]]  # markers when there are few days


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[Series]
    y_ticks: list[tuple[float, str]]
    x_labels: list[tuple[float, str]]


def nice_ceiling(value: float) -> int:
    """1, 2, 5, 10, 20, 50… at or above value (at least 1)."""
    if value <= 1:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return int(step * power)
    return int(10 * power)


def _short_date(day) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year % 100:02}"


def line_chart(days: list, series: list[tuple[str, str, list[int]]], height: int = 220):
    """One polyline per (css class, label, values) over the days."""
    left, right, top, bottom = 44, 12, 12, 28
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    y_max = nice_ceiling(max((max(v, default=0) for _, _, v in series), default=0))
    step = plot_w / max(1, len(days) - 1)

    def xy(i: int, value: int) -> tuple[float, float]:
        return round(left + i * step, 1), round(top + plot_h * (1 - value / y_max), 1)

    drawn = []
    for css_class, label, values in series:
        coords = [xy(i, v) for i, v in enumerate(values)]
        drawn.append(
            Series(
                css_class,
                label,
                " ".join(f"{x},{y}" for x, y in coords),
                coords if len(coords) <= 31 else [],
            )
        )
    y_ticks = [
        (round(top + plot_h * (1 - f), 1), f"{round(y_max * f):,}".replace(",", "."))
        for f in (0, 0.5, 1)
    ]
    picks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    x_labels = [(round(left + i * step, 1), _short_date(days[i].day)) for i in picks]
    return LineChart(WIDTH, height, left, right, top, bottom, drawn, y_ticks, x_labels)


@dataclass(frozen=True)
class Bar:
    y: float
    label: str
    width: float  # 0 when there is no value
    value_text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    label_width: int
    bar_height: int
    plot_width: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]


def share_bars(items: list[tuple[str, float | None, str]]) -> BarChart:
    """Horizontal bars of shares 0–1: (label, share or None, the value as shown)."""
    label_width, bar_height, gap, value_width = 170, 16, 6, 64
    plot_width = WIDTH - label_width - value_width
    bars = [
        Bar(
            round(i * (bar_height + gap) + 18, 1),
            label,
            round(plot_width * share, 1) if share else 0,
            text,
        )
        for i, (label, share, text) in enumerate(items)
    ]
    height = len(items) * (bar_height + gap) + 22
    ticks = [(round(label_width + plot_width * f, 1), f"{int(f * 100)}%") for f in (0, 0.5, 1)]
    return BarChart(WIDTH, height, label_width, bar_height, plot_width, bars, ticks)
