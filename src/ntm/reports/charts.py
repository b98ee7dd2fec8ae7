"""The charts module: small SVG charts for pages (no JavaScript, no external assets).

Documents (the Word report) get PNG from the same bars through matplotlib (`bar_chart_png`).
"""

from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    title: str = ""
    css: str = ""


LINE_HEIGHT = 13  # px between two lines of a wrapped label (12 px text)


def wrap_label(text: str, chars: int) -> list[str]:
    """A label cut into lines of at most `chars` characters at spaces (a word longer than a
    line keeps its line): whole words, never a label cut mid-word."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def bar_chart(
    bars: list[Bar],
    *,
    width: int = 560,
    bar_height: int = 22,
    label_width: int = 90,
    max_value: float | None = None,
    unit: str = "",
) -> str:
    """Horizontal bars with their values; returns an <svg> element as a string. Labels wrap
    onto several lines within `label_width` (about 6.5 px a character)."""
    if not bars:
        return ""
    top = max_value or max((b.value for b in bars), default=0) or 1
    plot = width - label_width - 60
    chars = max(4, int((label_width - 8) / 6.5))
    wrapped = [wrap_label(b.label, chars) for b in bars]
    rows = [max(bar_height, len(lines) * LINE_HEIGHT + 4) for lines in wrapped]
    height = sum(rows) + 6 * len(bars) + 6
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    y = 6
    for bar, lines, row in zip(bars, wrapped, rows, strict=True):
        bar_y = y + (row - bar_height) / 2
        length = max(0.0, plot * bar.value / top)
        value_text = f"{bar.value:g}".replace(".", ",") + unit
        first = y + row / 2 - (len(lines) - 1) * LINE_HEIGHT / 2 + 4
        label = "".join(
            f'<tspan x="{label_width - 6}" y="{first + i * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        parts.append(
            f"<g><title>{escape(bar.title or bar.label)}: {escape(value_text)}</title>"
            f'<text text-anchor="end" class="lbl">{label}</text>'
            f'<rect x="{label_width}" y="{bar_y:.1f}" width="{length:.1f}" height="{bar_height}" class="bar {escape(bar.css)}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{bar_y + bar_height * 0.7:.1f}" class="val">{escape(value_text)}</text></g>'
        )
        y += row + 6
    parts.append("</svg>")
    return "".join(parts)


def bar_chart_png(
    bars: list[Bar],
    *,
    title: str = "",
    max_value: float | None = None,
    unit: str = "",
    width_cm: float = 16.0,
) -> bytes:
    """The same horizontal bars as a PNG for documents (matplotlib, no screen needed)."""
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    height_in = max(1.2, 0.32 * len(bars) + 0.7)
    figure = Figure(figsize=(width_cm / 2.54, height_in), dpi=150)
    axes = figure.add_subplot()
    labels = ["\n".join(wrap_label(b.label, 28)) for b in bars][::-1]
    values = [b.value for b in bars][::-1]
    drawn = axes.barh(labels, values, color="#2e7d32")
    top = max_value or max(values, default=0) or 1
    axes.set_xlim(0, top * 1.12)
    for rect, value in zip(drawn, values, strict=True):
        text = f"{value:g}".replace(".", ",") + unit
        axes.text(
            rect.get_width() + top * 0.01,
            rect.get_y() + rect.get_height() / 2,
            text,
            va="center",
            fontsize=8,
        )
    axes.tick_params(labelsize=8)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    if title:
        axes.set_title(title, fontsize=10)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
