"""Sections of the Valiant benchmarks, run together by bench/run."""
