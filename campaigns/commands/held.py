"""How `campaigns status` shows accounts held for rejected credentials: first, in red, with what to do."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console

from campaigns.store.held_accounts import HeldAccount


def held_account_lines(held: Sequence[HeldAccount]) -> list[str]:
    """One line per held account: since when, why, the posts it blocks, and the way out."""
    lines = []
    for account in held:
        since = f" since {account.since:%Y-%m-%d %H:%M} UTC" if account.since else ""
        posts = f"{account.waiting} post{'s' if account.waiting != 1 else ''} wait for it"
        if account.first_waiting:
            more = ", ..." if account.waiting > len(account.first_waiting) else ""
            posts += f" ({', '.join(account.first_waiting)}{more})"
        lines.append(f"Account {account.label} is HELD{since}: {account.reason}. {posts}.")
    return lines


def print_held_accounts(console: Console, held: Sequence[HeldAccount]) -> None:
    if not held:
        return
    for line in held_account_lines(held):
        console.print(line, style="bold red", soft_wrap=True)
    console.print(
        "Give it valid credentials, then run `campaigns accounts check`: its posts resume at once.",
        soft_wrap=True,
    )
