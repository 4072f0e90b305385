"""The one error ``campaigns run`` shows a person: a single line saying what to do."""

from __future__ import annotations


class ServiceError(RuntimeError):
    """The service cannot start or keep running. The message is one line, fit to show as is."""
