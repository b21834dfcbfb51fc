"""The reference registry: countries, sectors, organizations and the surface forms
(aliases) the linker looks for. ``load_registry`` reads ``etl/reference/`` and rejects
bad input with ``file:line: reason``; nothing else in the package reads these files.

Files read (all under ``reference_dir``):

- ``vocabularies.yaml``     the curated vocabularies (see :mod:`.vocabularies`)
- ``countries.yaml``        curated country attributes (see :mod:`.countries`)
- ``country_aliases.yaml``  names, adjectives and metonyms of countries in running text
- ``sectors.yaml``          the two-level sector taxonomy with its keywords
- ``organizations/*.yaml``  the organization registry (docs/curation.md §5), merged by key
- ``linking.yaml``          the linker's word lists (format at the top of the file); optional
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from etnc_db.yaml_lines import LineDict, YamlSyntaxError, load_yaml_with_lines

from .countries import Country, load_countries
from .fold import fold
from .vocabularies import Vocabularies, VocabularyError, load_vocabularies

AliasForm = Literal["name", "adjective", "metonym"]

KEY_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class RegistryError(Exception):
    """A reference file is wrong; ``str(err)`` is ``file:line: reason``."""

    def __init__(self, file: str | Path, line: int, reason: str):
        self.file = str(file)
        self.line = line
        self.reason = reason
        super().__init__(f"{self.file}:{line}: {reason}")


@dataclass
class Sector:
    key: str
    name: str
    parent: str | None
    nace: str | None
    keywords: list[str] = field(default_factory=list)


@dataclass
class Organization:
    key: str
    name: str
    kind: str
    country: str | None  # null only for international organizations without one HQ
    parent: str | None
    ownership: str
    sectors: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    source_files: list[str] = field(default_factory=list)
    ambiguous_aliases: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CountryAlias:
    """A surface form of a country: ``name`` (China, PRC), ``adjective`` (Chinese,
    Sino-) or ``metonym`` (Beijing, linked only in government-action contexts)."""

    surface: str
    code: str
    form: AliasForm


@dataclass(frozen=True)
class LinkingRules:
    """The linker's word lists from ``linking.yaml`` (each key is explained at the top of
    that file and in docs/linking.md). Empty when the file is absent."""

    generic_words: frozenset[str] = frozenset()
    government_verbs: frozenset[str] = frozenset()
    adverbs: frozenset[str] = frozenset()
    government_prepositions: frozenset[str] = frozenset()
    location_prepositions: frozenset[str] = frozenset()
    not_a_mention: tuple[str, ...] = ()
    acronym_tokens: tuple[str, ...] = ()
    proper_keywords: tuple[str, ...] = ()
    variant_stoplist: frozenset[str] = frozenset()
    generic_org_kinds: frozenset[str] = frozenset()
    # weak sector keyword -> the words that give it its sector sense next to it
    weak_sector_keywords: dict[str, frozenset[str]] = field(default_factory=dict)
    # legal forms a registered company's mention extends over ("ZTE Corp", "Nokia Oyj")
    legal_forms: tuple[str, ...] = ()
    unknown_leading_words: tuple[str, ...] = ()
    unknown_joiners: tuple[str, ...] = ()
    unknown_company_suffixes: tuple[str, ...] = ()


@dataclass
class Registry:
    """Everything the linker and the loader need. ``countries`` and ``sectors`` are
    keyed by code/key in file order; ``organizations`` by key."""

    countries: dict[str, Country]
    sectors: dict[str, Sector]
    organizations: dict[str, Organization]
    country_aliases: list[CountryAlias]
    vocabularies: Vocabularies = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    linking: LinkingRules = field(default_factory=LinkingRules)


# --------------------------------------------------------------------------- schemas


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _country_code(value: object) -> object:
    """YAML 1.1 reads an unquoted ``NO`` (Norway) as false; take it back."""
    if value is False:
        return "NO"
    return value


def _str_list(value: object) -> object:
    if value is None:
        return []
    return value


class _OrganizationIn(_Strict):
    key: str
    name: str
    kind: str
    country: str | None
    parent: str | None = None
    ownership: str = "unknown"
    sectors: list[str] = []
    aliases: list[str] = []
    ambiguous_aliases: list[str] = []
    note: str | None = None

    _lists = field_validator("sectors", "aliases", "ambiguous_aliases", mode="before")(
        classmethod(lambda cls, v: _str_list(v))
    )
    _code = field_validator("country", mode="before")(classmethod(lambda cls, v: _country_code(v)))

    @field_validator("key", "parent")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not KEY_RE.match(v):
            raise ValueError(f"key {v!r} is not a slug [a-z0-9-]")
        return v

    @field_validator("aliases", "ambiguous_aliases")
    @classmethod
    def _non_empty(cls, v: list[str]) -> list[str]:
        if any(not a.strip() for a in v):
            raise ValueError("empty alias")
        return [a.strip() for a in v]


class _SectorIn(_Strict):
    key: str
    name: str
    parent: str | None = None
    nace: str | None = None
    keywords: list[str] = []

    _lists = field_validator("keywords", mode="before")(classmethod(lambda cls, v: _str_list(v)))

    @field_validator("key", "parent")
    @classmethod
    def _slug(cls, v: str | None) -> str | None:
        if v is not None and not KEY_RE.match(v):
            raise ValueError(f"key {v!r} is not a slug [a-z0-9-]")
        return v


class _CountryAliasesIn(_Strict):
    code: str
    names: list[str] = []
    adjectives: list[str] = []
    metonyms: list[str] = []
    note: str | None = None

    _lists = field_validator("names", "adjectives", "metonyms", mode="before")(
        classmethod(lambda cls, v: _str_list(v))
    )
    _code = field_validator("code", mode="before")(classmethod(lambda cls, v: _country_code(v)))


_WordList = list[str]


class _UnknownNamesIn(_Strict):
    leading_words: _WordList = []
    joiners: _WordList = []
    company_suffixes: _WordList = []


class _LinkingIn(_Strict):
    generic_words: _WordList = []
    government_verbs: _WordList = []
    adverbs: _WordList = []
    government_prepositions: _WordList = []
    location_prepositions: _WordList = []
    not_a_mention: _WordList = []
    acronym_tokens: _WordList = []
    proper_keywords: _WordList = []
    variant_stoplist: _WordList = []
    generic_org_kinds: list[str] = []
    weak_sector_keywords: dict[str, _WordList] = {}
    legal_forms: _WordList = []
    unknown_names: _UnknownNamesIn = _UnknownNamesIn()


# lists whose entries are compared with lower-cased text and must be written so
_LOWER_CASE_LISTS = (
    "generic_words", "government_verbs", "adverbs", "government_prepositions",
    "location_prepositions", "not_a_mention", "variant_stoplist",
    "unknown_names.joiners",
)


def _validation_reason(exc: ValidationError) -> tuple[str | None, str]:
    """First error as (field, readable reason)."""
    err = exc.errors()[0]
    loc = err.get("loc") or ()
    fld = str(loc[0]) if loc else None
    where = ".".join(str(p) for p in loc)
    if err["type"] == "literal_error":
        ctx = err.get("ctx", {})
        reason = f"{where}: {err.get('input')!r} is not one of {ctx.get('expected')}"
    elif err["type"] == "extra_forbidden":
        reason = f"unknown field {where!r}"
    elif err["type"] == "missing":
        reason = f"missing field {where!r}"
    elif err["type"] == "string_type" and isinstance(err.get("input"), bool):
        reason = (f"{where}: {err.get('input')!r} is not text; quote it (YAML reads "
                  f"on/off/yes/no unquoted as true/false)")
    else:
        reason = f"{where}: {err['msg']}"
    return fld, reason


def _parse(model: type[BaseModel], row: object, file: Path, line: int):
    if not isinstance(row, LineDict):
        raise RegistryError(file, line, f"expected a mapping, got {type(row).__name__}")
    try:
        return model.model_validate(dict(row))
    except ValidationError as exc:
        fld, reason = _validation_reason(exc)
        raise RegistryError(file, _line_of_path(row, exc.errors()[0].get("loc") or ()), reason) from None


def _line_of_path(row: LineDict, loc: tuple) -> int:
    """Line of the deepest mapping key along a pydantic error location."""
    line = row.line
    node: object = row
    for part in loc:
        if not isinstance(node, LineDict) or part not in node:
            break
        line = node.line_of(part)
        node = node[part]
    return line


def _read_list(path: Path, top_key: str | None = None) -> list:
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        raise RegistryError(exc.file, exc.line, exc.reason) from None
    if data is None:
        return []
    if top_key is not None and isinstance(data, dict):
        data = data.get(top_key) or []
    if not isinstance(data, list):
        raise RegistryError(path, 1, "expected a YAML list of entries")
    return data


def _row_line(row: object) -> int:
    return row.line if isinstance(row, LineDict) else 1


def normalize_surface(surface: str) -> str:
    """Comparison form of an alias: case-folded, whitespace collapsed, curly quotes
    straightened."""
    s = surface.replace("\u2019", "'").replace("\u2018", "'")
    return " ".join(s.split()).casefold()


def surface_key(surface: str) -> str:
    """What the linker sees of an alias: :func:`normalize_surface` without accents
    ("Škoda" and "skoda" are the same key), so two organizations cannot claim
    surfaces that only differ in accents."""
    return fold(normalize_surface(surface))


def alias_problem(surface: str, generic_words: frozenset[str] = frozenset()) -> str | None:
    """Why ``surface`` cannot be a name or alias, or None. Refused: shorter than two
    characters, no letter or digit, or a generic word of linking.yaml unless written
    as an acronym (one word with two or more capitals: "MOST" only links in capitals)."""
    if len(surface.strip()) < 2:
        return f"alias {surface!r} is shorter than 2 characters"
    if not any(ch.isalnum() for ch in surface):
        return f"alias {surface!r} has no letter or digit"
    if surface_key(surface) in generic_words and not _is_acronym(surface.strip()):
        return f"alias {surface!r} is a generic word (generic_words in linking.yaml)"
    return None


# --------------------------------------------------------------------------- loaders


def load_linking(path: Path, sectors: dict[str, Sector], kinds: frozenset[str] | None = None) -> LinkingRules:
    """Read ``linking.yaml`` (absent: empty rules). Refuses unknown keys, empty or
    repeated entries, upper case in the lower-case lists, and weak sector keywords that
    are no sector's keyword, with ``file:line: reason``."""
    if not path.exists():
        return LinkingRules()
    try:
        data = load_yaml_with_lines(path)
    except YamlSyntaxError as exc:
        raise RegistryError(exc.file, exc.line, exc.reason) from None
    if data is None:
        return LinkingRules()
    rules = _parse(_LinkingIn, data, path, 1)
    for name in _LinkingIn.model_fields:
        value = getattr(rules, name)
        if isinstance(value, BaseModel):
            lists = {(name, sub): getattr(value, sub) for sub in type(value).model_fields}
        elif isinstance(value, dict):
            lists = {(name, key): words for key, words in value.items()}
        else:
            lists = {(name,): value}
        for where, words in lists.items():
            _check_word_list(words, where, path, _line_of_path(data, where))
    _check_weak_keywords(rules.weak_sector_keywords, sectors, path, data)
    bad_kinds = [k for k in rules.generic_org_kinds if kinds is not None and k not in kinds]
    if bad_kinds:
        raise RegistryError(path, data.line_of("generic_org_kinds"),
                            f"generic_org_kinds: {bad_kinds[0]!r} is not one of {', '.join(sorted(kinds))}")
    unknown = rules.unknown_names
    return LinkingRules(
        generic_words=frozenset(surface_key(w) for w in rules.generic_words),
        government_verbs=frozenset(rules.government_verbs),
        adverbs=frozenset(rules.adverbs),
        government_prepositions=frozenset(rules.government_prepositions),
        location_prepositions=frozenset(rules.location_prepositions),
        not_a_mention=tuple(rules.not_a_mention),
        acronym_tokens=tuple(rules.acronym_tokens),
        proper_keywords=tuple(rules.proper_keywords),
        variant_stoplist=frozenset(rules.variant_stoplist),
        generic_org_kinds=frozenset(rules.generic_org_kinds),
        weak_sector_keywords={k: frozenset(v) for k, v in rules.weak_sector_keywords.items()},
        legal_forms=tuple(rules.legal_forms),
        unknown_leading_words=tuple(unknown.leading_words),
        unknown_joiners=tuple(unknown.joiners),
        unknown_company_suffixes=tuple(unknown.company_suffixes),
    )


