"""The pipeline's `history` step: fact versions (SCD2), key redirects and withdrawals,
first seen / last changed stamps. Runs in the run's transaction after the facts are
written, only when they (or the reference data) changed; set-based SQL over the facts
the run changed (docs/history.md).

Which facts changed is read from the run's own change log (etl.changes): every business
key of a fact table starts with the fact key (`hu-catl-debrecen`, `hu-catl-debrecen|...`,
`hu-catl-debrecen@document:...`). A first build (logged as one `*` entry per table) or a
database whose history is not yet complete (`reconcile`, after the migration) compares
every fact instead. For each fact in that set the step builds its values as one jsonb
object from the models (every curated field by its curated-file name, registry keys for
references, derived values, sectors, parties or targets, relations, evidence spans with
their endnotes) and compares it with the key's current version: a new version is written
only where they differ, and the superseded one is closed at this run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import psycopg

from etnc_db.facts.keys import KeyChanges
from etnc_db.tables import TableResult

# Bumping the version makes the next run compare every fact again (stage_state 'history').
FINGERPRINT = "history-v1"
STAMPS = ("first_seen_run", "first_seen_at", "last_changed_run", "last_changed_at")
# core.facts columns that are not values of the fact: where it was written, the stamps,
# and the review candidate it came from (recorded in its own column of the version)
NOT_VALUES = {"fact_id", "fact_key", "source_file", "candidate_key", *STAMPS}
ORGANIZATION_TABLES = ("core.organizations", "core.organization_aliases", "core.organization_sectors",
                       "core.companies")
FORCED_REASON = "removed with --force: no curated record defined, replaced or withdrew it"


@dataclass
class HistoryResult:
    """What the step wrote: versions per kind of change, and key bookkeeping."""

    versions: dict[str, int] = field(default_factory=dict)  # added/changed/removed/readded -> count
    closed: int = 0  # versions superseded
    redirects: int = 0  # key redirects recorded or changed
    withdrawn: int = 0  # withdrawals recorded or changed
    redirects_dropped: int = 0  # redirects of keys published again
    withdrawn_dropped: int = 0  # withdrawals of keys published again
    organizations: int = 0  # organizations stamped

    def tables(self) -> dict[str, TableResult]:
        """What the step wrote per table, for the run's table counts."""
        return {"core.fact_versions": TableResult("core.fact_versions", sum(self.versions.values()), self.closed),
                "core.key_redirects": TableResult("core.key_redirects", self.redirects, 0, self.redirects_dropped),
                "core.withdrawn_keys": TableResult("core.withdrawn_keys", self.withdrawn, 0, self.withdrawn_dropped)}


def record_history(conn: psycopg.Connection, run_id: int, keys: KeyChanges | None, *, reconcile: bool,
                   reference_changed: bool) -> HistoryResult:
    """Write this run's fact versions, redirects, withdrawals and stamps (in the caller's
    transaction). `keys` is the facts stage's key bookkeeping (None when the facts stage
    did nothing); `reconcile` compares every fact instead of the changed ones."""
    result = HistoryResult()
    if keys is not None:
        _record_keys(conn, run_id, keys, result)
    if keys is not None or reconcile:
        _changed_keys(conn, run_id, reconcile)
        conn.execute(snapshot_sql())
        _removals(conn, keys)
        _write_versions(conn, run_id, result)
        _stamp_facts(conn, run_id, reconcile)
        _release_published_keys(conn, result)
    if reference_changed or reconcile:
        result.organizations = _stamp_organizations(conn, run_id)
    return result


# -- keys --------------------------------------------------------------------------------


