"""What ``campaigns diff`` and ``campaigns apply`` show: the schedule changes, post by post.

A large change (more than ``first`` post changes) is summarised: a table of counts per campaign and
channel, then its first ``first`` changes, soonest first; ``full`` shows every one. Only the rows
shown are formatted: a table of 10,000 rows cost more than applying them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.table import Table

from campaigns.store.diff import Change, Kind, ScheduleDiff

FIRST = 20  # post changes shown in full before a change counts as large


def render_diff(
    diff: ScheduleDiff, zones: Mapping[str, str], console: Console, *, full: bool = False, first: int = FIRST
) -> None:
    """Print the campaign changes, then the post changes (summarised past ``first`` unless ``full``)."""
    for campaign in diff.campaigns:
        detail = f" ({campaign.detail})" if campaign.detail else ""
        console.print(f"campaign {campaign.slug}: {campaign.kind}{detail}")
    if not diff.posts:
        console.print("No post changes: the schedule already follows the specs.")
        return
    summarised = not full and len(diff.posts) > first
    shown = diff.posts[:first] if summarised else diff.posts
    if summarised:
        console.print(counts_table(diff.posts))
    title = f"Schedule changes: the first {first} of {len(diff.posts)}" if summarised else "Schedule changes"
    console.print(changes_table(title, shown, zones))
    notes = [c.note for c in diff.posts if c.kind == Kind.LEFT_ALONE]
    shown_notes = [c.note for c in shown if c.kind == Kind.LEFT_ALONE]
    for note in shown_notes:
        console.print(f"note: {note}", overflow="ignore", crop=False)
    if summarised:
        more = len(diff.posts) - len(shown)
        hidden_notes = len(notes) - len(shown_notes)
        also = f", {hidden_notes} of them left alone with a note" if hidden_notes else ""
        console.print(f"... and {more} more changes{also}: `--full` shows them all.")
    console.print(count_line(diff.posts))


def count_line(changes: Sequence[Change]) -> str:
    """``3 created, 1 moved``: every kind of change, in the order they first occur."""
    counts = Counter(str(change.kind) for change in changes)
    return ", ".join(f"{n} {kind}" for kind, n in counts.items())


def counts_table(changes: Sequence[Change]) -> Table:
    """Changes per campaign and channel, one column per kind of change."""
    per_group: dict[tuple[str, str], Counter[Kind]] = {}
    for change in changes:
        per_group.setdefault((change.campaign, change.channel), Counter())[change.kind] += 1
    kinds = [kind for kind in Kind if any(kind in counter for counter in per_group.values())]
    table = Table(title="Schedule changes per campaign and channel")
    table.add_column("campaign", no_wrap=True)
    table.add_column("channel", no_wrap=True)
    for kind in [*kinds, "total"]:
        table.add_column(str(kind), justify="right", no_wrap=True)
    for (campaign, channel), counter in sorted(per_group.items()):
        cells = [str(counter[kind]) if counter[kind] else "" for kind in kinds]
        table.add_row(campaign, channel, *cells, str(counter.total()))
    return table


def changes_table(title: str, changes: Sequence[Change], zones: Mapping[str, str]) -> Table:
    """One row per change. Every column but the last stays on one line (ids, times)."""
    table = Table(title=title)
    for column in ("change", "post", "channel", "when"):
        table.add_column(column, no_wrap=True)
    table.add_column("details", overflow="fold")
    for change in changes:
        tz = zones.get(change.campaign, "UTC")
        when = _when(change.new_at or change.old_at, tz)
        if change.kind == Kind.MOVED:
            when = f"{_when(change.old_at, tz)} -> {_when(change.new_at, tz)}"
        table.add_row(str(change.kind), change.post_id, change.channel, when, describe(change))
    return table


def describe(change: Change) -> str:
    if change.kind == Kind.LEFT_ALONE:
        return f"left as {change.status}: see below"
    if change.note:
        return change.note
    if change.kind in (Kind.MOVED, Kind.EDITED, Kind.RESTORED) and change.fields:
        return "changed: " + ", ".join(change.fields)
    if change.status is not None and change.new_status is not None and change.status != change.new_status:
        return f"{change.status} -> {change.new_status}"
    return ""


def _when(at: datetime | None, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%a %d %b %Y %H:%M %Z") if at else ""
