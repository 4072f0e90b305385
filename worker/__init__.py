"""Celery workers: ``celery -A worker worker`` runs them, ``celery -A worker beat`` the beat."""

from __future__ import annotations

from worker.app import app

__all__ = ["app"]
