"""Use cases: validate, change data, flush, log; the caller commits."""
