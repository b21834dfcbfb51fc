"""The report's Plotly figures, one function per chart, each from the DataFrame that is
also printed as the chart's data table."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

STANCE_COLORS = {"restrictive": "#c0392b", "neutral": "#7f8c8d", "promotional": "#27ae60"}
TYPE_COLORS = {"agreement": "#2980b9", "investment": "#e67e22", "policy_measure": "#8e44ad"}
GROUP_COLORS = {"Chinese": "#c0392b", "European": "#2c7fb8", "other": "#95a5a6"}
TEMPLATE = "plotly_white"


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(title=title, template=TEMPLATE, height=height, margin={"l": 10, "r": 10, "t": 60, "b": 40},
                      legend={"orientation": "h", "y": -0.12}, barmode="stack")
    return fig


def investment_chart(by_cs: pd.DataFrame) -> go.Figure:
    """Chinese investment per host country, stacked by sector: EUR million (summable
    amounts only) on the left, number of investments (all) on the right."""
    fig = make_subplots(rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=("EUR million (recommended_for_aggregates only)", "investments (all)"))
    countries = sorted(set(by_cs["host_country_name"]), reverse=True)
    for i, (sector, rows) in enumerate(by_cs.groupby("sector", sort=True)):
        for col, field in ((1, "eur_million"), (2, "investments")):
            fig.add_trace(go.Bar(y=list(rows["host_country_name"]), x=[float(v) for v in rows[field]], orientation="h",
                                 name=sector, legendgroup=sector, showlegend=col == 1,
                                 marker={"color": _palette(i)}), row=1, col=col)
    fig.update_yaxes(categoryorder="array", categoryarray=countries)
    return _layout(fig, "Chinese investment in Europe by host country and sector", 120 + 28 * max(len(countries), 4))


def _palette(i: int) -> str:
    colors = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
              "#17becf", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")
    return colors[i % len(colors)]


def policy_year_chart(by_year: pd.DataFrame) -> go.Figure:
    """Policy measures per best_year, stacked by stance; the undated ones in their own
    panel on the right."""
    fig = make_subplots(rows=1, cols=2, column_widths=[0.88, 0.12], shared_yaxes=True, horizontal_spacing=0.03,
                        subplot_titles=("dated (by best_year)", "undated"))
    for stance, color in STANCE_COLORS.items():
        rows = by_year[by_year["stance"] == stance]
        dated, undated = rows[rows["year"] != "undated"], rows[rows["year"] == "undated"]
        fig.add_trace(go.Bar(x=[int(y) for y in dated["year"]], y=list(dated["measures"]), name=stance,
                             legendgroup=stance, marker={"color": color}), row=1, col=1)
        fig.add_trace(go.Bar(x=["undated"] * len(undated), y=list(undated["measures"]), name=stance,
                             legendgroup=stance, showlegend=False, marker={"color": color}), row=1, col=2)
    fig.update_xaxes(dtick=1, row=1, col=1)
    return _layout(fig, "Policy measures over time by stance", 420)


def policy_country_chart(by_cy: pd.DataFrame) -> go.Figure:
    """Policy measures per jurisdiction and year, one bubble per stance (size = number of
    measures); the undated ones in the column right of the last year."""
    years = sorted(int(y) for y in set(by_cy["year"]) if y != "undated")
    undated_x = (years[-1] + 2) if years else 0
    offsets = {"restrictive": -0.25, "neutral": 0.0, "promotional": 0.25}
    fig = go.Figure()
    for stance, color in STANCE_COLORS.items():
        rows = by_cy[by_cy["stance"] == stance]
        xs = [(undated_x if y == "undated" else int(y)) + offsets[stance] for y in rows["year"]]
        fig.add_trace(go.Scatter(x=xs, y=list(rows["jurisdiction_name"]), mode="markers", name=stance,
                                 marker={"color": color, "size": [6 + 4 * int(n) ** 0.5 * 2 for n in rows["measures"]],
                                         "opacity": 0.8},
                                 text=[f"{j} {y}: {n} {stance}" for j, y, n in
                                       zip(rows["jurisdiction_name"], rows["year"], rows["measures"], strict=True)],
                                 hoverinfo="text"))
    ticks = years + [undated_x]
    fig.update_xaxes(tickvals=ticks, ticktext=[str(y) for y in years] + ["undated"])
    if years:
        fig.add_vline(x=years[-1] + 1, line_dash="dot", line_color="#999")
    names = sorted(set(by_cy["jurisdiction_name"]), reverse=True)
    fig.update_yaxes(categoryorder="array", categoryarray=names)
    return _layout(fig, "Policy measures by jurisdiction, year and stance", 140 + 24 * max(len(names), 4))


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame) -> go.Figure:
    """The agreement network: grey lines for agreements, dots for parties (red: Chinese,
    blue: European, grey: other; size grows with the number of agreements)."""
    xs, ys = [], []
    for e in edges.itertuples(index=False):
        xs += [e.x0, e.x1, None]
        ys += [e.y0, e.y1, None]
    fig = go.Figure(go.Scatter(x=xs, y=ys, mode="lines", line={"width": 0.8, "color": "#999"}, hoverinfo="skip",
                               name="agreement"))
    for group, color in GROUP_COLORS.items():
        part = nodes[nodes["group"] == group]
        fig.add_trace(go.Scatter(
            x=list(part["x"]), y=list(part["y"]), mode="markers", name=f"{group} party",
            marker={"size": [6 + 3 * int(n) ** 0.5 for n in part["agreements"]], "color": color,
                    "line": {"width": 0.5, "color": "#fff"}},
            text=[f"{n} ({c or '?'}): {a} agreements" for n, c, a in
                  zip(part["name"], part["country"], part["agreements"], strict=True)], hoverinfo="text"))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False, scaleanchor="x")
    return _layout(fig, "Agreement network: parties joined by the agreements they share", 760)


def stacked_types_chart(frame: pd.DataFrame, label: str, title: str) -> go.Figure:
    """Horizontal bars per `label` value, stacked by fact type (columns named after the
    types hold the counts)."""
    fig = go.Figure()
    for fact_type, color in TYPE_COLORS.items():
        if fact_type in frame:
            fig.add_trace(go.Bar(y=list(frame[label]), x=[int(v) for v in frame[fact_type]], orientation="h",
                                 name=fact_type, marker={"color": color}))
    fig.update_yaxes(categoryorder="array", categoryarray=list(frame[label])[::-1], automargin=True)
    return _layout(fig, title, 120 + 24 * max(len(frame), 4))


def dq_chart(results: pd.DataFrame, title: str) -> go.Figure:
    """Passed and failed expectations (or gate checks) per suite."""
    counts = results.assign(passed=results["success"].astype(bool), failed=~results["success"].astype(bool)) \
        .groupby("suite", sort=True)[["passed", "failed"]].sum()
    fig = go.Figure()
    for column, color in (("passed", "#27ae60"), ("failed", "#c0392b")):
        fig.add_trace(go.Bar(y=list(counts.index), x=[int(v) for v in counts[column]], orientation="h", name=column,
                             marker={"color": color}))
    fig.update_yaxes(categoryorder="array", categoryarray=list(counts.index)[::-1], automargin=True)
    return _layout(fig, title, 120 + 22 * max(len(counts), 4))
