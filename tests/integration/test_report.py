"""`etnc-db report`: one self-contained HTML file whose charts render in headless
Chromium without console errors, each chart with its data table, every fact linked to
its evidence, coverage (with the review candidates still pending) and the
data-quality status of the last check and gate."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from etnc_db.cli import app
from etnc_db.publish.report import write_report

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Records uncaught errors, rejected promises and console.error calls, and writes them
# into the page once it has loaded (read back with --dump-dom).
CAPTURE = """<script>window.__errors=[];
window.addEventListener('error',function(e){__errors.push('error: '+e.message)});
window.addEventListener('unhandledrejection',function(e){__errors.push('rejection: '+e.reason)});
(function(){var ce=console.error;console.error=function(){__errors.push('console: '+
Array.prototype.join.call(arguments,' '));ce.apply(console,arguments)}})();
window.addEventListener('load',function(){setTimeout(function(){var d=document.createElement('pre');
d.id='captured-errors';d.textContent=JSON.stringify(__errors);document.body.appendChild(d)},500)});
</script>"""


@pytest.fixture(scope="module")
def checked_db(databases, built_template, tmp_path_factory):
    """A built database on which `etnc-db check` ran, with 2 review candidates put back
    to pending."""
    from etnc_db.quality.check import run_check

    url = databases.create(template=built_template)
    run_check(url, tmp_path_factory.mktemp("check") / "dq.md", None)
    with psycopg.connect(url, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM review.candidates WHERE status = 'pending'").fetchone()[0] == 0
        conn.execute("UPDATE review.candidates SET status = 'pending', decision_source = 'extraction' WHERE "
                     "candidate_id IN (SELECT candidate_id FROM review.candidates ORDER BY candidate_id LIMIT 2)")
    return url


@pytest.fixture(scope="module")
def report(checked_db, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report.html"
    result = CliRunner().invoke(app, ["report", "--out", str(out)], env={"DATABASE_URL": checked_db})
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1 and str(out) in result.output
    return out


@pytest.fixture(scope="module")
def html(report) -> str:
    return report.read_text(encoding="utf-8")


def test_the_report_is_one_file_that_needs_no_network(html):
    assert html.startswith("<!DOCTYPE html>") and "Plotly" in html and len(html) > 3_000_000  # plotly.js inline
    external = re.findall(r"<(?:script|link|img|iframe|source|video|audio)\b[^>]*\b(?:src|href)\s*=\s*[\"']?(?:https?:)?//",
                          html, re.I)
    assert external == []
    assert not re.search(r"url\(\s*[\"']?(?:https?:)?//|@import", html, re.I)


def test_every_chart_has_its_data_table(html):
    charts = [m.end() for m in re.finditer(r'class="plotly-graph-div"', html)]
    assert len(charts) >= 8
    for start in charts:
        following = html[start:]
        next_chart = following.find('class="plotly-graph-div"')
        window = following if next_chart < 0 else following[:next_chart]
        assert '<details class="data"' in window and "<table>" in window


def test_every_fact_link_points_at_its_evidence(html, checked_db):
    links = set(re.findall(r'href="#fact-([^"]+)"', html))
    targets = set(re.findall(r'id="fact-([^"]+)"', html))
    with psycopg.connect(checked_db) as conn:
        facts = {k for (k,) in conn.execute("SELECT fact_key FROM mart.fct_fact")}
        quotes = conn.execute("SELECT quote FROM mart.fct_evidence ORDER BY evidence_key LIMIT 20").fetchall()
        url = conn.execute("SELECT url FROM mart.bridge_evidence_citation WHERE url IS NOT NULL LIMIT 1").fetchone()[0]
        investments = {k for (k,) in conn.execute(
            "SELECT investment_key FROM mart.fct_investment WHERE direction = 'china_to_europe'")}
    assert targets == facts
    assert links <= targets and investments <= links and len(links) > 300
    import html as html_lib

    assert all(html_lib.escape(q) in html for (q,) in quotes)
    assert f'href="{html_lib.escape(url)}"' in html


def test_sections_show_investment_policy_network_coverage_and_quality(html):
    for anchor in ("investment", "policy", "network", "coverage", "quality", "evidence"):
        assert f'<section id="{anchor}">' in html
    assert "undated" in html and "recommended_for_aggregates" in html
    assert "Candidate facts pending review: <strong>2</strong>" in html
    assert re.search(r"Last check: run \d+, finished [^:]+:[^<]*<span class=\"ok\">passed</span>", html)
    assert re.search(r"Last gate \(run \d+\): <span class=\"ok\">passed</span>", html)


def test_without_a_check_or_pending_candidates_the_report_says_so(built_db_readonly, tmp_path):
    result = write_report(built_db_readonly, tmp_path / "r.html")
    text = result.path.read_text(encoding="utf-8")
    assert "Candidate facts pending review: <strong>0</strong>" in text
    assert "No <code>etnc-db check</code> has run on this database yet." in text
    assert result.charts >= 7 and result.facts > 400


def _png_is_not_blank(path: Path, width: int, height: int) -> None:
    """A PNG of the window's size whose pixels are not one colour (decoded with zlib:
    every scanline's filter byte is followed by its pixels)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    w, h = struct.unpack(">II", data[16:24])
    assert (w, h) == (width, height)
    idat, pos = b"", 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + length]
        pos += 12 + length
    raw = zlib.decompress(idat)
    row = len(raw) // h
    pixels = b"".join(raw[i * row + 1:(i + 1) * row] for i in range(0, h, 25))
    assert len(set(pixels)) > 50, "the screenshot is blank"


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium); "
                                                   ".ci/run installs it")
def test_charts_render_in_headless_chromium_without_console_errors(report, tmp_path):
    probe = tmp_path / "probe.html"
    probe.write_text(report.read_text(encoding="utf-8").replace("<head>", "<head>" + CAPTURE, 1), encoding="utf-8")
    profile = [f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([str(CHROMIUM), *FLAGS, *profile, "--enable-logging=stderr", "--v=0",
                          "--virtual-time-budget=20000", "--dump-dom", probe.as_uri()],
                         capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    charts = report.read_text(encoding="utf-8").count('class="plotly-graph-div"')
    rendered = re.findall(r'<div id="(chart-[^"]+)" class="plotly-graph-div[^>]*>.*?class="main-svg"', dom.stdout, re.S)
    assert len(set(rendered)) == charts, f"{len(set(rendered))} of {charts} charts rendered"
    captured = re.search(r'<pre id="captured-errors">(.*?)</pre>', dom.stdout, re.S)
    assert captured is not None and captured.group(1) == "[]", captured.group(1) if captured else dom.stdout[-500:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line and re.search(r"error|uncaught", line, re.I)]
    assert console == []
    shot = tmp_path / "report.png"
    taken = subprocess.run([str(CHROMIUM), *FLAGS, *profile, f"--screenshot={shot}", "--window-size=1400,3000",
                            "--virtual-time-budget=20000", report.as_uri()], capture_output=True, text=True, timeout=180)
    assert taken.returncode == 0 and shot.exists(), taken.stderr[-2000:]
    _png_is_not_blank(shot, 1400, 3000)
