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


def bar_chart(
    bars: list[Bar],
    *,
    width: int = 560,
    bar_height: int = 22,
    label_width: int = 90,
    max_value: float | None = None,
    unit: str = "",
) -> str:
    """Horizontal bars with their values; returns an <svg> element as a string."""
    if not bars:
        return ""
    top = max_value or max((b.value for b in bars), default=0) or 1
    plot = width - label_width - 60
    height = len(bars) * (bar_height + 6) + 6
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, bar in enumerate(bars):
        y = 6 + i * (bar_height + 6)
        length = max(0.0, plot * bar.value / top)
        value_text = f"{bar.value:g}".replace(".", ",") + unit
        parts.append(
            f"<g><title>{escape(bar.title or bar.label)}: {escape(value_text)}</title>"
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.7:.1f}" text-anchor="end" class="lbl">{escape(bar.label)}</text>'
            f'<rect x="{label_width}" y="{y}" width="{length:.1f}" height="{bar_height}" class="bar {escape(bar.css)}"/>'
            f'<text x="{label_width + length + 4:.1f}" y="{y + bar_height * 0.7:.1f}" class="val">{escape(value_text)}</text></g>'
        )
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
    labels = [b.label for b in bars][::-1]
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
