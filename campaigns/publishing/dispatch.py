"""The dispatcher's tick: claim what is due (a few seconds ahead) and enqueue publish messages by post id.

Claiming is one atomic statement (``claim_due_posts``), so two dispatchers never hand out the same
post. Posts are claimed up to ``LOOKAHEAD`` early and enqueued with an ETA of their time: with a
1 s tick, a post is already in a worker's hands when its second comes, and the worker only waits
out the rest (ETAs of a few seconds are far below the broker's visibility timeout). If the broker
refuses a message, its claims are released at once; if a message is lost later (a worker killed
before starting it), the sweep releases the claims after ``CLAIM_TIMEOUT``.

One message carries the posts of one account that are due at the same moment (``GROUP`` at most),
published one after the other (``publish.publish_batch``). At steady load that is one post per
message; in a burst (a campaign launch on many accounts) it cuts the broker's and the worker's
per-message cost, which is most of the CPU a post costs, and sends each account's posts in order,
as the platforms expect from one account. Different accounts still go out in parallel.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from campaigns.publishing.context import Context
from campaigns.publishing.outcome import log
from campaigns.store.db import session_scope
from campaigns.store.dispatch import backlog_start, claim_due_posts, claimed_count
from campaigns.store.pipeline import DueAt, due_at, release_claims

LOOKAHEAD = timedelta(seconds=3)  # > the tick (1 s) + the broker's delivery time
# A post due no longer ago than this is on time: claimed before any later one, and sent with priority.
ON_TIME = timedelta(seconds=1)
# ... and so is a post due up to this long ago, if it was due after the backlog (a burst, catching
# up) began: a tick that came late (a loaded machine) does not put a post that was due during a
# burst behind the whole burst, which was due before it.
RECENT = timedelta(seconds=60)
BATCH = 1000  # posts claimed per tick at most; the rest wait one tick
# Late posts are claimed only while fewer than this are claimed and not started: seconds of work
# for the workers, below the sweep's CLAIM_TIMEOUT (60 s) at the rates they manage (48 posts/s
# on a heavily loaded 2-core machine: 42 s).
IN_FLIGHT = 2000
# Posts sent to the on-time queue per tick at most (posts on time, then those whose tick came late
# during a backlog), below what the workers publish a second (about 100 on a 2-core machine), so
# that the on-time queue never holds more than a second of work: a burst due at one second is
# otherwise all "on time" when claimed ahead of its second, and a regular post due a few seconds
# later queued behind all of it (20-60 s late). The rest of a burst goes to the late queue. Those
# whose tick came late are claimed even when the claims in flight are at their limit: they do not
# wait behind the claims in flight (the limit's reason).
PRIORITY = 50
# Posts per message at most. A message's posts go out one after the other, so this bounds how long
# the last waits behind the others (a 20 ms platform: 0.4 s), and how long one task runs. Bigger
# messages cost less a post (the broker's and the pool's share is per message).
GROUP = 20

# A message's wait at most, in seconds. Celery turns a countdown into an absolute ETA on the
# sender's wall clock and a worker waits for it on its own: an ETA taken from the service's
# (the database's) clock would run at once on a worker whose clock is ahead, and wait an hour on
# one an hour behind. A short countdown needs only the beat's and the worker's clocks to agree,
# and it is capped: the guard waits out the rest and never sends a post before its time.
MAX_COUNTDOWN = 5.0

# (post ids of one account, when to run them, on time: sent before the late posts' queue)
Enqueue = Callable[[list[str], datetime, bool], None]


@dataclass(frozen=True, slots=True)
class DispatchResult:
    enqueued: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)  # the broker refused them

    def __str__(self) -> str:
        text = f"{len(self.enqueued)} enqueued"
        return text + (f", {len(self.released)} released (broker error)" if self.released else "")


def dispatch_due(
    ctx: Context,
    enqueue: Enqueue,
    *,
    lookahead: timedelta = LOOKAHEAD,
    limit: int = BATCH,
    group: int = GROUP,
    in_flight: int = IN_FLIGHT,
    priority: int = PRIORITY,
) -> DispatchResult:
    """Claim the posts due by ``now + lookahead`` and ``enqueue`` them in ``groups`` (ETA: their time, or now)."""
    now = ctx.clock()
    with session_scope(ctx.engine) as session:  # committed before any message goes out
        # Posts on time first, then the late ones (a burst, catching up) with what the limit leaves:
        # a post due during a burst is not claimed after the whole burst, too late (worker.queues).
        priority = min(priority, limit)
        ids = claim_due_posts(
            session=session,
            now=now,
            worker=ctx.worker,
            limit=priority,
            lookahead=lookahead,
            after=now - ON_TIME,
        )
        # Late posts only as far as the workers keep up: a claim waiting in the broker longer than
        # the sweep's claim timeout would be released and dispatched again, work done twice.
        room = min(limit - len(ids), in_flight - claimed_count(session=session))
        backlog = backlog_start(session=session, now=now)
        slipped_room = priority - len(ids)
        if slipped_room > 0 and backlog is not None and backlog < now - ON_TIME:
            # Late, but due after the backlog began (its tick came late): before the backlog's posts.
            slipped = claim_due_posts(
                session=session,
                now=now,
                worker=ctx.worker,
                limit=slipped_room,
                lookahead=lookahead,
                after=max(backlog, now - RECENT),
            )
            ids += slipped
            room -= len(slipped)
        on_time = set(ids)
        if room > 0:
            ids += claim_due_posts(
                session=session, now=now, worker=ctx.worker, limit=room, lookahead=lookahead
            )
        due = due_at(session=session, ids=ids)
    enqueued: list[str] = []
    refused: list[str] = []
    for batch, eta in groups(ids, due, now=now, size=group, on_time=on_time):
        try:
            enqueue(batch, eta, batch[0] in on_time)
        except Exception as e:  # whatever the broker's client raises, the claims must go back
            error = " ".join(str(e).split()) or type(e).__name__
            log.error("cannot enqueue %s: %s", ", ".join(batch), error)
            refused += batch
        else:
            enqueued += batch
    if refused:
        with session_scope(ctx.engine) as session:
            release_claims(session=session, ids=refused, now=ctx.clock())
    return DispatchResult(enqueued, refused)


def countdown(eta: datetime, now: datetime) -> float:
    """Seconds from ``now`` (the service's clock) to ``eta``, between 0 and ``MAX_COUNTDOWN``."""
    return min(MAX_COUNTDOWN, max(0.0, (eta - now).total_seconds()))


def groups(
    ids: Sequence[str],
    due: Mapping[str, DueAt],
    *,
    now: datetime,
    size: int,
    on_time: Container[str] = frozenset(),
) -> Iterator[tuple[list[str], datetime]]:
    """The messages for claimed posts ``ids`` (in claim order): (ids, ETA), at most ``size`` ids each,
    each holding one account's posts due at the same moment, all ``on_time`` or none; in the order
    of their first post."""
    pending: dict[tuple[str, str, datetime, bool], list[str]] = {}
    for post_id in ids:
        at = due[post_id]
        eta = max(at.scheduled_at, now)
        key = (at.channel, at.account, eta, post_id in on_time)
        batch = pending.setdefault(key, [])
        batch.append(post_id)
        if len(batch) == size:
            yield pending.pop(key), eta
    for (_, _, eta, _), batch in pending.items():
        yield batch, eta