def _record_keys(conn: psycopg.Connection, run_id: int, keys: KeyChanges, result: HistoryResult) -> None:
    """Record replaces: as redirects (the first reason stays unless the target changes),
    withdrawn: and forced removals as withdrawals."""
    olds = sorted(keys.replaces)
    result.redirects = conn.execute(
        "INSERT INTO core.key_redirects (old_key, new_key, reason, run_id) "
        "SELECT o, n, r, %s FROM unnest(%s::text[], %s::text[], %s::text[]) AS x(o, n, r) "
        "ON CONFLICT (old_key) DO UPDATE SET new_key = EXCLUDED.new_key, reason = EXCLUDED.reason, "
        "run_id = EXCLUDED.run_id, recorded_at = now() WHERE key_redirects.new_key <> EXCLUDED.new_key",
        (run_id, olds, [keys.replaces[o] for o in olds], [keys.redirect_reason(keys.replaces[o]) for o in olds]),
    ).rowcount
    entries = sorted([(k, "withdrawn", r) for k, r in keys.withdrawn.items()] + [(k, "forced", FORCED_REASON) for k in keys.forced])
    result.withdrawn = conn.execute(
        "INSERT INTO core.withdrawn_keys (withdrawn_key, kind, reason, run_id) "
        "SELECT k, c, r, %s FROM unnest(%s::text[], %s::text[], %s::text[]) AS x(k, c, r) "
        "ON CONFLICT (withdrawn_key) DO UPDATE SET kind = EXCLUDED.kind, reason = EXCLUDED.reason, "
        "run_id = EXCLUDED.run_id, recorded_at = now() "
        "WHERE (withdrawn_keys.kind, withdrawn_keys.reason) IS DISTINCT FROM (EXCLUDED.kind, EXCLUDED.reason)",
        (run_id, [e[0] for e in entries], [e[1] for e in entries], [e[2] for e in entries]),
    ).rowcount


def _removals(conn: psycopg.Connection, keys: KeyChanges | None) -> None:
    """hist_removal: why each key that may leave the published data leaves it."""
    conn.execute("CREATE TEMP TABLE hist_removal (fact_key text PRIMARY KEY, reason text NOT NULL, "
                 "reason_text text, redirect_to text) ON COMMIT DROP")
    if keys is None:
        return
    rows = {k: ("forced", FORCED_REASON, None) for k in keys.forced}
    rows.update({k: ("withdrawn", r, None) for k, r in keys.withdrawn.items()})
    rows.update({old: (keys.redirect_reason(new), None, new) for old, new in keys.replaces.items()})
    with conn.cursor() as cur, cur.copy("COPY hist_removal FROM STDIN") as copy:
        for key, (reason, text, target) in sorted(rows.items()):
            copy.write_row((key, reason, text, target))


def _release_published_keys(conn: psycopg.Connection, result: HistoryResult) -> None:
    """A redirected or withdrawn key that is published again is neither any more (its
    history keeps what happened)."""
    result.redirects_dropped = conn.execute(
        "DELETE FROM core.key_redirects WHERE old_key IN (SELECT fact_key FROM hist_now)").rowcount
    result.withdrawn_dropped = conn.execute(
        "DELETE FROM core.withdrawn_keys WHERE withdrawn_key IN (SELECT fact_key FROM hist_now)").rowcount


# -- which facts to compare ------------------------------------------------------------------


def _fact_tables() -> list[str]:
    """Tables whose business keys start with a fact key."""
    from etnc_db.db.models import FACT_TYPES

    tables = ["core.facts"]
    for spec in FACT_TYPES.values():
        tables += [spec.table, *(child for _, child in spec.children)]
    return tables + ["core.fact_sectors", "core.fact_relations", "core.evidence", "core.evidence_citations"]


def _changed_keys(conn: psycopg.Connection, run_id: int, reconcile: bool) -> None:
    """hist_keys: the fact keys this run may have changed; hist_ids: those published now."""
    tables = _fact_tables()
    everything = reconcile or conn.execute(
        "SELECT EXISTS (SELECT 1 FROM etl.changes WHERE run_id = %s AND business_key = '*' AND table_name = ANY(%s))",
        (run_id, tables)).fetchone()[0]
    if everything:
        conn.execute("CREATE TEMP TABLE hist_keys ON COMMIT DROP AS SELECT fact_key FROM core.facts "
                     "UNION SELECT fact_key FROM core.fact_versions WHERE upper_inf(valid_runs) AND change <> 'removed'")
    else:
        conn.execute("CREATE TEMP TABLE hist_keys ON COMMIT DROP AS SELECT DISTINCT "
                     "substring(business_key FROM '^[a-z0-9][a-z0-9-]*') AS fact_key FROM etl.changes "
                     "WHERE run_id = %s AND table_name = ANY(%s) AND business_key <> '*'", (run_id, tables))
    conn.execute("ALTER TABLE hist_keys ADD PRIMARY KEY (fact_key)")
    conn.execute("CREATE TEMP TABLE hist_ids ON COMMIT DROP AS "
                 "SELECT f.fact_id, f.fact_key FROM core.facts f JOIN hist_keys USING (fact_key)")
    conn.execute("ALTER TABLE hist_ids ADD PRIMARY KEY (fact_id)")
    conn.execute("ANALYZE hist_keys")
    conn.execute("ANALYZE hist_ids")


