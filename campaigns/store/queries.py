"""What people do to the schedule: pause, resume, retry (what they ask of it, `campaigns status`, is
read by ``campaigns.store.status_report``).

Pausing: a campaign runs only when neither its spec (``paused: true``) nor an operator
(``campaigns pause``) pauses it. ``apply`` rewrites the spec flag from the YAML every time and
never touches the operator's; ``resume`` clears only the operator's. So a pause from either side
holds until that same side lifts it, and the dispatcher's claim query skips the campaign's posts
from its next tick. ``pause --all`` pauses the campaigns that exist now; one added later is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col

from campaigns.store.due_posts import missed_after
from campaigns.store.models import Campaign, Post, PostStatus
from campaigns.store.states import RETRYABLE, transition
from campaigns.store.status_report import NotFound, campaigns_named


class NotRetryable(ValueError):
    """``retry`` was asked for a post that is not failed or missed."""


@dataclass(frozen=True, slots=True)
class PauseResult:
    targets: list[str]  # slugs asked about
    changed: list[str]  # slugs whose operator pause changed
    still_paused_by_spec: list[str]  # resumed, but their spec still says `paused: true`


def set_operator_pause(*, session: Session, slug: str | None, paused: bool, now: datetime) -> PauseResult:
    """Pause or resume one campaign (``slug``) or every current one (``slug=None``). Raises NotFound."""
    targets = campaigns_named(session=session, slug=slug)
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
