"""Helpers for tests: builders of test data (never test modules themselves)."""
