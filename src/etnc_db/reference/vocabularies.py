"""The curated vocabularies (`etl/reference/vocabularies.yaml`): every value curated
files, the registry and the review queue may use, with its label and definition.

The file must hold exactly the vocabularies the schema declares
(`etnc_db.vocab.CURATED_VOCABULARIES`, one lookup table each); values are lower-case
snake_case. Problems raise `VocabularyError` with `file:line: reason`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from etnc_db.vocab import CURATED_VOCABULARIES
from etnc_db.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

VOCABULARIES_FILE = "vocabularies.yaml"
VALUE_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class VocabularyError(ValueError):
    """`str()` is `file:line: reason`."""


@dataclass(frozen=True)
class Term:
    value: str
    label: str
    definition: str
    ordinal: int


Vocabularies = dict[str, dict[str, Term]]


def load_vocabularies(reference_dir: Path) -> Vocabularies:
    """Every vocabulary of the file, values in file order."""
    path = Path(reference_dir) / VOCABULARIES_FILE
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        raise VocabularyError(str(exc)) from None
    if not isinstance(data, LineDict):
        raise VocabularyError(f"{path}:1: expected a mapping of vocabulary name -> values")
    for name in data:
        if name not in CURATED_VOCABULARIES:
            raise VocabularyError(f"{path}:{data.line_of(name)}: unknown vocabulary {name!r} "
                                  f"(the schema has {', '.join(CURATED_VOCABULARIES)})")
    missing = [n for n in CURATED_VOCABULARIES if n not in data]
    if missing:
        raise VocabularyError(f"{path}:1: missing vocabularies: {', '.join(missing)}")
    return {name: _terms(path, name, data[name], data.line_of(name)) for name in CURATED_VOCABULARIES}


def _terms(path: Path, name: str, values: object, line: int) -> dict[str, Term]:
    if not isinstance(values, LineDict) or not values:
        raise VocabularyError(f"{path}:{line}: vocabulary {name!r} needs a mapping of value -> label, definition")
    terms: dict[str, Term] = {}
    for i, (value, spec) in enumerate(values.items()):
        where = f"{path}:{values.line_of(value)}"
        if not isinstance(value, str) or not VALUE_RE.match(value):
            raise VocabularyError(f"{where}: value {value!r} must be lower-case snake_case")
        if not isinstance(spec, LineDict) or set(spec) != {"label", "definition"}:
            raise VocabularyError(f"{where}: {name}.{value} needs exactly a label and a definition")
        label, definition = spec["label"], spec["definition"]
        if not isinstance(label, str) or not label.strip() or not isinstance(definition, str) or not definition.strip():
            raise VocabularyError(f"{where}: {name}.{value}: label and definition must be non-empty text")
        terms[value] = Term(value, label.strip(), definition.strip(), i + 1)
    return terms
