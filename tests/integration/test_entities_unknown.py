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
    assert "Shenzhen Lumina Photonics Co." in result.output
    assert "Bavarian Ministry of Digital Affairs" in result.output and "Technical University of Munich" in result.output
    # registered organizations are not listed as unknown
    assert "Huawei" not in result.output.replace("with Huawei", "")


def test_yaml_output_is_a_registry_entry_the_registry_accepts(tmp_path, monkeypatch):
    import shutil

    import yaml

    from etnc_db.config import Settings
    from etnc_db.reference.registry import load_registry

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "lumina.txt").write_text(ARTICLE, encoding="utf-8")
    result = CliRunner().invoke(app, ["entities", "unknown", "--corpus", str(corpus), "--yaml"])
    assert result.exit_code == 0, result.output
    entries = yaml.safe_load(result.output)
    names = {e["name"] for e in entries}
    assert any("Lumina Photonics" in n for n in names) and any("Ministry of Digital Affairs" in n for n in names)
    # pasted into a copy of the registry, the entries load (the registry's own checks)
    reference = tmp_path / "reference"
    shutil.copytree(Settings.from_env().reference_dir, reference)
    (reference / "organizations" / "zz-proposed.yaml").write_text(result.output, encoding="utf-8")
    registry = load_registry(reference)
    assert {e["key"] for e in entries} <= set(registry.organizations)
