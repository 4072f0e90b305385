"""The plan as a calendar to read in the terminal: one block per day, one row per post."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from rich.console import Console
from rich.table import Table
from rich.text import Text

from campaigns.planned import DEFAULT_ACCOUNT, PlannedPost

WIDE = 100_000  # columns: more than any post needs (Facebook's limit is 63,206 characters)
CHANNEL_LABELS = {"twitter": ("X", "bold cyan"), "facebook": ("Facebook", "bold blue")}


def render_table(posts: Sequence[PlannedPost], console: Console, *, wide: bool = False) -> None:
    """The calendar, as wide as the terminal: long names and texts wrap, and a word too long for
    its column (a link) folds onto the next line; nothing is cut. ``wide``: one line per text
    line, whatever the terminal's width (to copy, or to read with ``less -S``)."""
    if not posts:
        console.print("No posts in this window.")
        return
    if wide:
        # The same output and colours, on a console too wide to wrap anything.
        console = Console(
            file=console.file, width=WIDE, no_color=console.no_color, force_terminal=console.is_terminal
        )
    table = Table(show_lines=False, header_style="bold", expand=not wide, title=_title(posts))
    table.add_column("Local time", no_wrap=True, min_width=15)
    table.add_column("UTC", no_wrap=True, style="dim")
    table.add_column("Campaign", ratio=1, min_width=16, overflow="fold", no_wrap=wide)
    table.add_column("Channel", no_wrap=True)
    table.add_column("Post", ratio=3, overflow="fold", no_wrap=wide)
    # Grouped by each post's own local date: that is the day the comms team planned it for.
    ordered = sorted(posts, key=lambda p: (p.date, p.scheduled_at))
    for day, day_posts in groupby(ordered, key=lambda p: p.date):
        table.add_section()
        table.add_row(Text(f"{day:%a %-d %b %Y}", style="bold magenta"), "", "", "", "")
        for post in day_posts:
            table.add_row(*_row(post))
    console.print(table)
    campaigns = len({p.campaign for p in posts})
    console.print(f"{len(posts)} posts from {campaigns} campaign{'s' if campaigns != 1 else ''}.")


def _title(posts: Sequence[PlannedPost]) -> str:
    first, last = posts[0].scheduled_at, posts[-1].scheduled_at
    return f"Campaign plan, {first:%-d %b %Y} to {last:%-d %b %Y}"


def _row(post: PlannedPost) -> tuple[str | Text, ...]:
    label, style = CHANNEL_LABELS.get(post.channel, (post.channel, ""))
    local = f"{post.local_time:%H:%M} {post.local_time.tzname()}"
    campaign = f"{post.campaign}\nday {post.day}" + (f": {post.theme}" if post.theme else "")
    text = Text(post.text)
    if post.thread:
        text.append(f"\n🧵 thread of {len(post.thread)} tweets", style="italic")
    for media in post.media:
        text.append(f"\n🖼  {media.path.name}, alt: {media.alt}", style="italic green")
    channel = Text(label, style=style)
    if post.account != DEFAULT_ACCOUNT:
        channel.append(f"\n{post.account}", style="dim")
    return local, f"{post.scheduled_at:%H:%M}Z", campaign, channel, text
