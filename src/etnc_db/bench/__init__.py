"""Benchmark tooling: a deterministic synthetic-corpus generator (`generator`) and
the benchmark runner behind `etnc-db bench` (`runner`, `measure`)."""
