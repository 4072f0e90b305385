"""The faster check path finds exactly what the plan-based checks found, on generated campaigns.

``check_posts`` renders each item once for all its channels (``render.render_run``) instead of
expanding every post of the plan. The reference below is the earlier way, written out in full:
expand each item into planned posts, with the earlier rendering and DST rule, and check those.
The same holds for ``timing.resolve_local``, which skips its round trip on ordinary times.

More examples locally with CHECKS_EXAMPLES=5000; CI keeps the default.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from campaigns import text as text_length
from campaigns import timing
from campaigns.spec import CampaignSpec
from campaigns.spec.checks import Finding, check_document, check_posts, error, warning
from campaigns.spec.expand import PlaceholderError, expand_occurrence, render
from campaigns.spec.model import CampaignDoc, PostSpec

EXAMPLES = int(os.environ.get("CHECKS_EXAMPLES", "200"))
ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Lord_Howe",  # a 30-minute DST change
    "America/Havana",  # changes at midnight
    "America/Santiago",
    "Asia/Tehran",
    "Africa/Casablanca",  # Ramadan time: two changes a few weeks apart
    "Antarctica/Troll",  # a 2-hour change
    "Pacific/Apia",  # skipped a whole day in 2011
    "UTC",
]


def old_resolve_local(day: date, at: time, tz: ZoneInfo) -> tuple[datetime, str | None]:
    """``timing.resolve_local`` before its shortcut: always the round trip through UTC."""
    local = datetime.combine(day, at, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        return round_trip, (
            f"{at:%H:%M} does not exist on {day} in {tz.key} (clocks spring forward); "
            f"it will post at {round_trip:%H:%M} local time"
        )
    if local.utcoffset() != local.replace(fold=1).utcoffset():
        return local, (
            f"{at:%H:%M} happens twice on {day} in {tz.key} (clocks fall back); "
            f"it will post the first time, at {local.astimezone(UTC):%H:%M} UTC"
        )
    return local, None


def _transition_days() -> list[tuple[str, date]]:
    """(zone, day) for every day in 2010-2012 and 2026-2028 on which the zone's UTC offset changes."""
    found = []
    for name in ZONES:
        zone = ZoneInfo(name)
        for year in (2010, 2011, 2012, 2026, 2027, 2028):
            day = date(year, 1, 1)
            while day.year == year:
                before = datetime.combine(day, time(0), tzinfo=zone).utcoffset()
                after = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone).utcoffset()
                if before != after:
                    found.append((name, day))
                day += timedelta(days=1)
    return found


TRANSITIONS = _transition_days()


@settings(max_examples=EXAMPLES * 5, deadline=None)
@given(
    st.one_of(
        st.sampled_from(TRANSITIONS),
        st.tuples(st.sampled_from(ZONES), st.dates(date(1900, 1, 1), date(2100, 12, 31))),
    ),
    st.times(),
)
def test_it_resolves_local_times_as_the_round_trip_did(zone_day, at):
    name, day = zone_day
    at = at.replace(second=0, microsecond=0)
    new, old = timing.resolve_local(day, at, ZoneInfo(name)), old_resolve_local(day, at, ZoneInfo(name))
    assert new[1] == old[1]
    assert new[0] == old[0] and new[0].replace(tzinfo=None) == old[0].replace(tzinfo=None)
    assert new[0].utcoffset() == old[0].utcoffset()


def test_it_finds_transitions_to_test_against():
    assert len({name for name, _ in TRANSITIONS}) >= 8


# ---- the reference check path, as it was before render.py


def old_post_channels(post: PostSpec, defaults: list[str]) -> list[str]:
    if post.channels is not None:
        return list(post.channels)
    has_text = {
        "twitter": post.text is not None or post.twitter is not None or bool(post.thread),
        "facebook": post.text is not None or post.facebook is not None,
    }
    return [c for c in defaults if has_text.get(c, False)]


def old_channel_texts(post: PostSpec, channels: list[str]) -> list[tuple[str, list[str], str]]:
    texts = []
    for channel in channels:
        if channel == "twitter" and post.thread:
            texts.append((channel, list(post.thread), "thread"))
        elif channel == "twitter" and post.twitter is not None:
            texts.append((channel, [post.twitter], "twitter"))
        elif channel == "facebook" and post.facebook is not None:
            texts.append((channel, [post.facebook], "facebook"))
        elif post.text is not None:
            texts.append((channel, [post.text], "text"))
    return texts


