"""Engagement metrics read from the platforms (issue 11). The names of what is stored: ``names``."""
