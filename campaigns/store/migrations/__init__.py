"""Alembic migrations for the schedule database (run through ``campaigns.store.migrate``)."""
