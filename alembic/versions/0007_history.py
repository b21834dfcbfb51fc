"""history: fact versions (SCD2), key redirects and withdrawals, releases; first seen / last
changed columns on core.facts and core.organizations

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 15:37:33.630449
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = '0007'
down_revision: str | Sequence[str] | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# History is not derived from the sources: a rebuild cannot bring it back. So the
# downgrade does not drop it: it moves the history and release tables into the schema
# `history_archive` (with the facts' and organizations' first seen / last changed
# columns and the run they were archived at) and the next upgrade moves them back when
# etl.runs still holds that run (a downgrade of this revision alone). After a downgrade
# past 0005 (which drops etl.runs) the run numbers the history cites are gone: the
# upgrade then starts an empty history and leaves the archive where it is, for reference
# (docs/history.md). The upgrade also clears the facts and history stage fingerprints, so
# the next run re-resolves the facts and reconciles every fact with its history.
#
# The EXCLUDE constraint on (fact_key, valid_runs) needs btree_gist (text with =), a
# trusted extension since PostgreSQL 13: the database owner may create it.
ARCHIVE = "history_archive"
TABLES = ("fact_versions", "key_redirects", "withdrawn_keys", "releases", "release_documents", "release_facts",
          "release_changes")
RUN_FKS = (("fact_versions", "run_id"), ("key_redirects", "run_id"), ("withdrawn_keys", "run_id"),
           ("releases", "run_id"), ("releases", "check_run_id"))
STAMPS = ("first_seen_run", "first_seen_at", "last_changed_run", "last_changed_at")
STAMPED = (("facts", "fact_key", "fact"), ("organizations", "organization_key", "organization"))


def upgrade() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    _add_stamps()
    if _archive_restorable():
        _restore_archive()
    else:
        _create_fact_versions()
        _create_keys()
        _create_releases()
    op.execute("DELETE FROM etl.stage_state WHERE stage IN ('facts', 'history')")


def downgrade() -> None:
    _archive()
    for table, _, _ in STAMPED:
        for column in reversed(STAMPS):
            op.drop_column(table, column, schema='core')


def _scalar(query: str):
    return op.get_bind().execute(sa.text(query)).scalar()


def _archive_restorable() -> bool:
    """An archive exists and the run it was taken at is still in etl.runs (same start)."""
    if _scalar(f"SELECT to_regclass('{ARCHIVE}.fact_versions') IS NOT NULL") is not True:
        return False
    return bool(_scalar(
        f"SELECT a.last_run_id IS NULL OR EXISTS (SELECT 1 FROM etl.runs r WHERE r.run_id = a.last_run_id "
        f"AND r.started_at = a.last_run_started_at) FROM {ARCHIVE}.archived a"))


def _run_fk(table: str, column: str) -> str:
    return f"fk_{table}_{column}_runs"


def _restore_archive() -> None:
    for table in TABLES:
        op.execute(f"ALTER TABLE {ARCHIVE}.{table} SET SCHEMA core")
    for table, column in RUN_FKS:
        op.execute(f"ALTER TABLE core.{table} ADD CONSTRAINT {_run_fk(table, column)} FOREIGN KEY ({column}) "
                   f"REFERENCES etl.runs (run_id) ON DELETE RESTRICT")
    for table, key, kind in STAMPED:
        sets = ", ".join(f"{c} = s.{c}" for c in STAMPS)
        op.execute(f"UPDATE core.{table} t SET {sets} FROM {ARCHIVE}.stamps s WHERE s.kind = '{kind}' AND s.key = t.{key}")
    op.execute(f"DROP SCHEMA {ARCHIVE} CASCADE")  # only the stamps and the archive note are left


def _archive() -> None:
    """Move the history and release tables into the archive schema (an older archive is
    renamed history_archive_<timestamp>), with the stamps and the last run."""
    if _scalar(f"SELECT to_regnamespace('{ARCHIVE}') IS NOT NULL"):
        suffix = _scalar("SELECT to_char(clock_timestamp(), 'YYYYMMDDHH24MISS')")
        op.execute(f"ALTER SCHEMA {ARCHIVE} RENAME TO {ARCHIVE}_{suffix}")
    op.execute(f"CREATE SCHEMA {ARCHIVE}")
    op.execute(f"COMMENT ON SCHEMA {ARCHIVE} IS 'etnc-db fact history and releases kept by a downgrade of "
               f"migration 0007; the next upgrade restores them while etl.runs still holds the archived run "
               f"(docs/history.md)'")
    columns = ", ".join(STAMPS)
    op.execute(f"CREATE TABLE {ARCHIVE}.stamps AS "
               + " UNION ALL ".join(f"SELECT '{kind}'::text AS kind, {key} AS key, {columns} FROM core.{table}"
                                    for table, key, kind in STAMPED))
    op.execute(f"CREATE TABLE {ARCHIVE}.archived AS SELECT now() AS archived_at, r.run_id AS last_run_id, "
               f"r.started_at AS last_run_started_at FROM (SELECT 1) one "
               f"LEFT JOIN (SELECT run_id, started_at FROM etl.runs ORDER BY run_id DESC LIMIT 1) r ON true")
    for table, column in RUN_FKS:
        op.execute(f"ALTER TABLE core.{table} DROP CONSTRAINT {_run_fk(table, column)}")
    for table in TABLES:
        op.execute(f"ALTER TABLE core.{table} SET SCHEMA {ARCHIVE}")


# --- generated by alembic revision --autogenerate (against a database at 0006) -------------


def _add_stamps() -> None:
    op.add_column('facts', sa.Column('first_seen_run', sa.BigInteger(), nullable=True, comment="Run (etl.runs.run_id) that first published the fact's key (a re-published key keeps its first run); null only inside the run that writes it."), schema='core')
    op.add_column('facts', sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True, comment="When the fact's key was first published (start of that run's transaction)."), schema='core')
    op.add_column('facts', sa.Column('last_changed_run', sa.BigInteger(), nullable=True, comment='Run that last changed any value of the fact (for a fact: the run of its newest version).'), schema='core')
    op.add_column('facts', sa.Column('last_changed_at', sa.DateTime(timezone=True), nullable=True, comment="When the fact last changed (start of that run's transaction)."), schema='core')
    op.add_column('organizations', sa.Column('first_seen_run', sa.BigInteger(), nullable=True, comment="Run (etl.runs.run_id) that first published the organization's key (a re-published key keeps its first run); null only inside the run that writes it."), schema='core')
    op.add_column('organizations', sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=True, comment="When the organization's key was first published (start of that run's transaction)."), schema='core')
    op.add_column('organizations', sa.Column('last_changed_run', sa.BigInteger(), nullable=True, comment='Run that last changed any value of the organization (for a fact: the run of its newest version).'), schema='core')
    op.add_column('organizations', sa.Column('last_changed_at', sa.DateTime(timezone=True), nullable=True, comment="When the organization last changed (start of that run's transaction)."), schema='core')


def _create_fact_versions() -> None:
    op.create_table('fact_versions',
    sa.Column('fact_version_id', sa.BigInteger(), sa.Identity(always=False), nullable=False, comment='Version number across all facts (stable: releases point at it).'),
    sa.Column('fact_key', sa.Text(), nullable=False, comment="The fact's business key (core.facts.fact_key, also after the fact is gone)."),
    sa.Column('version', sa.Integer(), nullable=False, comment='1, 2, ... per fact key.'),
    sa.Column('fact_type', sa.Text(), nullable=False, comment='agreement, investment or policy_measure.'),
    sa.Column('change', sa.Text(), nullable=False, comment='added (first version), changed, removed (a tombstone: the key left the published data) or readded.'),
    sa.Column('valid_runs', postgresql.INT8RANGE(), nullable=False, comment='Runs for which this version was the published state: [run that wrote it, run that superseded it); unbounded above while current.'),
    sa.Column('valid_from', sa.DateTime(timezone=True), nullable=False, comment="When this version was published (start of the writing run's transaction)."),
    sa.Column('valid_to', sa.DateTime(timezone=True), nullable=True, comment='When it was superseded; null while current.'),
    sa.Column('run_id', sa.BigInteger(), nullable=False, comment='Run that wrote this version (= lower(valid_runs)).'),
    sa.Column('fact_values', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment='The fact at this version: every curated field by its curated-file name (registry keys for references), derived values, sectors, parties or targets, relations and evidence spans with the endnotes they cite; null for a removal.'),
    sa.Column('changed_fields', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False, comment='Fields whose values differ from the previous version (for readded: from the last version before the removal); empty for added and removed.'),
    sa.Column('source_sha256', postgresql.JSONB(astext_type=sa.Text()), server_default=sa.text("'{}'::jsonb"), nullable=False, comment='document_key -> sha256 of the source document version(s) the evidence quotes.'),
    sa.Column('candidate_key', sa.Text(), nullable=True, comment='The review candidate whose decision produced this version (core.facts.candidate_key); null for a record curated without one.'),
    sa.Column('removal_reason', sa.Text(), nullable=True, comment='For a removal: withdrawn (listed under withdrawn:), renamed or merged (another record replaces it), forced (removed with --force).'),
    sa.Column('reason_text', sa.Text(), nullable=True, comment="The withdrawn: entry's reason, or what a forced removal was."),
    sa.Column('redirect_to', sa.Text(), nullable=True, comment='For renamed or merged: the key that replaces it.'),
    sa.Column('source_file', sa.Text(), nullable=True, comment='Curated file and line of the record at this version (informational: not compared).'),
    postgresql.ExcludeConstraint((sa.column('fact_key'), '='), (sa.column('valid_runs'), '&&'), using='gist', name='fact_versions_no_overlap'),
    sa.CheckConstraint("(change = 'removed') = (fact_values IS NULL)", name=op.f('ck_fact_versions_removed_has_no_values')),
    sa.CheckConstraint("(change = 'removed') = (removal_reason IS NOT NULL)", name=op.f('ck_fact_versions_removed_has_reason')),
    sa.CheckConstraint("change IN ('added', 'changed', 'removed', 'readded')", name=op.f('ck_fact_versions_change_vocab')),
    sa.CheckConstraint("removal_reason IN ('withdrawn', 'renamed', 'merged', 'forced')", name=op.f('ck_fact_versions_removal_reason_vocab')),
    sa.CheckConstraint('NOT isempty(valid_runs) AND lower(valid_runs) = run_id', name=op.f('ck_fact_versions_valid_from_its_run')),
    sa.ForeignKeyConstraint(['run_id'], ['etl.runs.run_id'], name=op.f('fk_fact_versions_run_id_runs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('fact_version_id', name=op.f('pk_fact_versions')),
    sa.UniqueConstraint('fact_key', 'version', name=op.f('uq_fact_versions_fact_key_version')),
    schema='core',
    comment='Fact history (SCD2): one row per version of a fact key — added, changed, removed (with the reason) or re-added — valid from the run that wrote it until the run that superseded it. Versions never overlap (EXCLUDE constraint) and are never deleted.'
    )
    op.create_index('ix_fact_versions_current', 'fact_versions', ['fact_key'], unique=True, schema='core', postgresql_where=sa.text('upper_inf(valid_runs)'))
    op.create_index(op.f('ix_fact_versions_run_id'), 'fact_versions', ['run_id'], unique=False, schema='core')


def _create_keys() -> None:
    op.create_table('key_redirects',
    sa.Column('old_key', sa.Text(), nullable=False, comment='The replaced fact key.'),
    sa.Column('new_key', sa.Text(), nullable=False, comment='The key of the record that replaces it (follow further redirects from there).'),
    sa.Column('reason', sa.Text(), nullable=False, comment='renamed (a new key took over one old key) or merged (the survivor already existed, or replaces several keys).'),
    sa.Column('run_id', sa.BigInteger(), nullable=False, comment='Run that recorded the redirect.'),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False, comment='When it was recorded.'),
    sa.CheckConstraint("reason IN ('renamed', 'merged')", name=op.f('ck_key_redirects_reason_vocab')),
    sa.CheckConstraint('old_key <> new_key', name=op.f('ck_key_redirects_not_self')),
    sa.ForeignKeyConstraint(['run_id'], ['etl.runs.run_id'], name=op.f('fk_key_redirects_run_id_runs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('old_key', name=op.f('pk_key_redirects')),
    schema='core',
    comment="Fact keys that were renamed or merged into another key (a curated record's replaces:), so bookmarks of the old key still lead somewhere. Kept when the old key is gone; removed only if the old key is published again."
    )
    op.create_index(op.f('ix_key_redirects_new_key'), 'key_redirects', ['new_key'], unique=False, schema='core')
    op.create_index(op.f('ix_key_redirects_run_id'), 'key_redirects', ['run_id'], unique=False, schema='core')
    op.create_table('withdrawn_keys',
    sa.Column('withdrawn_key', sa.Text(), nullable=False, comment='The withdrawn fact key.'),
    sa.Column('kind', sa.Text(), nullable=False, comment='withdrawn (declared in a curated file) or forced (disappeared and removed with --force).'),
    sa.Column('reason', sa.Text(), nullable=False, comment="The curated reason, or 'forced' with what was removed."),
    sa.Column('run_id', sa.BigInteger(), nullable=False, comment='Run that recorded the withdrawal.'),
    sa.Column('recorded_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False, comment='When it was recorded.'),
    sa.CheckConstraint("kind IN ('withdrawn', 'forced')", name=op.f('ck_withdrawn_keys_kind_vocab')),
    sa.ForeignKeyConstraint(['run_id'], ['etl.runs.run_id'], name=op.f('fk_withdrawn_keys_run_id_runs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('withdrawn_key', name=op.f('pk_withdrawn_keys')),
    schema='core',
    comment="Fact keys withdrawn from the published data: listed under a curated file's withdrawn: with a reason, or removed with --force. Kept when the key is gone; removed only if the key is published again."
    )
    op.create_index(op.f('ix_withdrawn_keys_run_id'), 'withdrawn_keys', ['run_id'], unique=False, schema='core')


def _create_releases() -> None:
    op.create_table('releases',
    sa.Column('release_id', sa.BigInteger(), sa.Identity(always=False), nullable=False, comment='Release number (order of creation).'),
    sa.Column('tag', sa.Text(), nullable=False, comment='vYYYY.MM.N: year and month of the release, N counting releases of that month.'),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('now()'), nullable=False, comment='When the release was made.'),
    sa.Column('run_id', sa.BigInteger(), nullable=False, comment='The last succeeded load or build run: the published state the release freezes.'),
    sa.Column('check_run_id', sa.BigInteger(), nullable=False, comment='The etnc-db check run that validated that state.'),
    sa.Column('previous_release_id', sa.BigInteger(), nullable=True, comment='The release before it (its delta is against that one); null for the first.'),
    sa.Column('curated_commit', sa.Text(), nullable=True, comment='git commit of the curated folder when it is in a git repository with no uncommitted changes; else null.'),
    sa.Column('curated_state', sa.Text(), nullable=False, comment='clean (commit recorded), dirty (uncommitted changes: no commit reproduces it) or not_git.'),
    sa.Column('note', sa.Text(), nullable=True, comment='Free text given with --note.'),
    sa.Column('fact_count', sa.Integer(), nullable=False, comment='Facts in the release.'),
    sa.Column('row_counts', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment='Rows per core table at release time.'),
    sa.Column('data_quality', postgresql.JSONB(astext_type=sa.Text()), nullable=False, comment="The check run's result: run, passed, failed, finished_at."),
    sa.Column('pending_candidates', sa.Integer(), nullable=False, comment='Review candidates of the released documents still pending (0 unless released with --allow-pending).'),
    sa.CheckConstraint("(curated_state = 'clean') = (curated_commit IS NOT NULL)", name=op.f('ck_releases_commit_when_clean')),
    sa.CheckConstraint("curated_state IN ('clean', 'dirty', 'not_git')", name=op.f('ck_releases_curated_state_vocab')),
    sa.CheckConstraint("tag ~ '^v[0-9]{4}\\.[0-9]{2}\\.[0-9]+$'", name=op.f('ck_releases_tag_format')),
    sa.ForeignKeyConstraint(['check_run_id'], ['etl.runs.run_id'], name=op.f('fk_releases_check_run_id_runs'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['previous_release_id'], ['core.releases.release_id'], name=op.f('fk_releases_previous_release_id_releases'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['run_id'], ['etl.runs.run_id'], name=op.f('fk_releases_run_id_runs'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('release_id', name=op.f('pk_releases')),
    sa.UniqueConstraint('tag', name=op.f('uq_releases_tag')),
    schema='core',
    comment="Numbered releases (etnc-db release): the published state frozen with the run it came from, its source documents, the curated files' commit, row counts and data-quality result."
    )
    op.create_index(op.f('ix_releases_check_run_id'), 'releases', ['check_run_id'], unique=False, schema='core')
    op.create_index(op.f('ix_releases_previous_release_id'), 'releases', ['previous_release_id'], unique=False, schema='core')
    op.create_index(op.f('ix_releases_run_id'), 'releases', ['run_id'], unique=False, schema='core')
    op.create_table('release_changes',
    sa.Column('release_id', sa.BigInteger(), nullable=False, comment='The release.'),
    sa.Column('fact_key', sa.Text(), nullable=False, comment='The fact key.'),
    sa.Column('fact_type', sa.Text(), nullable=False, comment='agreement, investment or policy_measure.'),
    sa.Column('change', sa.Text(), nullable=False, comment='added, changed, removed or redirected.'),
    sa.Column('changed_fields', sa.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False, comment='For changed: the fields whose values differ.'),
    sa.Column('old_values', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment="For changed: the changed fields' values in the previous release."),
    sa.Column('new_values', postgresql.JSONB(astext_type=sa.Text()), nullable=True, comment="For changed: the changed fields' values in this release."),
    sa.Column('reason', sa.Text(), nullable=True, comment='For removed and redirected: withdrawn, forced, renamed or merged.'),
    sa.Column('reason_text', sa.Text(), nullable=True, comment='The withdrawn reason (or what a forced removal was).'),
    sa.Column('redirect_to', sa.Text(), nullable=True, comment='For redirected: the key that replaces it.'),
    sa.Column('old_version_id', sa.BigInteger(), nullable=True, comment='Its version in the previous release.'),
    sa.Column('new_version_id', sa.BigInteger(), nullable=True, comment='Its version in this release.'),
    sa.CheckConstraint("change IN ('added', 'changed', 'removed', 'redirected')", name=op.f('ck_release_changes_change_vocab')),
    sa.ForeignKeyConstraint(['new_version_id'], ['core.fact_versions.fact_version_id'], name=op.f('fk_release_changes_new_version_id_fact_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['old_version_id'], ['core.fact_versions.fact_version_id'], name=op.f('fk_release_changes_old_version_id_fact_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['release_id'], ['core.releases.release_id'], name=op.f('fk_release_changes_release_id_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'fact_key', name=op.f('pk_release_changes')),
    schema='core',
    comment='The delta of a release against the previous one, per fact key: added, changed (fields, old and new values), removed (with the reason) or redirected (renamed or merged into another key). Computed when the release is made.'
    )
    op.create_index(op.f('ix_release_changes_new_version_id'), 'release_changes', ['new_version_id'], unique=False, schema='core')
    op.create_index(op.f('ix_release_changes_old_version_id'), 'release_changes', ['old_version_id'], unique=False, schema='core')
    op.create_table('release_documents',
    sa.Column('release_id', sa.BigInteger(), nullable=False, comment='The release.'),
    sa.Column('document_key', sa.Text(), nullable=False, comment='The document (core.documents.document_key).'),
    sa.Column('file_name', sa.Text(), nullable=False, comment='Its file in the corpus folder.'),
    sa.Column('sha256', sa.String(length=64), nullable=False, comment="SHA-256 of the file's bytes at release time."),
    sa.CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name=op.f('ck_release_documents_sha256_format')),
    sa.ForeignKeyConstraint(['release_id'], ['core.releases.release_id'], name=op.f('fk_release_documents_release_id_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'document_key', name=op.f('pk_release_documents')),
    schema='core',
    comment='The source documents of a release, with the sha256 of the version released.'
    )
    op.create_table('release_facts',
    sa.Column('release_id', sa.BigInteger(), nullable=False, comment='The release.'),
    sa.Column('fact_key', sa.Text(), nullable=False, comment='The fact key.'),
    sa.Column('fact_version_id', sa.BigInteger(), nullable=False, comment='Its version in the release.'),
    sa.ForeignKeyConstraint(['fact_version_id'], ['core.fact_versions.fact_version_id'], name=op.f('fk_release_facts_fact_version_id_fact_versions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['release_id'], ['core.releases.release_id'], name=op.f('fk_release_facts_release_id_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'fact_key', name=op.f('pk_release_facts')),
    schema='core',
    comment='The fact versions a release contains: one per published fact key.'
    )
    op.create_index(op.f('ix_release_facts_fact_version_id'), 'release_facts', ['fact_version_id'], unique=False, schema='core')
