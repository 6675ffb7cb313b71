"""The heat table's two views (counts and shares of the year's papers), its cell links and its scale; the years
the trends page names as thinly covered."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from site_builder.site.render.overview import thin_years
from site_builder.site.svg import HeatRow, heat_table, share_text

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
ROWS = [HeatRow("Contrastive", 0, {2020: 1, 2021: 3}, "../explore/?objective=contrastive"),
        HeatRow("Audio", 1, {2021: 1}, "../explore/?modality=audio")]
TOTALS = {2020: 2, 2021: 4}


def cells(svg: str) -> dict[str, str]:
    """Each cell's link target and the number it shows."""
    root = ET.fromstring(re.sub(r"<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', svg, count=1))
    return {a.get(XLINK) or "": "".join(t.text or "" for t in a.iter(f"{SVG}text")) for a in root.iter(f"{SVG}a")}


def test_counts_link_each_cell_to_explore_for_its_node_and_year() -> None:
    assert cells(heat_table(ROWS, [2020, 2021], "t")) == {
        "../explore/?objective=contrastive&from=2020&to=2020": "1",
        "../explore/?objective=contrastive&from=2021&to=2021": "3",
        "../explore/?modality=audio&from=2021&to=2021": "1"}


def test_shares_divide_by_the_year_papers() -> None:
    assert cells(heat_table(ROWS, [2020, 2021], "t", TOTALS)) == {
        "../explore/?objective=contrastive&from=2020&to=2020": "50%",
        "../explore/?objective=contrastive&from=2021&to=2021": "75%",
        "../explore/?modality=audio&from=2021&to=2021": "25%"}


def test_shade_follows_the_value_shown() -> None:
    """3 of 4 papers (75%) is the strongest share; 1 of 2 (50%) is stronger than 1 of 4 though both count 1."""
    def opacity(svg: str, year: int, row: int) -> float:
        found = re.findall(r'<rect class="sb-cell" x="(\d+)" y="(\d+)"[^>]*fill-opacity="([\d.]+)"><title>', svg)
        by = {(int(x), int(y)): float(o) for x, y, o in found}
        return by[(211 + 34 * (year - 2020), 27 + 22 * row)]
    counts, shares = heat_table(ROWS, [2020, 2021], "t"), heat_table(ROWS, [2020, 2021], "t", TOTALS)
    assert opacity(counts, 2020, 0) == opacity(counts, 2021, 1) < opacity(counts, 2021, 0) == 1
    assert opacity(shares, 2021, 1) < opacity(shares, 2020, 0) < opacity(shares, 2021, 0) == 1


def test_scale_names_its_ends() -> None:
    assert ">fewer 1</text>" in heat_table(ROWS, [2020, 2021], "t")
    assert ">3 more papers</text>" in heat_table(ROWS, [2020, 2021], "t")
    assert ">75% larger share</text>" in heat_table(ROWS, [2020, 2021], "t", TOTALS)


def test_a_chart_with_links_is_a_group_not_an_image() -> None:
    assert 'role="group"' in heat_table(ROWS, [2020, 2021], "t")
    assert 'role="img"' in heat_table([HeatRow("x", 0, {2020: 1})], [2020], "t")


def test_share_text_rounds_and_keeps_tiny_shares_visible() -> None:
    assert [share_text(1, 3), share_text(2, 3), share_text(1, 1000), share_text(0, 5), share_text(1, 0)] == [
        "33%", "67%", "<1%", "0%", "0%"]


def test_thin_years_hold_under_half_the_median_year() -> None:
    totals = {2019: 10, 2020: 12, 2021: 11, 2022: 4, 2023: 2}  # the median year holds 10
    assert thin_years(totals, [2019, 2020, 2021, 2022, 2023]) == [2022, 2023]
    assert thin_years({}, []) == []