def _check_weak_keywords(weak: dict[str, list[str]], sectors: dict[str, Sector], path: Path,
                         data: LineDict) -> None:
    """Each weak sector keyword is a keyword of sectors.yaml."""
    known = {k for s in sectors.values() for k in s.keywords}
    for kw in weak:
        if kw not in known:
            line = _line_of_path(data, ("weak_sector_keywords", kw))
            raise RegistryError(path, line, f"weak sector keyword {kw!r} is not in sectors.yaml")


def _check_word_list(words: list[str], keys: tuple[str, ...], path: Path, line: int) -> None:
    """No empty or repeated entry; lower case where the list is compared so. ``keys``
    is the list's place in the file ("unknown_names", "joiners")."""
    where = ".".join(keys)
    seen: set[str] = set()
    for w in words:
        if not w.strip():
            raise RegistryError(path, line, f"{where}: empty entry")
        if w in seen:
            raise RegistryError(path, line, f"{where}: {w!r} listed twice")
        if (where in _LOWER_CASE_LISTS or keys[0] == "weak_sector_keywords") and w != w.lower():
            raise RegistryError(path, line, f"{where}: {w!r} must be written in lower case")
        seen.add(w)


def load_sectors(path: Path) -> dict[str, Sector]:
    sectors: dict[str, Sector] = {}
    lines: dict[str, tuple[int, int]] = {}
    for row in _read_list(path):
        line = _row_line(row)
        s = _parse(_SectorIn, row, path, line)
        if s.key in sectors:
            raise RegistryError(path, line, f"duplicate sector key {s.key!r}")
        sectors[s.key] = Sector(s.key, s.name, s.parent, s.nace, list(s.keywords))
        lines[s.key] = (line, row.line_of("parent"))
    for key, sec in sectors.items():
        if sec.parent is None:
            continue
        parent = sectors.get(sec.parent)
        if parent is None:
            raise RegistryError(path, lines[key][1], f"unknown parent sector {sec.parent!r}")
        if parent.parent is not None:
            raise RegistryError(
                path, lines[key][1], f"parent sector {sec.parent!r} is not top-level (two levels only)"
            )
    return sectors