def old_expand_item(spec: CampaignSpec, d: int, p: int, first_day: date) -> list[dict[str, Any]]:
    """One item's posts as the earlier expansion made them (the fields the checks look at)."""
    day, doc = spec.days[d], spec.doc
    item = day.posts[p]
    post = PostSpec(text=item) if isinstance(item, str) else item
    item_path = (*((*spec.days_path, d) if spec.days_path else ()), "posts", p)
    on = first_day + timedelta(days=d)
    link = post.link or day.link or doc.link
    _, dst = old_resolve_local(on, timing.parse_time(post.time or day.time or doc.time), spec.tz)
    values = {
        "link": link,
        "theme": day.theme,
        "day": str(d + 1),
        "date": f"{on.day} {on:%B %Y}",
        "year": str(on.year),
        "campaign": doc.campaign,
    }
    posts = []
    for channel, parts, field in old_channel_texts(post, old_post_channels(post, list(doc.channels))):
        rendered = tuple(render(part, values).strip() for part in parts)
        text_path = item_path if isinstance(item, str) else (*item_path, field)
        posts.append(
            {"channel": channel, "parts": rendered, "thread": field == "thread", "text_path": text_path}
        )
    return [{**post_, "on": on, "day": d + 1, "dst": dst, "item_path": item_path} for post_ in posts]


def old_check_posts(spec: CampaignSpec, first_day: date) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[Any, Any] = {}
    warned: set[str] = set()
    tags = [t.lower() for t in spec.doc.hashtags]
    for d, day in enumerate(spec.days):
        for p, item in enumerate(day.posts):
            item_path = (*((*spec.days_path, d) if spec.days_path else ()), "posts", p)
            try:
                posts = old_expand_item(spec, d, p, first_day)
            except PlaceholderError as exc:
                findings.append(error(item_path, str(exc)))
                continue
            for post in posts:
                findings += old_sent_text(spec, post, tags)
                first = seen.setdefault((post["channel"], post["on"], post["parts"]), post["text_path"])
                if first != post["text_path"]:
                    refused = " (X refuses duplicate tweets)" if post["channel"] == "twitter" else ""
                    message = f"the same {post['channel']} text is posted twice on day {post['day']}{refused}"
                    findings.append(error(post["text_path"], message))
                if post["dst"] and post["dst"] not in warned:
                    warned.add(post["dst"])
                    findings.append(warning(old_time_path(spec, d, p, item_path), post["dst"]))
            if isinstance(item, PostSpec) and item.image is not None:
                findings.append(error((*item_path, "image"), "image"))  # stands for the image checks
    return findings


def old_sent_text(spec: CampaignSpec, post: dict[str, Any], tags: list[str]) -> list[Finding]:
    found = []
    for number, part in enumerate(post["parts"], start=1):
        where = (*post["text_path"], number - 1) if post["thread"] else post["text_path"]
        if post["channel"] == "twitter":
            length = text_length.tweet_length(part)
            if length > 280:
                label = f"tweet {number} of the thread" if post["thread"] else "the tweet"
                found.append(
                    error(
                        where,
                        f"{label} is {length} characters as X counts them, over the limit of "
                        "280 (links count 23, emoji and CJK count 2)",
                    )
                )
        elif (length := text_length.facebook_length(part)) > 63206:
            found.append(error(where, f"the Facebook post is {length} characters, over the limit of 63206"))
        if not part.strip():
            found.append(error(where, "the text is empty"))
    joined = " ".join(post["parts"]).lower()
    if tags and not any(tag in joined for tag in tags):
        message = f"the {post['channel']} text carries none of the campaign's hashtags ({', '.join(spec.doc.hashtags)})"
        found.append(warning(post["text_path"], message))
    return found


def old_time_path(spec: CampaignSpec, d: int, p: int, item_path: tuple[Any, ...]) -> tuple[Any, ...]:
    day = spec.days[d]
    item = day.posts[p]
    if isinstance(item, PostSpec) and item.time is not None:
        return (*item_path, "time")
    if day.time is not None:
        return (*spec.days_path, d, "time")
    return ("time",)


# ---- generated campaigns

