"""Static SVG charts we draw ourselves: papers per year (bars) and papers per year per node (a heat table).

Colours come from CSS classes (docs/assets/site.css) so that charts follow the light and dark palettes. Every
chart carries a text alternative (``role="img"`` with an ``aria-label``) and a tooltip per mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from site_builder.site.escape import text

BAR_HEIGHT = 120
TOP, BOTTOM, LEFT = 12, 22, 30


def _num(value: float) -> str:
    """Coordinates with at most one decimal, written the same way on every platform."""
    out = f"{value:.1f}"
    return out[:-2] if out.endswith(".0") else out


def _label_step(n: int, room: int) -> int:
    """Label every ``step``-th year so that labels do not overlap."""
    step = 1
    while n / step > room:
        step += 1
    return step


def bar_chart(counts: Mapping[int, int], years: Sequence[int], title: str) -> str:
    """Bars of ``counts`` over the continuous range ``years`` (years without papers get no bar)."""
    if not years:
        return ""
    width_each = max(12.0, min(36.0, 600 / len(years)))
    width = LEFT + width_each * len(years) + 4
    height = TOP + BAR_HEIGHT + BOTTOM
    peak = max([*counts.values(), 1])
    alt = ", ".join(f"{y}: {counts[y]}" for y in years if counts.get(y))
    parts = [
        f'<svg class="sb-chart" viewBox="0 0 {_num(width)} {height}" width="{_num(width)}" height="{height}" '
        f'role="img" aria-label="{text(title)}: {text(alt or "none")}">',
        f'<line class="sb-axis" x1="{LEFT}" y1="{TOP + BAR_HEIGHT}" x2="{_num(width)}" y2="{TOP + BAR_HEIGHT}"/>',
        f'<text class="sb-tick" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end">{peak}</text>',
        f'<text class="sb-tick" x="{LEFT - 4}" y="{TOP + BAR_HEIGHT}" text-anchor="end">0</text>',
    ]
    step = _label_step(len(years), int(600 / 34))
    for i, year in enumerate(years):
        x = LEFT + i * width_each
        n = counts.get(year, 0)
        if n:
            h = BAR_HEIGHT * n / peak
            parts.append(f'<rect class="sb-bar" x="{_num(x + 2)}" y="{_num(TOP + BAR_HEIGHT - h)}" '
                         f'width="{_num(width_each - 4)}" height="{_num(h)}"><title>{year}: {n}</title></rect>')
        if i % step == 0:
            parts.append(f'<text class="sb-tick" x="{_num(x + width_each / 2)}" y="{height - 6}" '
                         f'text-anchor="middle">{year}</text>')
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class HeatRow:
    """One row of a heat table: a node label (indented by depth), its papers per year and, optionally, the link
    its cells go to (``&from=Y&to=Y`` is added for the cell's year)."""

    label: str
    depth: int
    counts: Mapping[int, int]
    href: str = ""


def share_text(n: int, total: int) -> str:
    """A count as a whole percentage of its year's papers ("40%"; "<1%" for a non-zero count that rounds to 0)."""
    if not total:
        return "0%"
    pct = round(100 * n / total)
    return "<1%" if n and not pct else f"{pct}%"


def heat_table(rows: Sequence[HeatRow], years: Sequence[int], title: str,
               totals: Mapping[int, int] | None = None) -> str:
    """A grid of rows x years whose cells are shaded by value and show it: the count, or with ``totals`` (papers
    per year) the share of the year's papers. Under the grid, a scale from the faintest to the strongest shade
    (drawn with the cells' own colour, so it reads right in both palettes)."""
    if not rows or not years:
        return ""
    label_w, cell_w, cell_h, head, foot = 210, 34, 22, 26, 30

    def value(n: int, year: int) -> float:
        return n / totals[year] if totals is not None and totals.get(year) else float(n)

    def shown(n: int, year: int) -> str:
        return share_text(n, totals.get(year, 0)) if totals is not None else str(n)

    width = max(label_w + cell_w * len(years), label_w + 260)  # room for the scale's labels
    height = head + cell_h * len(rows) + foot
    peak = max([value(n, y) for r in rows for y, n in r.counts.items() if y in years] + [1e-9])
    parts = [f'<svg class="sb-chart sb-heat" xmlns:xlink="http://www.w3.org/1999/xlink" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             # a group, not an image: its cells are links (an image may hold nothing focusable)
             f'role="{"group" if any(r.href for r in rows) else "img"}" '
             f'aria-label="{text(title)}">']
    for j, year in enumerate(years):
        parts.append(f'<text class="sb-tick" x="{label_w + j * cell_w + cell_w // 2}" y="{head - 8}" '
                     f'text-anchor="middle">{year}</text>')
    for i, row in enumerate(rows):
        y = head + i * cell_h
        parts.append(f'<text class="sb-label" x="{4 + 12 * row.depth}" y="{y + cell_h - 7}">{text(row.label)}</text>')
        for j, year in enumerate(years):
            n = row.counts.get(year, 0)
            if not n:
                continue
            x = label_w + j * cell_w
            strength = 0.15 + 0.85 * value(n, year) / peak
            label = shown(n, year)
            # strong cells carry light text: dark text on them would fall below 4.5:1
            num = "sb-cellnum sb-cellnum--on" if strength >= 0.55 else "sb-cellnum"
            cell = (f'<rect class="sb-cell" x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                    f'fill-opacity="{_num(strength)}"><title>{text(row.label)}, {year}: {n} '
                    f'{"paper" if n == 1 else "papers"}'
                    f'{f" ({label} of the year)" if totals is not None else ""}</title></rect>'
                    f'<text class="{num}" x="{x + cell_w // 2}" y="{y + cell_h - 7}" '
                    f'text-anchor="middle">{label}</text>')
            if row.href:
                # xlink:href, not href: the theme's instant navigation rewrites a[href] as HTML links and fails on
                # SVG ones (their href is read only); the browser follows either
                cell = f'<a xlink:href="{text(row.href)}&amp;from={year}&amp;to={year}">{cell}</a>'
            parts.append(cell)
    scale_y = head + cell_h * len(rows) + 8
    low, high = ("", f"{round(100 * peak)}%") if totals is not None else ("1", str(round(peak)))
    parts.append(f'<text class="sb-tick" x="{label_w - 6}" y="{scale_y + 11}" text-anchor="end">'
                 f'{"fewer" if totals is None else "smaller share"} {low}</text>')
    for k in range(5):
        parts.append(f'<rect class="sb-cell" x="{label_w + k * 18}" y="{scale_y}" width="16" height="14" '
                     f'fill-opacity="{_num(0.15 + 0.85 * k / 4)}"/>')
    parts.append(f'<text class="sb-tick" x="{label_w + 5 * 18 + 4}" y="{scale_y + 11}">{high} '
                 f'{"more papers" if totals is None else "larger share"}</text>')
    parts.append("</svg>")
    return "".join(parts)
