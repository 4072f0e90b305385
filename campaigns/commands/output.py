"""How the schedule commands print: one console, tables, local times and text previews."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table


def console() -> Console:
    # No markup or emoji codes: post ids and texts are data ("ssw-week:one:twitter" is not :one:).
    return Console(highlight=False, markup=False, emoji=False, soft_wrap=False, width=160)


def table(title: str, *columns: str) -> Table:
    """Every column but the last stays on one line (ids, times); the last one wraps if it must."""
    shown = Table(title=title)
    for column in columns[:-1]:
        shown.add_column(column, no_wrap=True)
    shown.add_column(columns[-1], overflow="fold")
    return shown


def when(at: datetime | None, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y %H:%M %Z") if at else ""


def preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
