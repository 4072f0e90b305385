"""``campaigns pause|resume|retry``: an operator holds a campaign back, lets it go, or re-sends a post."""

from __future__ import annotations

import click

from campaigns.commands import database
from campaigns.commands.database import friendly, open_engine
from campaigns.commands.output import when
from campaigns.store.db import session_scope
from campaigns.store.models import Campaign
from campaigns.store.queries import retry_post, set_operator_pause

TARGET = click.argument("campaign", required=False)
ALL = click.option("--all", "everything", is_flag=True, help="Every campaign in the schedule.")


def _target(campaign: str | None, everything: bool) -> str | None:
    if (campaign is None) == (not everything):
        raise click.UsageError("name one CAMPAIGN, or give --all")
    return campaign


@click.command()
@TARGET
@ALL
@friendly
def pause(campaign: str | None, everything: bool) -> None:
    """Stop publishing a campaign's posts (from the next tick) until `campaigns resume`."""
    slug = _target(campaign, everything)
    with open_engine() as engine, session_scope(engine) as session:
        result = set_operator_pause(session=session, slug=slug, paused=True, now=database.utcnow())
    if slug is None and not result.targets:
        raise click.ClickException("there is no campaign in the schedule to pause")
    click.echo(f"Paused {slug or 'every campaign'}.")
    click.echo("Its posts stay scheduled; any whose late window passes meanwhile will be missed.")


@click.command()
@TARGET
@ALL
@friendly
def resume(campaign: str | None, everything: bool) -> None:
    """Publish a paused campaign's posts again. A `paused: true` in its spec still holds it."""
    slug = _target(campaign, everything)
    with open_engine() as engine, session_scope(engine) as session:
        result = set_operator_pause(session=session, slug=slug, paused=False, now=database.utcnow())
    click.echo(f"Resumed {slug or 'every campaign'}.")
    for held in result.still_paused_by_spec:
        click.echo(
            f"{held} is still paused by its spec: remove `paused: true` there and run `campaigns apply`."
        )


@click.command()
@click.argument("post_id")
@friendly
def retry(post_id: str) -> None:
    """Put a failed or missed post back in the queue, to go out now."""
    with open_engine() as engine, session_scope(engine) as session:
        post = retry_post(session=session, post_id=post_id, now=database.utcnow())
        campaign = session.get(Campaign, post.campaign_slug)
    tz = campaign.timezone if campaign else "UTC"
    click.echo(
        f"Post {post_id} is scheduled again: it goes out on the next tick, at the latest by "
        f"{when(post.missed_after, tz)}."
    )
    if campaign is not None and campaign.paused:
        click.echo(f"Its campaign {campaign.slug} is paused: it waits for `campaigns resume`.")
