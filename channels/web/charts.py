"""Charts drawn on the server as SVG (no script, no network, no inline styles: presentation
attributes only, so the page's CSP holds). Each chart has a title and a text alternative."""

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from markupsafe import Markup

INK, BAR, GRID = "#1d3557", "#2a6f97", "#d5dbe3"


def bars(
    points: Sequence[tuple[str, Decimal | int]], label: str, *, width: int = 600, height: int = 160, tick_every: int = 1
) -> Markup:
    """A column chart of (key, value) points; `label` is its accessible name."""
    n = max(len(points), 1)
    top = max((float(v) for _, v in points), default=0.0) or 1.0
    pad_l, pad_b, pad_t = 4, 18, 6
    plot_h = height - pad_b - pad_t
    step = (width - pad_l) / n
    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>',
        f'<line x1="{pad_l}" y1="{height - pad_b}" x2="{width}" y2="{height - pad_b}" stroke="{GRID}"/>',
    ]
    for i, (key, v) in enumerate(points):
        h = plot_h * float(v) / top
        x = pad_l + i * step + step * 0.15
        y = height - pad_b - h
        out.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.7:.1f}" height="{h:.1f}" fill="{BAR}">'
            f"<title>{escape(key)}: {escape(str(v))}</title></rect>"
        )
        if i % tick_every == 0:
            out.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - 4}" font-size="10" text-anchor="middle" '
                f'fill="{INK}">{escape(key[-5:] if len(key) > 7 else key)}</text>'
            )
    out.append("</svg>")
    return Markup("".join(out))


def hbars(items: Sequence[tuple[str, int]], label: str, *, width: int = 300) -> Markup:
    """Horizontal bars with their labels and counts (order status distribution)."""
    row = 22
    height = row * max(len(items), 1)
    top = max((v for _, v in items), default=0) or 1
    out = [
        f'<svg class="chart hbars" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>'
    ]
    for i, (key, v) in enumerate(items):
        y = i * row
        w = (width - 150) * v / top
        out.append(f'<text x="0" y="{y + 15}" font-size="12" fill="{INK}">{escape(key)}</text>')
        out.append(f'<rect x="110" y="{y + 4}" width="{w:.1f}" height="14" fill="{BAR}"/>')
        out.append(f'<text x="{114 + w:.1f}" y="{y + 15}" font-size="12" fill="{INK}">{v}</text>')
    out.append("</svg>")
    return Markup("".join(out))