def load_country_aliases(
    path: Path, country_codes: set[str], generic_words: frozenset[str] = frozenset()
) -> list[CountryAlias]:
    """Read ``country_aliases.yaml``; refuses an unknown code, an alias two countries
    claim and an alias :func:`alias_problem` refuses."""
    out: list[CountryAlias] = []
    seen: dict[str, tuple[str, int]] = {}
    for row in _read_list(path, "countries"):
        line = _row_line(row)
        entry = _parse(_CountryAliasesIn, row, path, line)
        if entry.code not in country_codes:
            raise RegistryError(path, row.line_of("code"), f"invalid country code {entry.code!r}")
        for form, surfaces in (
            ("name", entry.names),
            ("adjective", entry.adjectives),
            ("metonym", entry.metonyms),
        ):
            for surface in surfaces:
                problem = alias_problem(surface, generic_words)
                if problem:
                    raise RegistryError(path, row.line_of(form + "s" if form != "name" else "names"), problem)
                norm = surface_key(surface)
                if norm in seen and seen[norm][0] != entry.code:
                    raise RegistryError(
                        path,
                        row.line_of(form + "s" if form != "name" else "names"),
                        f"alias {surface!r} claimed by {seen[norm][0]} and {entry.code}",
                    )
                seen[norm] = (entry.code, line)
                out.append(CountryAlias(surface, entry.code, form))  # type: ignore[arg-type]
    return out


