"""YAML alias bombs ("billion laughs": nine levels of ten references, 10^9 leaves once
expanded) in the manifest, a curated file and the organization registry are refused
with file:line. The reader builds aliases as shared references and every schema checks
types before it walks a value, so nothing is ever expanded; an alarm turns a hang into
a failure instead of blocking the suite."""

from __future__ import annotations

import shutil

import pytest

from etnc_db.config import PACKAGE_ROOT
from etnc_db.extract import corpus as C
from etnc_db.facts.documents import DocumentText
from etnc_db.facts.resolve import FactsError, resolve_facts
from etnc_db.reference.registry import RegistryError, load_registry

REF = PACKAGE_ROOT / "etl" / "reference"


def bomb(indent: str) -> str:
    """Anchors &a..&i under a `x_defs:` key, each a list of ten references to the last."""
    lines = [f"{indent}  - &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}" if i else "lol"] * 10) + "]"
             for i in range(9)]
    return f"{indent}x_defs:\n" + "\n".join(lines) + "\n"


def test_manifest(no_hang):
    text = "documents:\n  - file: a.txt\n" + bomb("    ") + "    title: *i\n"
    assert sorted(str(p) for p in C.parse_manifest(text)[1]) == [
        "sources.yaml:13: title: Input should be a valid string",
        "sources.yaml:3: unknown key 'x_defs' (allowed: file, key, title, publisher, published, kind, sha256, notes)",
    ]


def test_curated_file(tmp_path, no_hang):
    (tmp_path / "f.yaml").write_text("document: test-doc\npart: main\ninvestments:\n  - id: a\n" + bomb("    ")
                                     + "    title: *i\n    sectors: *i\n    evidence: *i\n", encoding="utf-8")
    with pytest.raises(FactsError) as err:
        resolve_facts(tmp_path, load_registry(REF), {"test-doc": DocumentText("test-doc", "text")})
    assert f"{tmp_path}/f.yaml:15: title: Input should be a valid string" in err.value.problems


def test_organization_registry(tmp_path, no_hang):
    for name in ("countries.yaml", "country_aliases.yaml", "sectors.yaml", "vocabularies.yaml", "linking.yaml"):
        shutil.copy(REF / name, tmp_path / name)
    (tmp_path / "organizations").mkdir()
    path = tmp_path / "organizations" / "hu.yaml"
    path.write_text("- key: catl\n  name: CATL\n  kind: company\n  country: CN\n" + bomb("  ") + "  aliases: *i\n",
                    encoding="utf-8")
    with pytest.raises(RegistryError) as err:
        load_registry(tmp_path)
    assert str(err.value) == f"{path}:15: aliases.0: Input should be a valid string"


def test_python_tags_are_not_constructed(tmp_path):
    """Only plain YAML types are built: a tag asking for a Python call is a syntax error
    at its line, in every input file (they all go through the same reader)."""
    from etnc_db.yaml_lines import YamlSyntaxError, parse_yaml_with_lines

    marker = tmp_path / "ran"
    with pytest.raises(YamlSyntaxError) as err:
        parse_yaml_with_lines(f"a: 1\nb: !!python/object/apply:os.system ['touch {marker}']\n", "f.yaml")
    assert err.value.line == 2 and "could not determine a constructor" in err.value.reason
    assert not marker.exists()
