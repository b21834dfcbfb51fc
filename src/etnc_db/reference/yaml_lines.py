"""A YAML reader that remembers the line of every mapping and of each of its keys,
so validation errors can say ``file:line: reason``, and refuses a key written twice in
one mapping (YAML would silently keep the last one)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class LineDict(dict):
    """A dict built from a YAML mapping; ``line`` is its 1-based first line and
    ``key_lines`` maps each key to the 1-based line where it is written. A key written
    twice in one mapping is refused (YamlSyntaxError at the second one)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


# The C scanner/parser when libyaml is available (10x faster); marks are kept either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark,
                f"duplicate key {key!r} (first at line {data.key_lines.get(key, data.line)})",
                key_node.start_mark,
            )
        data[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, str):
            data.key_lines[key] = key_node.start_mark.line + 1


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class YamlSyntaxError(ValueError):
    def __init__(self, file: str, line: int, reason: str):
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


def load_yaml_with_lines(path: Path) -> Any:
    """Parse ``path``; mappings come back as :class:`LineDict`. Malformed YAML, a
    repeated key or an unreadable file raises :class:`YamlSyntaxError` carrying the line
    of the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(str(path), 1, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise YamlSyntaxError(str(path), 1, f"cannot read: {exc.strerror or exc}") from exc
    return parse_yaml_with_lines(text, str(path))


def parse_yaml_with_lines(text: str, name: str) -> Any:
    """Parse YAML text (named `name` in errors) as :func:`load_yaml_with_lines` does."""
    path = name
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(str(path), line, f"malformed YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(path), 1, f"malformed YAML: {exc}") from exc