def _is_acronym(text: str) -> bool:
    """One token with at least two capitals (CATL, UCLouvain, NBÚ, 3GPP)."""
    return " " not in text and sum(ch.isupper() for ch in text) >= 2


def organization_surfaces(org: Organization) -> list[str]:
    """The strings that name ``org`` in text: its name without a trailing
    parenthetical, the acronyms in that parenthetical ("... (CATL)"), its aliases and
    ambiguous aliases, in that order, without duplicates."""
    out: list[str] = []
    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", org.name)
    if m:
        out.append(m.group(1))
        out.extend(p for p in (p.strip() for p in m.group(2).split(",")) if _is_acronym(p))
    else:
        out.append(org.name)
    out.extend(org.aliases)
    out.extend(org.ambiguous_aliases)
    seen: set[str] = set()
    uniq = []
    for s in out:
        if s and s not in seen:
            seen.add(s)
            uniq.append(s)
    return uniq


@dataclass
class _OrganizationReader:
    """Reads ``organizations/*.yaml`` into merged, checked entries (docs/linking.md,
    "Registry checks"). Lenient mode (``strict=False``) keeps the first definition of a
    conflicting key and makes a contested surface ambiguous, reporting into ``problems``."""

    country_codes: set[str]
    sectors: dict[str, Sector]
    vocabularies: Vocabularies
    generic_words: frozenset[str]
    strict: bool = True
    problems: list[str] | None = None
    orgs: dict[str, Organization] = field(default_factory=dict)
    where: dict[str, tuple[Path, LineDict]] = field(default_factory=dict)  # first definition of each key
    parents: list[tuple[str, Path, int]] = field(default_factory=list)
    origins: dict[tuple[str, str], tuple[int, Path, int]] = field(default_factory=dict)

    def read(self, org_dir: Path) -> dict[str, Organization]:
        files = sorted(Path(org_dir).glob("*.yaml")) if Path(org_dir).is_dir() else []
        for path in files:
            keys_in_file: dict[str, int] = {}
            for row in _read_list(path):
                line = _row_line(row)
                o = _parse(_OrganizationIn, row, path, line)
                if o.key in keys_in_file:
                    raise RegistryError(path, line, f"duplicate key {o.key!r} (also at line {keys_in_file[o.key]})")
                keys_in_file[o.key] = line
                self._check(o, row, path)
                if o.key in self.orgs:
                    self._merge(o, row, path)
                else:
                    self._add(o, row, path)
        self._check_parents()
        self._check_collisions()
        return self.orgs

    def _check(self, o: _OrganizationIn, row: LineDict, path: Path) -> None:
        """One entry on its own: vocabularies, country, sectors, parent, surfaces."""
        for attr, vocabulary in (("kind", "organization_kind"), ("ownership", "ownership")):
            values = self.vocabularies.get(vocabulary)
            if values is not None and getattr(o, attr) not in values:
                raise RegistryError(path, row.line_of(attr),
                                    f"{attr}: {getattr(o, attr)!r} is not one of {', '.join(values)}")
        if o.country is None:
            if o.kind != "international_organization":
                raise RegistryError(path, row.line_of("country"),
                                    "country may be null only for kind international_organization")
        elif o.country not in self.country_codes:
            raise RegistryError(path, row.line_of("country"), f"invalid country code {o.country!r}")
        for s in o.sectors:
            if s not in self.sectors:
                raise RegistryError(path, row.line_of("sectors"), f"unknown sector key {s!r}")
        if o.parent is not None:
            if o.parent == o.key:
                raise RegistryError(path, row.line_of("parent"), "organization is its own parent")
            self.parents.append((o.key, path, row.line_of("parent")))
        _check_surfaces(o, row, path, self.origins, self.generic_words)

    def _add(self, o: _OrganizationIn, row: LineDict, path: Path) -> None:
        self.orgs[o.key] = Organization(
            key=o.key, name=o.name, kind=o.kind, country=o.country, parent=o.parent, ownership=o.ownership,
            sectors=list(o.sectors), aliases=list(dict.fromkeys(o.aliases)), source_files=[str(path)],
            ambiguous_aliases=list(dict.fromkeys(o.ambiguous_aliases)))
        self.where[o.key] = (path, row)

    def _conflict(self, o: _OrganizationIn, row: LineDict, path: Path) -> RegistryError | None:
        """A second definition of a key that disagrees with the first (kind, country, parent)."""
        prev = self.orgs[o.key]
        first_path, first_row = self.where[o.key]
        for attr in ("kind", "country"):
            if getattr(prev, attr) != getattr(o, attr):
                return RegistryError(path, row.line_of(attr),
                                     f"duplicate key {o.key!r} with conflicting {attr}: {getattr(o, attr)!r} here, "
                                     f"{getattr(prev, attr)!r} at {first_path}:{first_row.line}")
        if prev.parent is not None and o.parent is not None and o.parent != prev.parent:
            return RegistryError(path, row.line_of("parent"),
                                 f"duplicate key {o.key!r} with conflicting parent: {o.parent!r} here, "
                                 f"{prev.parent!r} at {first_path}:{first_row.line}")
        return None

    def _merge(self, o: _OrganizationIn, row: LineDict, path: Path) -> None:
        """A further definition of a known key: its lists and missing values are merged."""
        conflict = self._conflict(o, row, path)
        if conflict is not None:
            if self.strict:
                raise conflict
            if self.problems is not None:  # lenient: keep the first definition
                self.problems.append(str(conflict))
            return
        prev = self.orgs[o.key]
        if prev.parent is None:
            prev.parent = o.parent
        if prev.ownership == "unknown":
            prev.ownership = o.ownership
        for lst, new in ((prev.sectors, o.sectors), (prev.aliases, o.aliases),
                         (prev.ambiguous_aliases, o.ambiguous_aliases)):
            lst.extend(x for x in new if x not in lst)
        if o.name != prev.name and o.name not in prev.aliases:
            prev.aliases.append(o.name)
        if str(path) not in prev.source_files:
            prev.source_files.append(str(path))

    def _check_parents(self) -> None:
        """Every parent exists, and no chain of parents returns to where it started."""
        for key, path, line in self.parents:
            parent = self.orgs[key].parent
            if parent is not None and parent not in self.orgs:
                raise RegistryError(path, line, f"parent {parent!r} of {key!r} does not exist")
        for key, org in self.orgs.items():
            seen = {key}
            cur = org.parent
            while cur is not None:
                if cur in seen:
                    path, row = self.where[key]
                    raise RegistryError(path, row.line_of("parent"), f"parent cycle through {key!r}")
                seen.add(cur)
                cur = self.orgs[cur].parent

    def _check_collisions(self) -> None:
        collisions = _check_alias_collisions(self.orgs, self.origins)
        if collisions and self.strict:
            raise collisions[0]
        for err in collisions:  # lenient mode: the surface becomes ambiguous for all claimants
            if self.problems is not None:
                self.problems.append(str(err))
            for key in err.claimants:  # type: ignore[attr-defined]
                self.orgs[key].ambiguous_aliases.append(err.surface)  # type: ignore[attr-defined]


