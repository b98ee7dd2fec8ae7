"""Fixtures for assessments live in tests/conftest.py (small_set, group_set)."""
