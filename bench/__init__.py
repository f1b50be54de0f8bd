"""Benchmarks that print ratios against a peer; run by hand, never by the test suite."""
