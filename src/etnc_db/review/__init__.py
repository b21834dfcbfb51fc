"""The review queue: candidate facts proposed from documents wait in a review store
(schema `review`) until a person accepts, edits or rejects them (docs/review.md).

The machine proposes, a person disposes: extraction (`etnc_db.propose`) never
publishes anything. An accepted candidate becomes a record of the document's curated
file (`etl/curated/<document>/<part>.yaml`, with `candidate: KEY`), published by the next
load through the normal facts stage; rejections, merges and document-level decisions go
to `etl/review/decisions.yaml`. Both are files reviewed like code, so every decision
survives a rebuild from an empty database.

Modules: `stage` (the pipeline's propose and reconcile steps), `status` (how a
candidate's status follows from the files), `decisions` (the decisions file), `records`
(curated records and file edits), `validate` (a changed curated file checked as the
loader checks it), `files` (locks and atomic writes), `queries` and `actions` (the
`etnc-db review` commands).
"""