# -- the values of a fact, from the models --------------------------------------------------------


def _business_key(table) -> str:
    """The business-key column of a referenced table (unique *_key or *_code)."""
    return next(c.name for c in table.columns if c.unique and c.name.endswith(("_key", "_code")))


def _value_exprs(table, alias: str, skip: set[str]) -> tuple[list[tuple[str, str]], list[str]]:
    """(name, SQL expression) of every value column of `table` read as `alias`, named by
    its curated field (else its column), an integer foreign key as the referenced row's
    business key; and the LEFT JOINs those keys need."""
    pairs, joins = [], []
    for column in table.columns:
        if column.primary_key or column.name in skip:
            continue
        name = column.info.get("field")
        fk = next(iter(column.foreign_keys), None)
        if fk is not None and column.name.endswith("_id"):
            target = fk.column.table
            ref = f"{alias}_{column.name}"
            joins.append(f"LEFT JOIN {target.fullname} {ref} ON {ref}.{fk.column.name} = {alias}.{column.name}")
            pairs.append((name or column.name.removesuffix("_id"), f"{ref}.{_business_key(target)}"))
        else:
            pairs.append((name or column.name, f"{alias}.{column.name}"))
    return pairs, joins


def _object(pairs: list[tuple[str, str]]) -> str:
    """jsonb_build_object over `pairs`, in chunks (a function takes at most 100 arguments)."""
    chunks = [pairs[i:i + 40] for i in range(0, len(pairs), 40)] or [[]]
    return " || ".join("jsonb_build_object(" + ", ".join(f"'{n}', {e}" for n, e in chunk) + ")" for chunk in chunks)


def _child_sql(spec, list_key: str, child_name: str) -> str:
    """Per fact of the type: its child list (parties, targets) as a sorted jsonb array."""
    from etnc_db.db.models import metadata

    child, parent = metadata.tables[child_name], metadata.tables[spec.table]
    parent_pk = next(c.name for c in parent.primary_key.columns)
    link = next(c.name for c in child.columns if any(fk.column.table is parent for fk in c.foreign_keys))
    pairs, joins = _value_exprs(child, "c", {link, _business_key(child)})
    return (f"SELECT x.{link}, jsonb_agg(x.o ORDER BY x.o::text) AS v FROM (SELECT c.{link}, "
            f"jsonb_strip_nulls({_object(pairs)}) AS o FROM {child_name} c "
            f"JOIN {spec.table} p ON p.{parent_pk} = c.{link} JOIN hist_ids k ON k.fact_id = p.fact_id "
            f"{' '.join(joins)}) x GROUP BY x.{link}")


def _type_sql(spec) -> str:
    """Per fact of the type: its type table's values and child lists as one jsonb object."""
    from etnc_db.db.models import metadata

    table = metadata.tables[spec.table]
    pk = next(c.name for c in table.primary_key.columns)
    pairs, joins = _value_exprs(table, "t", {"fact_id", spec.key})
    for i, (list_key, child_name) in enumerate(spec.children):
        link = next(c.name for c in metadata.tables[child_name].columns
                    if any(fk.column.table is table for fk in c.foreign_keys))
        joins.append(f"LEFT JOIN ({_child_sql(spec, list_key, child_name)}) ch{i} ON ch{i}.{link} = t.{pk}")
        pairs.append((list_key, f"coalesce(ch{i}.v, '[]'::jsonb)"))
    return f"SELECT t.fact_id, {_object(pairs)} AS v FROM {spec.table} t JOIN hist_ids k USING (fact_id) {' '.join(joins)}"


