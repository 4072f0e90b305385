"""What people ask of and do to the schedule: pause, resume, retry, status.

Pausing: a campaign runs only when neither its spec (``paused: true``) nor an operator
(``campaigns pause``) pauses it. ``apply`` rewrites the spec flag from the YAML every time and
never touches the operator's; ``resume`` clears only the operator's. So a pause from either side
holds until that same side lifts it, and the dispatcher's claim query skips the campaign's posts
from its next tick. ``pause --all`` pauses the campaigns that exist now; one added later is not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from campaigns.store.dispatch import missed_after
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.pipeline_models import SpecProblems
from campaigns.store.spec_problems import current_spec_problems
from campaigns.store.states import RETRYABLE, transition


class NotFound(LookupError):
    """No such campaign or post. The message is one line, fit to show as is."""


class NotRetryable(ValueError):
    """``retry`` was asked for a post that is not failed or missed."""


@dataclass(frozen=True, slots=True)
class PauseResult:
    targets: list[str]  # slugs asked about
    changed: list[str]  # slugs whose operator pause changed
    still_paused_by_spec: list[str]  # resumed, but their spec still says `paused: true`


def _campaigns(session: Session, slug: str | None, *, removed_too: bool = False) -> Sequence[Campaign]:
    """The current campaigns, or the one named ``slug`` (also a removed one if ``removed_too``).

    Raises NotFound for a name the schedule does not have, or had (saying when it was removed).
    """
    if slug is None:
        stmt = select(Campaign).where(col(Campaign.removed_at).is_(None)).order_by(col(Campaign.slug))
        return session.exec(stmt).all()
    campaign = session.get(Campaign, slug)
    if campaign is None:
        raise NotFound(f"no campaign {slug!r} in the schedule (run `campaigns apply` first?)")
    if campaign.removed_at is not None and not removed_too:
        raise NotFound(
            f"campaign {slug!r} was removed from the specs on {campaign.removed_at:%Y-%m-%d %H:%M} UTC"
        )
    return [campaign]


def set_operator_pause(*, session: Session, slug: str | None, paused: bool, now: datetime) -> PauseResult:
    """Pause or resume one campaign (``slug``) or every current one (``slug=None``). Raises NotFound."""
    targets = _campaigns(session, slug)
    changed = [c.slug for c in targets if c.operator_paused != paused]
    if changed:
        session.exec(
            update(Campaign)
            .where(col(Campaign.slug).in_(changed))
            .values(operator_paused=paused, operator_paused_at=now if paused else None, updated_at=now)
            .execution_options(synchronize_session="fetch")
        )
    spec_held = [c.slug for c in targets if c.spec_paused and not paused]
    return PauseResult(targets=[c.slug for c in targets], changed=changed, still_paused_by_spec=spec_held)


def retry_post(*, session: Session, post_id: str, now: datetime) -> Post:
    """Put a failed or missed post back in the queue, due now, with a fresh late window.

    Raises NotFound, or NotRetryable naming the post's status. The retry is an ordinary
    ``failed|missed -> scheduled`` transition; if another process moved the post meanwhile,
    NotRetryable says so.
    """
    post = session.get(Post, post_id)
    if post is None:
        raise NotFound(f"no post {post_id!r} in the schedule")
    status = PostStatus(post.status)
    if status not in RETRYABLE:
        raise NotRetryable(f"post {post_id} is {status}; only failed or missed posts can be retried")
    values = {
        "next_attempt_at": now,
        "missed_after": missed_after(now, timedelta(seconds=post.late_window_seconds)),
        "status_reason": None,
        "claimed_at": None,
        "claimed_by": None,
    }
    if not transition(
        session=session, post_id=post_id, expected=status, to=PostStatus.SCHEDULED, now=now, values=values
    ):
        raise NotRetryable(f"post {post_id} changed while retrying it; look at `campaigns status` again")
    session.refresh(post)
    return post


@dataclass(frozen=True, slots=True)
class StatusReport:
    campaigns: list[Campaign]
    upcoming: list[Post]  # scheduled, claimed, sending: soonest first
    published: list[Post]  # newest first
    unconfirmed: list[Post]
    failed: list[Post]
    missed: list[Post]
    spec_problems: SpecProblems | None = None  # why the spec files' latest version is not in force


def status_report(*, session: Session, slug: str | None, limit: int = 20) -> StatusReport:
    """The posts people want to see, per kind, at most ``limit`` each. Raises NotFound for a bad slug."""
    campaigns = list(_campaigns(session, slug, removed_too=True))  # its history stays worth seeing

    def posts(statuses: Sequence[PostStatus], *, newest_first: bool = False) -> list[Post]:
        stmt = select(Post).where(col(Post.status).in_([s.value for s in statuses]))
        if slug is not None:
            stmt = stmt.where(col(Post.campaign_slug) == slug)
        order = col(Post.scheduled_at).desc() if newest_first else col(Post.scheduled_at)
        return list(session.exec(stmt.order_by(order, col(Post.id)).limit(limit)).all())

    return StatusReport(
        campaigns=campaigns,
        upcoming=posts([PostStatus.SCHEDULED, PostStatus.CLAIMED, PostStatus.SENDING]),
        published=posts([PostStatus.PUBLISHED], newest_first=True),
        unconfirmed=posts([PostStatus.UNCONFIRMED]),
        failed=posts([PostStatus.FAILED], newest_first=True),
        missed=posts([PostStatus.MISSED], newest_first=True),
        spec_problems=current_spec_problems(session=session),
    )
