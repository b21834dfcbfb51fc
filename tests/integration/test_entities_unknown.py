"""`etnc-db entities unknown` lists organization-like names the registry does not know."""

from __future__ import annotations

from typer.testing import CliRunner

from etnc_db.cli import app

ARTICLE = """Shenzhen Lumina Photonics Co., Ltd. opens a laser lab with Huawei in Munich

Shenzhen Lumina Photonics Co., Ltd. signed a research agreement with Huawei and the Technical University of Munich, the Bavarian Ministry of Digital Affairs said on Monday.
"""


def test_lists_unregistered_organizations_of_a_new_article(tmp_path, monkeypatch):
    (tmp_path / "lumina.txt").write_text(ARTICLE, encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["entities", "unknown", "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "Shenzhen Lumina Photonics Co., Ltd." in result.output
    assert "Ministry of Digital Affairs" in result.output
    # registered organizations are not listed as unknown
    assert "Huawei" not in result.output.replace("with Huawei", "")