WORDS = ["Social", "workers", "#SSWWeek", "#WSWD", "{link}", "{theme}", "{day}", "{date}", "{year}"]
WORDS += ["{campaign}", "{lnk}", "{{", "}}", "🎉", "社会福祉", "example.org/x", "https://example.org/a", "  "]
texts = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join) | st.sampled_from(["", " ", "x" * 300])
times = st.sampled_from(["09:00", "02:30", "01:30", "00:00", "00:30", "23:30", "13:00"])
links = st.sampled_from([None, "https://example.org/day", "https://example.org/post"])


@st.composite
def posts(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(texts)
    post: dict[str, Any] = {}
    for key in draw(
        st.sets(st.sampled_from(["text", "twitter", "facebook", "thread"]), min_size=1, max_size=3)
    ):
        post[key] = draw(st.lists(texts, min_size=2, max_size=3)) if key == "thread" else draw(texts)
    if draw(st.booleans()):
        post["time"] = draw(times)
    if draw(st.integers(0, 3)) == 0:
        post["channels"] = draw(st.sampled_from([["twitter"], ["facebook"], ["twitter", "facebook"]]))
    if (link := draw(links)) is not None:
        post["link"] = link
    if draw(st.integers(0, 9)) == 0:
        post["image"], post["alt"] = "missing.png", "A picture"
    return post


@st.composite
def campaigns(draw: st.DrawFn) -> dict[str, Any]:
    days = [
        {
            "posts": draw(st.lists(posts(), min_size=1, max_size=4)),
            **({"theme": "Theme {x}"} if draw(st.booleans()) else {}),
            **({"time": draw(times)} if draw(st.booleans()) else {}),
            **({"link": link} if (link := draw(links)) else {}),
        }
        for _ in range(draw(st.integers(1, 4)))
    ]
    zone, start = draw(
        st.sampled_from(TRANSITIONS)
        # A spec may start in 2000-2199 only (model.FIRST_YEAR, LAST_YEAR); the start goes back up to 2 days.
        | st.tuples(st.sampled_from(ZONES), st.dates(date(2000, 1, 3), date(2100, 1, 1)))
    )
    doc: dict[str, Any] = {
        "campaign": "Test",
        "timezone": zone,
        "start": str(start - timedelta(days=draw(st.integers(0, 2)))),
        "hashtags": draw(st.sampled_from([[], ["#SSWWeek"], ["#WSWD", "#SSWWeek"]])),
        "channels": draw(st.sampled_from([["twitter", "facebook"], ["facebook"], ["twitter"]])),
    }
    if (link := draw(links)) is not None:
        doc["link"] = link
    if draw(st.booleans()):
        doc["posts"] = days[0]["posts"]
    else:
        doc["days"] = days
    return doc


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(campaigns())
def test_it_checks_posts_as_the_plan_based_checks_did(data):
    doc = CampaignDoc.model_validate(data)
    assume(not any(f.severity == "error" for f in check_document(doc)))
    root = Path("/nonexistent-specs")
    spec = CampaignSpec(doc, "test", "test.yaml", "hash", root, root)
    first_day = timing.parse_date(doc.start or "2027-01-01")
    found = [
        f if not f.message.startswith("image ") else error(f.path, "image")
        for f in check_posts(spec, first_day)
    ]
    assert found == old_check_posts(spec, first_day)


def test_it_plans_the_same_texts_as_the_earlier_expansion():
    data = {
        "campaign": "Test",
        "timezone": "America/New_York",
        "start": "2027-03-13",
        "link": "https://example.org/c",
        "hashtags": ["#SSWWeek"],
        "days": [
            {
                "theme": "One",
                "posts": ["Day {day} {theme} {link} #SSWWeek", {"thread": ["a {date}", "b {year}"]}],
            },
            {
                "time": "02:30",
                "link": "https://example.org/d",
                "posts": [{"text": "{campaign} {{x}}", "link": "https://example.org/p"}],
            },
        ],
    }
    spec = CampaignSpec(CampaignDoc.model_validate(data), "t", "t.yaml", "h", Path("/x"), Path("/x"))
    planned = [
        (s.post.channel, s.post.parts, s.text_path, s.dst_warning)
        for s in expand_occurrence(spec, date(2027, 3, 13), year_in_ids=False)
    ]
    expected = [
        (p["channel"], p["parts"], p["text_path"], p["dst"])
        for d, day in enumerate(spec.days)
        for position in range(len(day.posts))
        for p in old_expand_item(spec, d, position, date(2027, 3, 13))
    ]
    assert planned == expected and any(dst for *_, dst in planned)


@pytest.mark.parametrize("first_day", [date(2027, 3, 14), date(2027, 11, 7)])
def test_it_warns_about_dst_once_per_warning(first_day):
    data = {
        "campaign": "Test",
        "timezone": "America/New_York",
        "start": str(first_day),
        "time": "01:30" if first_day.month == 11 else "02:30",
        "posts": ["One #x", "Two #x"],
    }
    spec = CampaignSpec(CampaignDoc.model_validate(data), "t", "t.yaml", "h", Path("/x"), Path("/x"))
    found = check_posts(spec, first_day)
    assert (
        found == old_check_posts(spec, first_day) and len([f for f in found if f.severity == "warning"]) == 1
    )


def old_check_document(doc: CampaignDoc) -> list[Finding]:
    """``check_document`` before it skipped text-only posts: every post through ``_check_post``."""
    from campaigns.spec import checks

    found = list(checks._check_when(doc))
    if doc.days is None and doc.posts is None:
        found.append(error((), "missing required key 'days' (or 'posts' for a one-day campaign)"))
    elif doc.days is not None and doc.posts is not None:
        found.append(error(("posts",), "give either 'days' or 'posts', not both", at_key=True))
    items = [
        (("days", d, "posts", p), item)
        for d, day in enumerate(doc.days or [])
        for p, item in enumerate(day.posts)
    ]
    items += [(("posts", p), item) for p, item in enumerate(doc.posts or [])]
    for path, item in items:
        if isinstance(item, PostSpec):
            found += checks._check_post(item, path, doc.channels)
    seen: set[str] = set()
    for path, item in items:
        if isinstance(item, PostSpec) and item.id is not None:
            if item.id in seen:
                found.append(error((*path, "id"), f"id {item.id!r} is used twice in this campaign"))
            seen.add(item.id)
    return found


@st.composite
def documents_with_post_problems(draw: st.DrawFn) -> dict[str, Any]:
    data = draw(campaigns())
    for post in [p for day in data.get("days", [{"posts": data.get("posts", [])}]) for p in day["posts"]]:
        if isinstance(post, dict):
            if draw(st.integers(0, 4)) == 0:
                post["id"] = draw(st.sampled_from(["a", "b"]))
            if draw(st.integers(0, 6)) == 0:
                post["alt"] = draw(st.sampled_from(["", "An alt text", "x" * 1001]))
            if draw(st.integers(0, 6)) == 0:
                post.pop("text", None)
    return data


@settings(max_examples=EXAMPLES, deadline=None)
@given(documents_with_post_problems())
def test_it_checks_documents_as_before(data):
    doc = CampaignDoc.model_validate(data)
    assert check_document(doc) == old_check_document(doc)


def test_an_ascii_hashtag_never_has_an_invisible_or_look_alike_character() -> None:
    # checks._check_hashtag_characters skips ASCII hashtags unread: that is right only while no
    # ASCII character is one the two checks look for.
    from campaigns.spec import characters

    for code in range(128):
        tag = f"#SSW{chr(code)}Week"
        assert characters.invisible_in_hashtag(tag) is None
        assert characters.lookalike_in_hashtag(tag) is None


def test_hashtag_problems_are_found_in_every_post_that_repeats_the_hashtag() -> None:
    # The per-hashtag answer is remembered: a second post with the same hashtag is warned about too.
    tag = "#SSWW\u0435\u0435k"  # two Cyrillic 'е'
    data = {
        "campaign": "Test",
        "timezone": "UTC",
        "start": "2030-01-07",
        "hashtags": ["#SSWWeek"],
        "days": [{"posts": [f"Day one {tag} #SSWWeek", f"Day one again {tag} #SSWWeek"]}],
    }
    doc = CampaignDoc.model_validate(data)
    spec = CampaignSpec(doc, "t", "t.yaml", "h", Path("/x"), Path("/x"))
    findings = check_posts(spec, date(2030, 1, 7))
    lookalikes = [f for f in findings if "mixes Latin and Cyrillic" in f.message]
    assert {f.path[:4] for f in lookalikes} == {("days", 0, "posts", 0), ("days", 0, "posts", 1)}
