"""Data quality: SQL invariants (inside the run's transaction) and Great Expectations suites."""
