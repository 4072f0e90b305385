"""Simulated chatter: other X accounts posting with the campaigns' hashtags over time.

A hashtag becomes "live" once one of our accounts uses it. From two days before that first use,
other accounts post with it at a per-tag rate, with a burst after the campaign starts that fades
over a few days. Which posts exist in an hour slot is a pure function of (seed, tag, slot, first
use), so a given seed always shows the same conversation at the same sandbox time.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sandbox.engagement import unit
from sandbox.ids import simulated_snowflake
from sandbox.model import Post

SLOT_SECONDS = 3600
LEAD_IN = timedelta(days=2)
_FADE_SECONDS = 2 * 86400
_USERS = 300

_TEMPLATES = (
    "Proud to celebrate {tag} with the social service workforce in our community.",
    "{tag} is a reminder that investing in social workers is investing in families.",
    "What does {tag} mean to you? Share a story from the field.",
    "Thank you to every caseworker showing up today. {tag}",
    "New research on workforce wellbeing out this week {tag}",
    "Our team is sharing stories from the frontline all week. {tag}",
    "Supervision, training and fair pay keep good people in the job. {tag}",
    "Listening session tonight with community health workers {tag}",
    "Small acts, big impact: a day in the life of a child protection officer {tag}",
    "Great turnout at the {tag} webinar, slides coming soon",
)
_FIRST = ("care", "social", "community", "youth", "family", "health", "policy", "field")
_SECOND = ("worker", "advocate", "voice", "network", "ally", "champion")


@dataclass(frozen=True, slots=True)
class SimUser:
    id: str
    username: str
    name: str
    followers: int


def sim_users(seed: int) -> dict[str, SimUser]:
    users = {}
    for k in range(_USERS):
        first, second = _FIRST[k % len(_FIRST)], _SECOND[(k // len(_FIRST)) % len(_SECOND)]
        user_id = str(1_600_000_000_000_000_000 + k)
        followers = int(50 + 20000 * unit(seed, user_id, "followers") ** 3)
        users[user_id] = SimUser(
            user_id, f"{first}{second}{k}", f"{first.title()} {second.title()} {k}", followers
        )
    return users


class Chatter:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.users = sim_users(seed)
        self._user_ids = sorted(self.users)
        self.reset()

    def reset(self) -> None:
        self.by_id: dict[str, Post] = {}  # every simulated post generated so far
        self._slots: dict[tuple[str, int, float], list[Post]] = {}

    def posts(self, tag: str, first_use: datetime, start: datetime, end: datetime) -> list[Post]:
        """Simulated posts with ``tag`` created in [start, end], oldest first."""
        begin = max(start, first_use - LEAD_IN)
        if begin > end:
            return []
        found = []
        for slot in range(int(begin.timestamp()) // SLOT_SECONDS, int(end.timestamp()) // SLOT_SECONDS + 1):
            found += [p for p in self._slot(tag, slot, first_use) if start <= p.created_at <= end]
        return found

    def _slot(self, tag: str, slot: int, first_use: datetime) -> list[Post]:
        key = (tag, slot, first_use.timestamp())
        cached = self._slots.get(key)
        if cached is None:
            cached = self._slots[key] = self._generate(tag, slot, first_use)
            self.by_id.update((p.id, p) for p in cached)
        return cached

    def _rate(self, tag: str, at: float, first_use: float) -> float:
        """Posts per hour: quiet chatter before the campaign, a burst after its first post."""
        base = 0.5 + 2.5 * unit(self.seed, tag, "rate")
        if at < first_use:
            return base * 0.3
        return base * (1 + 4 * math.exp(-(at - first_use) / _FADE_SECONDS))

    def _generate(self, tag: str, slot: int, first_use: datetime) -> list[Post]:
        rng = random.Random(f"{self.seed}:{tag}:{slot}")
        start = slot * SLOT_SECONDS
        expected = self._rate(tag, start, first_use.timestamp())
        count = _poisson(rng, expected)
        posts: list[Post] = []
        for at in sorted(start + rng.random() * SLOT_SECONDS for _ in range(count)):
            author = self._user_ids[rng.randrange(len(self._user_ids))]
            text = rng.choice(_TEMPLATES).format(tag="#" + tag)
            retweet_of = None
            if posts and rng.random() < 0.15:  # some of the chatter is retweets of earlier chatter
                original = posts[rng.randrange(len(posts))]
                text = f"RT @{self.users[original.account_id].username}: {original.text}"
                retweet_of = original.id
            post_id = str(simulated_snowflake(at, rng.getrandbits(21)))
            created = datetime.fromtimestamp(at, UTC)
            posts.append(
                Post(
                    "x",
                    post_id,
                    author,
                    text,
                    created,
                    conversation_id=post_id,
                    simulated=True,
                    retweet_of=retweet_of,
                    tags=(tag,),
                )
            )
        return posts


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k