def _check_surfaces(o: _OrganizationIn, row: LineDict, path: Path,
                    origins: dict[tuple[str, str], tuple[int, Path, int]],
                    generic_words: frozenset[str]) -> None:
    """Refuse a name or alias of entry ``o`` that :func:`alias_problem` refuses, and
    remember in ``origins`` where each of its surfaces was first claimed."""
    entry = Organization(o.key, o.name, o.kind, o.country, None, o.ownership,
                         aliases=list(o.aliases), ambiguous_aliases=list(o.ambiguous_aliases))
    for surface in organization_surfaces(entry):
        if surface in o.aliases:
            at = row.line_of("aliases")
        elif surface in o.ambiguous_aliases:
            at = row.line_of("ambiguous_aliases")
        else:
            at = row.line_of("name")
        problem = alias_problem(surface, generic_words)
        if problem:
            raise RegistryError(path, at, problem)
        origins.setdefault((o.key, surface_key(surface)), (len(origins), path, at))


def _check_alias_collisions(
    orgs: dict[str, Organization], origins: dict[tuple[str, str], tuple[int, Path, int]]
) -> list[RegistryError]:
    """Reject a surface claimed by two organizations unless both list it in
    ``ambiguous_aliases``. Returns one error per colliding surface, pointing at the
    later claim."""
    errors: list[RegistryError] = []
    owners: dict[str, list[str]] = {}
    for key, org in orgs.items():
        for surface in organization_surfaces(org):
            lst = owners.setdefault(surface_key(surface), [])
            if key not in lst:
                lst.append(key)
    for norm, keys in sorted(owners.items()):
        if len(keys) < 2:
            continue
        marked = [
            k for k in keys if norm in {surface_key(a) for a in orgs[k].ambiguous_aliases}
        ]
        if len(marked) == len(keys):
            continue
        claims = sorted(keys, key=lambda k: origins.get((k, norm), (0, Path(""), 0)))
        later, earlier = claims[-1], claims[0]
        _, path, line = origins[(later, norm)]
        err = RegistryError(
            path,
            line,
            f"alias {norm!r} claimed by {earlier!r} and {later!r}; list it in "
            f"ambiguous_aliases of both if it really names both",
        )
        err.surface = norm  # type: ignore[attr-defined]
        err.claimants = list(keys)  # type: ignore[attr-defined]
        errors.append(err)
    return errors


