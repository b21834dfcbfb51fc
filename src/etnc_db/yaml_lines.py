"""A YAML reader that remembers the line of every mapping and of each of its keys
(and of every sequence and its items), so validation errors can say ``file:line: reason``.
A key written twice in one mapping and an impossible date (``2025-02-30``) are
refused with their line instead of being silently overwritten or raising a bare
``ValueError``."""

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


class LineList(list):
    """A list built from a YAML sequence; ``line`` is its 1-based first line and
    ``item_lines`` the 1-based line of each item (scalars included)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if 0 <= index < len(self.item_lines) else self.line


class Lines:
    """Where a parsed mapping or sequence was written, without its values: ``line``,
    ``line_of`` (the key's or item's line, else ``line``) and, by key or index, the
    skeletons of its nested mappings and sequences (None for anything else)."""

    __slots__ = ("line", "_lines", "_nested")

    def __init__(self, line: int, lines: Any, nested: Any):
        self.line, self._lines, self._nested = line, lines, nested

    def line_of(self, key: Any) -> int:
        if isinstance(self._lines, dict):
            return self._lines.get(key, self.line)
        return self._lines[key] if 0 <= key < len(self._lines) else self.line

    def __getitem__(self, key: Any) -> Lines | None:
        if self._nested is None:
            return None
        return self._nested.get(key) if isinstance(self._nested, dict) else self._nested[key]


def lines_only(node: Any) -> Lines | None:
    """The line skeleton of a parsed node (see :class:`Lines`); None for a scalar. What a
    validated record keeps to place later messages, sharing the parse's line tables."""
    if isinstance(node, LineDict):
        nested = {k: lines_only(v) for k, v in node.items() if isinstance(v, (LineDict, LineList))}
        return Lines(node.line, node.key_lines, nested or None)
    if isinstance(node, LineList):
        items = [lines_only(v) for v in node]
        return Lines(node.line, node.item_lines, items if any(items) else None)
    return None


# The C scanner/parser when libyaml is available (10x faster); marks are kept either way.
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _LineLoader(_BaseLoader):
    pass


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    """A LineDict with the lines of the mapping and its keys; a key written twice in the
    mapping itself (not merged in with ``<<``) is a ConstructorError at its second line."""
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    own = {id(key_node) for key_node, _ in node.value}  # written here, not merged in with <<
    loader.flatten_mapping(node)
    own_lines: dict = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            hash(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
            ) from None
        if id(key_node) in own:
            if key in own_lines:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"duplicate key {key!r} (first on line {own_lines[key]})", key_node.start_mark)
            own_lines[key] = line
        data[key] = loader.construct_object(value_node, deep=True)
        if isinstance(key, str):
            data.key_lines[key] = line


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode):
    """A LineList with the lines of the sequence and of each item."""
    data = LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]
    yield data
    data.extend(loader.construct_object(child, deep=True) for child in node.value)


def _construct_timestamp(loader: _LineLoader, node: yaml.ScalarNode):
    """A YAML date/time; one the calendar lacks is a ConstructorError at its line."""
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError as exc:  # e.g. 2025-02-30: the pattern matches, the calendar does not
        raise yaml.constructor.ConstructorError(
            None, None, f"{node.value} is not a real date ({exc})", node.start_mark) from exc


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlSyntaxError(ValueError):
    def __init__(self, file: str, line: int, reason: str):
        super().__init__(f"{file}:{line}: {reason}")
        self.file, self.line, self.reason = file, line, reason


def load_yaml_with_lines(path: Path) -> Any:
    """Parse ``path``; mappings come back as :class:`LineDict`, sequences as
    :class:`LineList`. Malformed YAML raises :class:`YamlSyntaxError` carrying the line
    of the problem."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise YamlSyntaxError(str(path), 1, f"not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise YamlSyntaxError(str(path), 1, f"cannot read: {exc.strerror or exc}") from exc
    return parse_yaml_with_lines(text, str(path))


def parse_yaml_with_lines(text: str, file: str) -> Any:
    """:func:`load_yaml_with_lines` for text already read; ``file`` names it in errors."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlSyntaxError(file, line, f"malformed YAML: {exc.problem}") from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(file, 1, f"malformed YAML: {exc}") from exc
