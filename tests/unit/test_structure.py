"""The package's structure rules (docs/architecture.md, "Imports"): imports follow the
data flow, modules are small enough to read, and no two modules share a name. Read from
the source with `ast`, so a new module is checked the day it is added."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "etnc_db"

# Stages in the order data flows through them; each may import the shared layer and the
# stages before it, never one after it.
STAGES = ("reference", "extract", "link", "propose", "facts", "review", "quality", "publish")
# The shared layer: named rows, enumerations, text matching, YAML with lines, settings,
# file fingerprints, test fault injection, the database (connections, schema, server, run
# ledger) and the writer every stage's rows go through. It imports no stage.
SHARED = ("tables", "vocab", "quotes", "yaml_lines", "config", "fingerprints", "faults", "db", "load")
# Orchestration and entry points: may import anything; nothing below imports them.
TOP = ("pipeline", "workers", "status", "cli", "cli_history", "cli_publish", "cli_review", "bench", "__main__")

MAX_LINES = 80
MAX_PARAMS = 6


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        part = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        yield path, part, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imports(tree: ast.AST) -> set[str]:
    """First-level etnc_db parts a module imports (at the top or inside functions)."""
    out = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "etnc_db" and len(parts) > 1:
                out.add(parts[1])
    return out


def _allowed(part: str) -> set[str] | None:
    """What `part` may import (None: anything)."""
    if part in TOP:
        return None
    if part in SHARED:
        return set(SHARED)
    return set(SHARED) | set(STAGES[: STAGES.index(part) + 1])


def test_every_module_belongs_to_a_layer():
    parts = {part for _, part, _ in _modules()} - {"__init__"}
    assert parts <= set(STAGES) | set(SHARED) | set(TOP), parts - set(STAGES) - set(SHARED) - set(TOP)


def test_imports_follow_the_data_flow():
    wrong = []
    for path, part, tree in _modules():
        allowed = _allowed(part) if part != "__init__" else set(SHARED)
        if allowed is None:
            continue
        for target in sorted(_imports(tree) - allowed - {part}):
            wrong.append(f"{path.relative_to(PACKAGE)} ({part}) imports {target}")
    assert wrong == []


def _module_imports() -> dict[str, set[str]]:
    """Each module's dotted name -> the etnc_db modules it imports (at the top or inside
    functions; `from etnc_db.x import name` counts as importing etnc_db.x)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        name = ".".join(("etnc_db", *rel.parts)).removesuffix(".__init__")
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        found = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
        out[name] = {m for m in found if m.startswith("etnc_db.")}
    return out


def test_no_two_modules_import_each_other():
    imports = _module_imports()
    both = sorted({tuple(sorted((a, b))) for a, targets in imports.items() for b in targets
                   if a != b and a in imports.get(b, ())})
    assert both == []


def _is_cli_command(fn: ast.FunctionDef) -> bool:
    """A Typer command, whose parameters are the command's options: decorated with
    `@app.command()` or taking Typer options."""
    if any(".command" in ast.unparse(d) for d in fn.decorator_list):
        return True
    args = fn.args.args + fn.args.kwonlyargs
    defaults = fn.args.defaults + [d for d in fn.args.kw_defaults if d is not None]
    return any("typer." in ast.unparse(a.annotation) for a in args if a.annotation) or any(
        "typer." in ast.unparse(d) or ast.unparse(d).isupper() for d in defaults)


def _functions():
    for path, _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield path.relative_to(PACKAGE), node


def test_no_function_is_longer_than_80_lines():
    long = [f"{path}:{fn.lineno} {fn.name} ({fn.end_lineno - fn.lineno + 1} lines)"
            for path, fn in _functions() if fn.end_lineno - fn.lineno + 1 > MAX_LINES]
    assert long == []


def test_no_function_takes_more_than_6_parameters():
    many = []
    for path, fn in _functions():
        a = fn.args
        names = [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs]
        count = len([n for n in names if n not in ("self", "cls")])
        if count > MAX_PARAMS and not _is_cli_command(fn):
            many.append(f"{path}:{fn.lineno} {fn.name} ({count} parameters)")
    assert many == []


def test_no_two_modules_share_a_name():
    names = Counter(p.name for p in PACKAGE.rglob("*.py") if p.name != "__init__.py")
    assert [n for n, c in names.items() if c > 1] == []


@pytest.mark.parametrize("source, part, allowed", [
    ("from etnc_db.publish.export import export", "facts", False),  # a later stage
    ("from etnc_db.facts.resolve import resolve_facts", "review", True),  # an earlier one
    ("from etnc_db.review import stage", "load", False),  # the shared layer imports no stage
    ("import etnc_db.link.linker", "extract", False),
])
def test_the_import_rule_itself(source, part, allowed):
    found = _imports(ast.parse(source))
    assert (found <= _allowed(part) | {part}) is allowed