def load_registry(reference_dir: Path, *, strict: bool = True) -> Registry:
    """Read and validate everything under ``reference_dir`` (``etl/reference``).

    Raises :class:`RegistryError` (``file:line: reason``) on the first problem. With
    ``strict=False`` an alias claimed by two organizations is not fatal: it is treated
    as ambiguous for all claimants (the linker leaves it unlinked) and the message is
    kept in ``Registry.problems``, and so is a duplicate key with conflicting
    kind/country/parent (the first definition wins); every other problem still raises. Use it only for
    reports while curators are still editing (scripts/linker_quality.py)."""
    problems: list[str] = []
    reference_dir = Path(reference_dir)
    try:
        vocabularies = load_vocabularies(reference_dir)
    except VocabularyError as exc:
        file, line, reason = (str(exc).split(":", 2) + ["", ""])[:3]
        raise RegistryError(file, int(line) if line.isdigit() else 1, reason.strip()) from None
    countries = {c.code: c for c in load_countries(reference_dir)}
    codes = set(countries)
    sectors = load_sectors(reference_dir / "sectors.yaml")
    linking = load_linking(reference_dir / "linking.yaml", sectors, frozenset(vocabularies["organization_kind"]))
    aliases_path = reference_dir / "country_aliases.yaml"
    generic = linking.generic_words
    country_aliases = load_country_aliases(aliases_path, codes, generic) if aliases_path.exists() else []
    organizations = _OrganizationReader(codes, sectors, vocabularies, generic, strict, problems).read(
        reference_dir / "organizations")
    return Registry(countries, sectors, organizations, country_aliases, vocabularies, problems, linking)
