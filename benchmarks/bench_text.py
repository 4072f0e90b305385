"""How fast campaigns.text.tweet_length counts typical campaign posts, against twitter-text-parser.

Run: .venv/bin/python benchmarks/bench_text.py [--posts N] [--seed S]

The corpus is generated from a fixed seed: posts of ~120-250 characters with one or two URLs
(with and without protocol, paths, queries), hashtags, mentions, and now and then an emoji, an
accented word or a little CJK. Each implementation counts the whole corpus several times; the
best round is reported, in posts per second on one core. The first row also checks that both
implementations agree on every post.
"""

import argparse
import random
import subprocess
import sys
import time
from collections.abc import Callable

from campaigns.text import tweet_length

SENTENCE = (
    "join us for the launch of our new community programme this weekend at the city library where "
    "volunteers will share free advice on energy saving recycling and local transport options for "
    "families students and older residents sign up today limited places available thank you"
)
WORDS = SENTENCE.split(" ")
DOMAINS = ["example.org", "www.city-council.gov.uk", "bit.ly", "events.example.com", "t.co", "news.bbc.co.uk"]
PATHS = ["", "/", "/launch", "/events/2025/spring-fair", "/a/b/c?utm_source=x&utm_medium=social", "/p?id=42"]
TAGS = ["#ClimateAction", "#CommunityFirst", "#Launch2025", "@CityLibrary", "@volunteers", "#SaveEnergy"]
EXTRAS = [
    "🎉",
    "🌍",
    "👩\u200d👩\u200d👧\u200d👦",
    "👍🏽",
    "🇬🇧",
    "café",
    "naïve",
    "—",
    "“quoted”",
    "日本語",
    "€5",
]


def make_post(rng: random.Random, unique_urls: bool = False) -> str:
    parts = [rng.choice(WORDS) for _ in range(rng.randint(14, 30))]
    for _ in range(rng.choice([1, 1, 1, 2])):
        protocol = rng.choice(["https://", "https://", "http://", ""])
        path = f"/{rng.getrandbits(48):x}" if unique_urls else rng.choice(PATHS)
        parts.insert(rng.randint(0, len(parts)), protocol + rng.choice(DOMAINS) + path)
    for _ in range(rng.randint(1, 3)):
        parts.append(rng.choice(TAGS))
    if rng.random() < 0.35:
        parts.insert(rng.randint(0, len(parts)), rng.choice(EXTRAS))
    post = " ".join(parts)
    return post[0].upper() + post[1:] + rng.choice([".", "!", "", " ->"])


def best_rate(count: Callable[[str], int], corpus: list[str], rounds: int) -> float:
    """Posts per second of CPU time (the machine is shared: wall time would count other jobs)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for post in corpus:
            count(post)
        best = min(best, time.process_time() - started)
    return len(corpus) / best


def import_time_ms() -> float:
    """Wall time of ``import campaigns.text`` in a fresh interpreter (no URL or emoji tables yet)."""
    code = "import time; t = time.perf_counter(); import campaigns.text; print(time.perf_counter() - t)"
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(output) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20250101)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    corpus = [make_post(rng) for _ in range(args.posts)]
    from twitter_text import parse_tweet  # the reference; dev dependency only

    mismatches = sum(tweet_length(post) != parse_tweet(post).weightedLength for post in corpus)
    lengths = sorted(len(post) for post in corpus)
    print(
        f"corpus: {len(corpus)} posts, seed {args.seed}, {lengths[0]}-{lengths[-1]} characters "
        f"(median {lengths[len(lengths) // 2]}), {mismatches} disagreements with twitter-text-parser"
    )
    ascii_only = [post for post in corpus if post.isascii()]
    # Every URL distinct: no help from the cache of recently seen URL runs (the worst case).
    unique = [make_post(rng, unique_urls=True) for _ in range(args.posts)]
    rows = [
        ("campaigns.text.tweet_length", best_rate(tweet_length, corpus, 7)),
        ("  ... ASCII posts only", best_rate(tweet_length, ascii_only, 7)),
        ("  ... non-ASCII posts only", best_rate(tweet_length, [p for p in corpus if not p.isascii()], 7)),
        ("  ... every URL distinct", best_rate(tweet_length, unique, 1)),
        (
            "twitter_text.parse_tweet",
            best_rate(lambda post: parse_tweet(post).weightedLength, corpus[:1000], 2),
        ),
    ]
    print(f"\n{'implementation':<32} {'posts/s (CPU)':>14}")
    for name, rate in rows:
        print(f"{name:<32} {rate:>14,.0f}")
    print(f"\nspeed-up: {rows[0][1] / rows[-1][1]:.0f}x; import campaigns.text: {import_time_ms():.1f} ms")


if __name__ == "__main__":
    main()
