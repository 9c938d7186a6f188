"""Benchmarks: run them from the project root with .venv/bin/python -m bench.<name>."""
