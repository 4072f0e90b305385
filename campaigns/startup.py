"""Loading a command's libraries fast: the short-lived CLI processes spend most of their life here."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def loading_libraries() -> Iterator[None]:
    """Import inside this block without the cycle collector, then freeze what the imports built.

    Importing SQLAlchemy, SQLModel, pydantic or Celery creates some 10^5 long-lived objects and no
    garbage cycles. The collector would walk them over and over while they load (about a tenth of
    a command's start-up) and once more when the process exits (0.1-0.2 s for `campaigns status`
    or `health`); frozen, they are left out of every collection, as modules' objects may be.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
