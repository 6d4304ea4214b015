"""Benchmarks: each prints a table with p50/p99 and writes bench/results/*.json."""