@cache
def snapshot_sql() -> str:
    """CREATE TEMP TABLE hist_now: per fact in hist_ids its type, values, the sha256 of
    the documents its evidence quotes, its review candidate and source file."""
    from etnc_db.db.models import FACT_TYPES, metadata

    facts, _ = _value_exprs(metadata.tables["core.facts"], "f", NOT_VALUES)
    typed = " UNION ALL ".join(_type_sql(spec) for spec in FACT_TYPES.values())
    values = (f"jsonb_strip_nulls({_object(facts)} || coalesce(typed.v, '{{}}'::jsonb) || jsonb_build_object("
              "'sectors', coalesce(sectors.v, '[]'::jsonb), 'related', coalesce(related.v, '[]'::jsonb), "
              "'evidence', coalesce(ev.v, '[]'::jsonb)))")
    return f"""CREATE TEMP TABLE hist_now ON COMMIT DROP AS
WITH typed AS ({typed}),
sectors AS (SELECT fs.fact_id, jsonb_agg(s.sector_key ORDER BY s.sector_key) AS v FROM core.fact_sectors fs
            JOIN hist_ids k USING (fact_id) JOIN core.sectors s USING (sector_id) GROUP BY 1),
related AS (SELECT r.fact_id, jsonb_agg(jsonb_build_object('fact', o.fact_key, 'relation', r.relation)
                   ORDER BY o.fact_key, r.relation) AS v FROM core.fact_relations r
            JOIN hist_ids k USING (fact_id) JOIN core.facts o ON o.fact_id = r.related_fact_id GROUP BY 1),
cites AS (SELECT ec.evidence_id, jsonb_agg(c.citation_key ORDER BY c.citation_key) AS v FROM core.evidence_citations ec
          JOIN core.evidence e USING (evidence_id) JOIN hist_ids k ON k.fact_id = e.fact_id
          JOIN core.citations c USING (citation_id) GROUP BY 1),
ev AS (SELECT e.fact_id, jsonb_agg(jsonb_build_object('document', d.document_key, 'start', e.char_start,
              'end', e.char_end, 'quote', e.quote, 'match_method', e.match_method, 'citations', coalesce(ci.v, '[]'::jsonb))
              ORDER BY d.document_key, e.char_start, e.char_end) AS v,
              jsonb_object_agg(d.document_key, d.sha256) AS src
       FROM core.evidence e JOIN hist_ids k USING (fact_id) JOIN core.documents d USING (document_id)
       LEFT JOIN cites ci USING (evidence_id) GROUP BY 1)
SELECT k.fact_key, f.fact_type, {values} AS fact_values, coalesce(ev.src, '{{}}'::jsonb) AS source_sha256,
       f.candidate_key, f.source_file
FROM hist_ids k JOIN core.facts f USING (fact_id) LEFT JOIN typed USING (fact_id) LEFT JOIN sectors USING (fact_id)
LEFT JOIN related USING (fact_id) LEFT JOIN ev USING (fact_id)"""


# -- versions and stamps --------------------------------------------------------------------------

