"""Benchmarks of the running site (not tests): `python -m bench`, see docs/PERFORMANCE.md."""
