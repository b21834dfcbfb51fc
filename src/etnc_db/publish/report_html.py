"""HTML pieces of the report: escaped tables (fact keys link to their evidence), chart
divs, sections and the page itself, with plotly.js inlined so the file needs no network."""

from __future__ import annotations

import html
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

import pandas as pd

OPEN_ROWS = 30  # data tables up to this many rows are shown open, longer ones folded

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
header,main{max-width:1300px;margin:0 auto;padding:0 24px}
header{padding-top:24px}
nav ul{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;padding:8px 20px 16px;margin:18px 0}
h1{margin:0 0 6px}
h2{border-bottom:2px solid #eee;padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:8px 0}
th,td{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
details{margin:6px 0 18px}
summary{cursor:pointer;color:#2c5d8f}
.meta{color:#666;font-size:13px}
.fact{border-top:1px solid #eee;padding:6px 0}
.fact h3{font-size:15px;margin:6px 0}
blockquote{margin:6px 0 6px 12px;padding:4px 10px;border-left:3px solid #c9d6e3;background:#f7f9fb}
blockquote footer{font-size:12px;color:#555;margin-top:4px}
.ok{color:#1e8449;font-weight:600}.bad{color:#c0392b;font-weight:600}
"""


def esc(value) -> str:
    """A value as escaped text (None as empty, dates as ISO)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, (date, datetime)):
        return html.escape(value.isoformat())
    return html.escape(str(value))


def fact_link(key: str) -> str:
    """A link to the fact's evidence entry (#fact-<key>)."""
    return f'<a href="#fact-{html.escape(str(key), quote=True)}">{esc(key)}</a>'


def _cell(column: str, value, links: Iterable[str]) -> str:
    if column in links and value:
        return "<td>" + ", ".join(fact_link(k.strip()) for k in str(value).split(";") if k.strip()) + "</td>"
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return f'<td class="num">{esc(value)}</td>'
    return f"<td>{esc(value)}</td>"


def table(frame: pd.DataFrame, caption: str, links: Iterable[str] = ("fact_key",)) -> str:
    """The data table under a chart: every row of `frame`, columns that hold fact keys
    (one, or several separated by ';') linked to their evidence; folded when long."""
    links = tuple(links)
    head = "".join(f"<th>{esc(c)}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(_cell(c, v, links) for c, v in zip(frame.columns, row, strict=True)) + "</tr>"
                   for row in frame.itertuples(index=False, name=None))
    state = " open" if len(frame) <= OPEN_ROWS else ""
    return (f'<details class="data"{state}><summary>Data table: {esc(caption)} ({len(frame)} rows)</summary>'
            f'<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></details>')


def figure(fig, div_id: str) -> str:
    """A chart as a div and its script; plotly.js itself is inlined once in the page head."""
    return fig.to_html(full_html=False, include_plotlyjs=False, div_id=div_id,
                       config={"displaylogo": False, "responsive": True})


def section(anchor: str, title: str, intro: str, body: str) -> str:
    """A report section with its heading, an explanatory paragraph and its content."""
    return f'<section id="{anchor}"><h2>{esc(title)}</h2><p>{intro}</p>{body}</section>'


def page(title: str, header: str, sections: list[tuple[str, str, str]]) -> str:
    """The whole document: `sections` are (anchor, title, html); plotly.js inline."""
    from plotly.offline import get_plotlyjs

    nav = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t, _ in sections)
    body = "".join(h for _, _, h in sections)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style>'
            f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
            f'<body><header><h1>{esc(title)}</h1>{header}<nav><ul>{nav}</ul></nav></header>'
            f"<main>{body}</main></body></html>\n")