_NEW_VERSIONS = """
CREATE TEMP TABLE hist_new ON COMMIT DROP AS
SELECT coalesce(n.fact_key, o.fact_key) AS fact_key, coalesce(n.fact_type, o.fact_type) AS fact_type,
       CASE WHEN n.fact_key IS NULL THEN 'removed' WHEN o.fact_key IS NULL THEN 'added'
            WHEN o.change = 'removed' THEN 'readded' ELSE 'changed' END AS change,
       n.fact_values, n.source_sha256, n.candidate_key, n.source_file, o.fact_version_id AS superseded,
       coalesce(o.version, (SELECT max(p.version) FROM core.fact_versions p WHERE p.fact_key = n.fact_key), 0) + 1 AS version,
       CASE WHEN o.change = 'removed' THEN (SELECT p.fact_values FROM core.fact_versions p WHERE p.fact_key = o.fact_key
                                            AND p.fact_values IS NOT NULL ORDER BY p.version DESC LIMIT 1)
            ELSE o.fact_values END AS before
FROM hist_now n
FULL JOIN (SELECT v.* FROM core.fact_versions v JOIN hist_keys USING (fact_key) WHERE upper_inf(v.valid_runs)) o
     ON o.fact_key = n.fact_key
WHERE (n.fact_key IS NULL AND o.change <> 'removed')
   OR (n.fact_key IS NOT NULL AND (o.fact_key IS NULL OR o.change = 'removed' OR o.fact_values IS DISTINCT FROM n.fact_values))
"""
_CLOSE = """
UPDATE core.fact_versions v SET valid_runs = int8range(lower(v.valid_runs), %(run)s), valid_to = now()
FROM hist_new h WHERE v.fact_version_id = h.superseded
"""
_INSERT = """
INSERT INTO core.fact_versions (fact_key, version, fact_type, change, valid_runs, valid_from, run_id, fact_values,
                                changed_fields, source_sha256, candidate_key, removal_reason, reason_text, redirect_to,
                                source_file)
SELECT h.fact_key, h.version, h.fact_type, h.change, int8range(%(run)s, NULL), now(), %(run)s, h.fact_values,
       CASE WHEN h.change IN ('changed', 'readded') THEN ARRAY(
           SELECT k FROM (SELECT jsonb_object_keys(h.fact_values) UNION SELECT jsonb_object_keys(h.before)) ks(k)
           WHERE h.fact_values -> k IS DISTINCT FROM h.before -> k ORDER BY k) ELSE '{}' END,
       coalesce(h.source_sha256, '{}'::jsonb), h.candidate_key,
       CASE WHEN h.change = 'removed' THEN coalesce(r.reason, 'forced') END,
       CASE WHEN h.change = 'removed' THEN coalesce(r.reason_text, CASE WHEN r.reason IS NULL THEN %(forced)s END) END,
       CASE WHEN h.change = 'removed' THEN r.redirect_to END, h.source_file
FROM hist_new h LEFT JOIN hist_removal r ON r.fact_key = h.fact_key
ORDER BY h.fact_key
"""


def _write_versions(conn: psycopg.Connection, run_id: int, result: HistoryResult) -> None:
    """Close the superseded versions at this run and open the new ones."""
    conn.execute(_NEW_VERSIONS)
    params = {"run": run_id, "forced": FORCED_REASON + " (or while history was not recorded)"}
    result.closed = conn.execute(_CLOSE, params).rowcount
    conn.execute(_INSERT, params)
    result.versions = dict(conn.execute("SELECT change, count(*) FROM hist_new GROUP BY 1").fetchall())


def _stamp_facts(conn: psycopg.Connection, run_id: int, reconcile: bool) -> None:
    """first seen (the key's first version) and last changed (this run) of every fact
    with a new version; when reconciling, also facts whose stamps are missing."""
    conn.execute(
        "UPDATE core.facts f SET first_seen_run = s.first_run, first_seen_at = s.first_at, "
        "last_changed_run = %(run)s, last_changed_at = now() FROM hist_new h, LATERAL ("
        "SELECT min(v.run_id) AS first_run, min(v.valid_from) AS first_at FROM core.fact_versions v "
        "WHERE v.fact_key = h.fact_key) s WHERE f.fact_key = h.fact_key AND h.change <> 'removed'", {"run": run_id})
    if reconcile:
        conn.execute(
            "UPDATE core.facts f SET first_seen_run = s.first_run, first_seen_at = s.first_at, "
            "last_changed_run = s.last_run, last_changed_at = s.last_at FROM (SELECT fact_key, min(run_id) AS first_run, "
            "min(valid_from) AS first_at, max(run_id) AS last_run, max(valid_from) AS last_at FROM core.fact_versions "
            "WHERE fact_values IS NOT NULL GROUP BY fact_key) s WHERE f.first_seen_run IS NULL AND s.fact_key = f.fact_key")


def _stamp_organizations(conn: psycopg.Connection, run_id: int) -> int:
    """Organizations the run inserted or changed (the row, its aliases, sectors or company
    row), and any not stamped yet."""
    return conn.execute(
        "UPDATE core.organizations o SET first_seen_run = coalesce(o.first_seen_run, %(run)s), "
        "first_seen_at = coalesce(o.first_seen_at, now()), last_changed_run = %(run)s, last_changed_at = now() "
        "WHERE o.first_seen_run IS NULL OR o.organization_key IN (SELECT split_part(business_key, '|', 1) "
        "FROM etl.changes WHERE run_id = %(run)s AND table_name = ANY(%(tables)s))",
        {"run": run_id, "tables": list(ORGANIZATION_TABLES)}).rowcount


# -- reading a fact's timeline (etnc-db history KEY) -----------------------------------------------


class UnknownKey(Exception):
    """No fact, version, redirect or withdrawal has this key."""


def timeline(conn: psycopg.Connection, key: str) -> dict:
    """The timeline of `key`: its versions, then, while it was renamed or merged, the
    versions of the key that replaced it; with its withdrawal and the keys merged into it."""
    chain, seen = [], set()
    current: str | None = key
    while current is not None and current not in seen:
        seen.add(current)
        chain.append(_key_timeline(conn, current))
        row = conn.execute("SELECT new_key, reason, run_id, recorded_at FROM core.key_redirects WHERE old_key = %s",
                           (current,)).fetchone()
        chain[-1]["redirect"] = dict(zip(("new_key", "reason", "run_id", "recorded_at"), row, strict=True)) if row else None
        current = row[0] if row else None
    if not any(k["versions"] or k["published"] or k["redirect"] or k["withdrawn"] for k in chain):
        raise UnknownKey(f"unknown fact key {key!r}: no published fact, history, redirect or withdrawal has it")
    return {"key": key, "final_key": chain[-1]["fact_key"], "keys": chain}


def _key_timeline(conn: psycopg.Connection, key: str) -> dict:
    """One key: whether it is published, its stamps, versions (with old -> new values of
    the changed fields), withdrawal and the keys redirected into it."""
    stamps = conn.execute("SELECT fact_type, first_seen_run, first_seen_at, last_changed_run, last_changed_at "
                          "FROM core.facts WHERE fact_key = %s", (key,)).fetchone()
    rows = conn.execute(
        "SELECT version, fact_type, change, lower(valid_runs), upper(valid_runs), valid_from, valid_to, changed_fields, "
        "fact_values, source_sha256, candidate_key, removal_reason, reason_text, redirect_to "
        "FROM core.fact_versions WHERE fact_key = %s ORDER BY version", (key,)).fetchall()
    versions, last_values = [], None
    for (version, fact_type, change, run_from, run_to, valid_from, valid_to, fields, values, sources, candidate,
         reason, reason_text, redirect_to) in rows:
        changes = {f: {"old": (last_values or {}).get(f), "new": values.get(f)} for f in fields} if values else {}
        versions.append({"version": version, "fact_type": fact_type, "change": change, "run_from": run_from,
                         "run_to": run_to, "valid_from": valid_from, "valid_to": valid_to, "changes": changes,
                         "source_sha256": sources, "candidate_key": candidate, "removal_reason": reason,
                         "reason_text": reason_text, "redirect_to": redirect_to, "title": (values or {}).get("title")})
        last_values = values if values is not None else last_values
    withdrawn = conn.execute("SELECT kind, reason, run_id, recorded_at FROM core.withdrawn_keys WHERE withdrawn_key = %s",
                             (key,)).fetchone()
    merged_in = [r[0] for r in conn.execute("SELECT old_key FROM core.key_redirects WHERE new_key = %s ORDER BY 1", (key,))]
    return {"fact_key": key, "published": stamps is not None,
            "fact_type": stamps[0] if stamps else (rows[-1][1] if rows else None),
            "first_seen_run": stamps[1] if stamps else None, "first_seen_at": stamps[2] if stamps else None,
            "last_changed_run": stamps[3] if stamps else None, "last_changed_at": stamps[4] if stamps else None,
            "versions": versions, "values": last_values,
            "withdrawn": dict(zip(("kind", "reason", "run_id", "recorded_at"), withdrawn, strict=True)) if withdrawn else None,
            "redirected_from": merged_in}
